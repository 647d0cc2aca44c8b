// One typed field of a review as an editable, labelled control (text, long text, number, switch,
// select, JSON), with the conversions between what the control holds and the value sent.
'use client';

import { useId } from 'react';
import type { ReviewField } from '@/workflows/nodes/human-review';

/** What a control holds: text for every type but boolean. */
export type Draft = string | boolean;

/** The control's starting content for a field's value. */
export function initialDraft(field: ReviewField): Draft {
  const value = field.value;
  if (field.type === 'boolean') return value === true || value === 'true';
  if (value === null || value === undefined) return '';
  if (field.type === 'json') return typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  return typeof value === 'string'
    ? value
    : typeof value === 'object'
      ? JSON.stringify(value)
      : String(value);
}

/** The value to send for a control's content, or the problem with it (worded after the label). */
export function draftValue(field: ReviewField, draft: Draft): { value: unknown } | { error: string } {
  if (typeof draft === 'boolean') return { value: draft };
  const empty = draft.trim() === '';
  if (empty && field.required) return { error: 'is required' };
  switch (field.type) {
    case 'number': {
      if (empty) return { value: null };
      const n = Number(draft);
      return Number.isFinite(n) ? { value: n } : { error: 'must be a number' };
    }
    case 'json':
      if (empty) return { value: null };
      try {
        return { value: JSON.parse(draft) };
      } catch {
        return { error: 'must be valid JSON' };
      }
    case 'select':
      return { value: empty ? null : draft };
    default:
      return { value: draft };
  }
}

export const fieldLabel = (field: ReviewField) => field.label || field.name;

interface ReviewFieldInputProps {
  field: ReviewField;
  value: Draft;
  onChange: (value: Draft) => void;
  disabled?: boolean;
  /** The problem to show under the control (without the label), e.g. "must be a number". */
  error?: string | null;
}

export function ReviewFieldInput({ field, value, onChange, disabled, error }: ReviewFieldInputProps) {
  const id = useId();
  const label = fieldLabel(field);
  const errorId = `${id}-error`;
  const common = {
    id,
    name: field.name,
    disabled,
    required: field.required,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': error ? errorId : undefined,
    'data-field': field.name,
  } as const;
  const text = typeof value === 'string' ? value : '';

  let control: React.ReactNode;
  switch (field.type) {
    case 'boolean':
      return (
        <div className="field inbox-field">
          <label className="checkbox inbox-switch" htmlFor={id}>
            <input
              {...common}
              type="checkbox"
              checked={value === true}
              onChange={(e) => onChange(e.target.checked)}
            />
            {label}
          </label>
          {error ? (
            <p id={errorId} className="inbox-error-text">
              {label} {error}
            </p>
          ) : null}
        </div>
      );
    case 'long-text':
      control = <textarea {...common} rows={6} value={text} onChange={(e) => onChange(e.target.value)} />;
      break;
    case 'json':
      control = (
        <textarea
          {...common}
          className="inbox-json"
          rows={6}
          spellCheck={false}
          value={text}
          onChange={(e) => onChange(e.target.value)}
        />
      );
      break;
    case 'number':
      control = (
        <input
          {...common}
          type="number"
          step="any"
          inputMode="decimal"
          value={text}
          onChange={(e) => onChange(e.target.value)}
        />
      );
      break;
    case 'select': {
      const options = field.options ?? [];
      const offList = text !== '' && !options.includes(text);
      control = (
        <select {...common} value={text} onChange={(e) => onChange(e.target.value)}>
          {text === '' || !field.required ? (
            <option value="">{field.required ? 'Choose…' : '(none)'}</option>
          ) : null}
          {offList ? <option value={text}>{text} (not a choice)</option> : null}
          {options.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      );
      break;
    }
    default:
      control = (
        <input
          {...common}
          type="text"
          maxLength={2000}
          value={text}
          onChange={(e) => onChange(e.target.value)}
        />
      );
  }
  return (
    <div className="field inbox-field">
      <label htmlFor={id}>
        {label}
        {field.required ? <span className="inbox-required"> (required)</span> : null}
        {field.type === 'json' ? <span className="muted"> (JSON)</span> : null}
      </label>
      {control}
      {error ? (
        <p id={errorId} className="inbox-error-text">
          {label} {error}
        </p>
      ) : null}
    </div>
  );
}
