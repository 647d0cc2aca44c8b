// A provider's price table (owners): one row per model id with input and output prices in USD per
// million tokens, used to estimate run costs. Saved whole through `providers.update`.
'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { useTRPC } from '@/components/trpc-provider';
import { Button } from '@/components/ui/button';
import { ErrorBanner } from '@/components/ui/error-banner';
import { errorField } from '@/components/ui/errors';
import { TableHead } from '@/components/ui/table-head';
import type { ProviderSummary } from './provider-form';

export type Prices = Record<string, { input: number; output: number }>;

/** The stored price table, keeping only well-formed entries. */
export function priceTable(prices: unknown): Prices {
  if (!prices || typeof prices !== 'object') return {};
  const out: Prices = {};
  for (const [model, price] of Object.entries(prices)) {
    if (!price || typeof price !== 'object') continue;
    const { input, output } = price as { input?: unknown; output?: unknown };
    if (typeof input === 'number' && typeof output === 'number') out[model] = { input, output };
  }
  return out;
}

interface Row {
  key: number;
  model: string;
  input: string;
  output: string;
}

const COLUMN_LABEL = {
  model: 'Model id',
  input: 'Input price (USD per 1M tokens)',
  output: 'Output price (USD per 1M tokens)',
};

type Problem = { row: number; column: 'model' | 'input' | 'output'; message: string };

function validate(rows: Row[]): { prices: Prices } | Problem {
  const prices: Prices = {};
  for (const [index, row] of rows.entries()) {
    const model = row.model.trim();
    const line = `Row ${index + 1}`;
    if (!model) return { row: row.key, column: 'model', message: `${line}: the model id is required` };
    if (model in prices)
      return { row: row.key, column: 'model', message: `${line}: ${model} is listed twice` };
    const input = Number(row.input);
    const output = Number(row.output);
    if (row.input.trim() === '' || !Number.isFinite(input) || input < 0)
      return { row: row.key, column: 'input', message: `${line}: the input price must be a number ≥ 0` };
    if (row.output.trim() === '' || !Number.isFinite(output) || output < 0)
      return { row: row.key, column: 'output', message: `${line}: the output price must be a number ≥ 0` };
    prices[model] = { input, output };
  }
  return { prices };
}

interface PricesEditorProps {
  workspaceId: string;
  provider: ProviderSummary;
  onSaved: (name: string) => void;
  onCancel: () => void;
}

export function PricesEditor({ workspaceId, provider, onSaved, onCancel }: PricesEditorProps) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const idBase = useId();
  const [rows, setRows] = useState<Row[]>(() =>
    Object.entries(priceTable(provider.prices)).map(([model, p], key) => ({
      key,
      model,
      input: String(p.input),
      output: String(p.output),
    })),
  );
  const [nextKey, setNextKey] = useState(rows.length);
  const [problem, setProblem] = useState<Problem | null>(null);
  const update = useMutation(
    trpc.providers.update.mutationOptions({
      onSuccess: async (saved) => {
        await queryClient.invalidateQueries({ queryKey: trpc.providers.list.queryKey() });
        onSaved(saved.name);
      },
    }),
  );
  const serverField = errorField(update.error);

  function change(key: number, column: Problem['column'], value: string) {
    setRows((current) => current.map((r) => (r.key === key ? { ...r, [column]: value } : r)));
    setProblem(null);
    if (update.isError) update.reset();
  }

  function addRow() {
    setRows((current) => [...current, { key: nextKey, model: '', input: '', output: '' }]);
    setNextKey(nextKey + 1);
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const checked = validate(rows);
    if ('message' in checked) {
      setProblem(checked);
      return;
    }
    update.mutate({ workspaceId, providerId: provider.id, name: provider.name, prices: checked.prices });
  }

  const invalid = (key: number, column: Problem['column']) =>
    (problem?.row === key && problem.column === column) || serverField?.startsWith('prices')
      ? true
      : undefined;

  return (
    <form className="stack" onSubmit={onSubmit} noValidate aria-label={`Prices for ${provider.name}`}>
      <p className="muted">
        Input and output prices in USD per 1M tokens, used to estimate the cost of runs.
      </p>
      <ErrorBanner error={problem?.message ?? update.error} />
      {rows.length === 0 ? <p className="muted">No prices yet.</p> : null}
      {rows.length > 0 ? (
        <table className="table price-table">
          <colgroup>
            <col />
            <col className="price-col" />
            <col className="price-col" />
            <col className="price-col" />
          </colgroup>
          <TableHead columns={['Model', 'Input', 'Output']} actions />
          <tbody>
            {rows.map((row, index) => {
              const id = `${idBase}-${row.key}`;
              const label = `row ${index + 1}`;
              return (
                <tr key={row.key}>
                  {(['model', 'input', 'output'] as const).map((column) => (
                    <td key={column}>
                      <label className="sr-only" htmlFor={`${id}-${column}`}>
                        {`${COLUMN_LABEL[column]}, ${label}`}
                      </label>
                      <input
                        id={`${id}-${column}`}
                        value={row[column]}
                        onChange={(e) => change(row.key, column, e.target.value)}
                        aria-invalid={invalid(row.key, column)}
                        {...(column === 'model'
                          ? { placeholder: 'gpt-4o-mini', maxLength: 200 }
                          : {
                              type: 'number',
                              min: 0,
                              step: 'any',
                              inputMode: 'decimal' as const,
                            })}
                      />
                    </td>
                  ))}
                  <td style={{ textAlign: 'right' }}>
                    <Button
                      small
                      variant="ghost"
                      aria-label={`Remove ${row.model.trim() || label}`}
                      onClick={() => {
                        setRows((current) => current.filter((r) => r.key !== row.key));
                        setProblem(null);
                      }}
                    >
                      Remove
                    </Button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
      <div>
        <Button small onClick={addRow}>
          Add model
        </Button>
      </div>
      <div className="dialog-actions">
        <Button onClick={onCancel}>Cancel</Button>
        <Button type="submit" variant="primary" disabled={update.isPending}>
          {update.isPending ? 'Saving…' : 'Save prices'}
        </Button>
      </div>
    </form>
  );
}
