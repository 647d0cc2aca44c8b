// A number input that lets people type freely ("-", "1.", an emptied field) while the config only
// ever receives numbers or undefined (empty: the key is omitted). Range and integer slips are
// pointed out at once; the server's validation stays the authority.
'use client';

import { useState } from 'react';
import { InlineProblem, joinIds } from './field-shell';
import { partId } from './value-path';

interface NumberInputProps {
  id: string;
  value: number | undefined;
  onChange(next: number | undefined): void;
  integer?: boolean;
  min?: number;
  max?: number;
  step?: number;
  placeholder?: string;
  readOnly?: boolean;
  required?: boolean;
  invalid?: boolean;
  describedBy?: string;
}

const format = (value: number | undefined) => (value === undefined ? '' : String(value));

function rangeProblem(n: number, integer?: boolean, min?: number, max?: number): string | null {
  if (integer && !Number.isInteger(n)) return 'Must be a whole number.';
  if (min !== undefined && max !== undefined && (n < min || n > max))
    return `Must be between ${min} and ${max}.`;
  if (min !== undefined && n < min) return `Must be at least ${min}.`;
  if (max !== undefined && n > max) return `Must be at most ${max}.`;
  return null;
}

export function NumberInput(props: NumberInputProps) {
  const { id, value, onChange, integer, min, max, step, placeholder, readOnly, required, invalid } = props;
  const [draft, setDraft] = useState(format(value));
  const [source, setSource] = useState(value);
  // A new value from outside (undo, another panel) replaces whatever was being typed.
  if (value !== source) {
    setSource(value);
    setDraft(format(value));
  }
  const parsed = draft.trim() === '' ? undefined : Number(draft);
  const problem =
    parsed !== undefined && Number.isFinite(parsed) ? rangeProblem(parsed, integer, min, max) : null;
  const problemId = partId(id, 'range');
  const described = joinIds(props.describedBy, problem && problemId);

  return (
    <>
      <input
        id={id}
        type="number"
        inputMode={integer ? 'numeric' : 'decimal'}
        min={min}
        max={max}
        step={step ?? (integer ? 1 : 'any')}
        value={draft}
        placeholder={placeholder}
        readOnly={readOnly}
        aria-required={required || undefined}
        aria-invalid={invalid || problem ? true : undefined}
        aria-describedby={described}
        onChange={(event) => {
          const text = event.target.value;
          setDraft(text);
          const next = text.trim() === '' ? undefined : Number(text);
          if (next !== undefined && !Number.isFinite(next)) return;
          setSource(next);
          onChange(next);
        }}
      />
      {problem ? <InlineProblem id={problemId}>{problem}</InlineProblem> : null}
    </>
  );
}
