// A key-value editor for objects with free keys (HTTP headers and query, end outputs, code inputs).
// Rows live in local state so a half-typed name, an empty row or a duplicate can exist while
// editing; the config gets every named row, the first of duplicates winning.
'use client';

import { useState } from 'react';
import { useFieldFrame } from './field-frame';
import { singular } from './field-labels';
import type { RecordModel } from './field-model';
import { FieldGroup, InlineProblem } from './field-shell';
import { type FieldProps, SchemaField } from './schema-field';
import { childId, partId, pathAttr } from './value-path';

interface Row {
  id: string;
  key: string;
  value: unknown;
}

let rowCounter = 0;
const newRowId = () => `row-${rowCounter++}`;

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Rows for an object, keeping the React keys of rows whose names are unchanged. */
function rowsFrom(value: unknown, previous: readonly Row[]): Row[] {
  const object = isPlainObject(value) ? value : {};
  const unused = [...previous];
  return Object.entries(object).map(([key, v]) => {
    const at = unused.findIndex((r) => r.key === key);
    const id = at >= 0 ? (unused.splice(at, 1)[0]?.id ?? newRowId()) : newRowId();
    return { id, key, value: v };
  });
}

function toObject(rows: readonly Row[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const row of rows) if (row.key !== '' && !(row.key in out)) out[row.key] = row.value;
  return out;
}

function rowProblem(rows: readonly Row[], index: number): string | null {
  const row = rows[index];
  if (!row) return null;
  if (row.key === '') return row.value === undefined || row.value === '' ? null : 'Needs a name to be used.';
  return rows.findIndex((r) => r.key === row.key) < index
    ? 'Duplicate name: only the first one is used.'
    : null;
}

export function RecordField(props: FieldProps<RecordModel>) {
  const { model, path, id, label, required, value, onChange } = props;
  const frame = useFieldFrame(props);
  const { readOnly } = frame;
  const initial = value === undefined && model.hasDefault ? model.default : value;
  const [rows, setRows] = useState<Row[]>(() => rowsFrom(initial, []));
  const [source, setSource] = useState<unknown>(value);
  // The config changed elsewhere (undo, import): rebuild the rows from it.
  if (value !== source) {
    setSource(value);
    setRows(rowsFrom(value, rows));
  }
  const itemName = singular(label);

  const commit = (next: Row[]) => {
    setRows(next);
    const object = toObject(next);
    const out = Object.keys(object).length === 0 && !required && !model.hasDefault ? undefined : object;
    setSource(out);
    onChange(out);
  };
  const update = (rowId: string, patch: Partial<Row>) =>
    commit(rows.map((r) => (r.id === rowId ? { ...r, ...patch } : r)));

  return (
    <FieldGroup {...frame.group} className="nf-record">
      {rows.length === 0 ? <p className="muted nf-empty">None yet.</p> : null}
      {rows.length > 0 ? (
        <ul className="nf-kv">
          {rows.map((row, index) => {
            const rowId = childId(id, index);
            const keyId = partId(rowId, 'name');
            const problem = rowProblem(rows, index);
            const name = row.key || `${itemName} ${index + 1}`;
            return (
              <li key={row.id} className="nf-kv-row" data-path={pathAttr([...path, row.key])}>
                <div className="nf-field nf-kv-key">
                  <label htmlFor={keyId} className="sr-only">
                    {itemName} {index + 1} name
                  </label>
                  <input
                    id={keyId}
                    type="text"
                    value={row.key}
                    placeholder="Name"
                    autoComplete="off"
                    spellCheck={false}
                    readOnly={readOnly}
                    aria-invalid={problem ? true : undefined}
                    aria-describedby={problem ? partId(keyId, 'error') : undefined}
                    onChange={(event) => update(row.id, { key: event.target.value })}
                  />
                  {problem ? <InlineProblem id={partId(keyId, 'error')}>{problem}</InlineProblem> : null}
                </div>
                <div className="nf-kv-value">
                  <SchemaField
                    model={{ ...model.values, description: undefined }}
                    path={[...path, row.key]}
                    id={partId(rowId, 'value')}
                    label={`${name} value`}
                    labelHidden
                    required
                    value={row.value}
                    onChange={(next) => update(row.id, { value: next })}
                  />
                </div>
                {readOnly ? null : (
                  <button
                    type="button"
                    className="btn btn-ghost btn-sm"
                    aria-label={`Remove ${name}`}
                    onClick={() => commit(rows.filter((r) => r.id !== row.id))}
                  >
                    Remove
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      ) : null}
      {readOnly ? null : (
        <button
          type="button"
          className="btn btn-secondary btn-sm"
          onClick={() => setRows([...rows, { id: newRowId(), key: '', value: undefined }])}
        >
          Add {itemName.toLowerCase()}
        </button>
      )}
    </FieldGroup>
  );
}
