// Free values. An "any" field (a condition operand, an assigned value, an end output) is usually a
// literal text or a `{{reference}}`, sometimes a number, list or object: it is edited as text with
// reference autocomplete, or switched to JSON. 'json' and 'unknown' fields are JSON only.
'use client';

import { useState } from 'react';
import { CodeField } from './code-field';
import { useFieldFrame } from './field-frame';
import type { AnyModel, JsonModel, UnknownModel } from './field-model';
import { FieldShell } from './field-shell';
import { JsonTextarea } from './json-textarea';
import type { FieldProps } from './schema-field';
import { partId } from './value-path';

type Mode = 'text' | 'json';

export function AnyValueField(props: FieldProps<AnyModel>) {
  const { id, label, required, value, onChange } = props;
  const frame = useFieldFrame(props);
  const { readOnly } = frame;
  const [chosen, setChosen] = useState<Mode>(() =>
    value === undefined || typeof value === 'string' ? 'text' : 'json',
  );
  // Only text can be edited as text; anything else shows as JSON whatever was chosen.
  const mode: Mode = value !== undefined && typeof value !== 'string' ? 'json' : chosen;
  const modeId = partId(id, 'mode');

  const switchTo = (next: Mode) => {
    setChosen(next);
    if (next === 'json' && typeof value === 'string') {
      // "42" or "true" typed as text become the number or boolean they spell.
      try {
        onChange(JSON.parse(value));
      } catch {
        // Not JSON: it stays a string, shown quoted.
      }
    } else if (next === 'text' && value !== undefined && typeof value !== 'string') {
      onChange(JSON.stringify(value));
    }
  };

  return (
    <FieldShell {...frame.shell}>
      <div className="nf-any">
        <label htmlFor={modeId} className="sr-only">
          {label}: value type
        </label>
        <select
          id={modeId}
          className="nf-any-mode"
          value={mode}
          disabled={readOnly}
          onChange={(event) => switchTo(event.target.value as Mode)}
        >
          <option value="text">Text</option>
          <option value="json">JSON</option>
        </select>
        <div className="nf-any-value">
          {mode === 'text' ? (
            <CodeField
              id={id}
              variant="line"
              value={typeof value === 'string' ? value : ''}
              onChange={(next) => onChange(next === '' && !required ? undefined : next)}
              references={frame.references}
              secretNames={frame.secretNames}
              label={label}
              showVariables
              showSecrets={false}
              readOnly={readOnly}
              required={required}
              invalid={frame.invalid}
              describedBy={frame.describedBy}
            />
          ) : (
            <JsonTextarea
              id={id}
              rows={3}
              value={value}
              onChange={onChange}
              readOnly={readOnly}
              required={required}
              invalid={frame.invalid}
              describedBy={frame.describedBy}
              placeholder='e.g. 42, true, ["a", "b"] or {"key": "value"}'
            />
          )}
        </div>
      </div>
    </FieldShell>
  );
}

export function JsonField(props: FieldProps<JsonModel | UnknownModel>) {
  const { model, id, label, required, value, onChange } = props;
  const frame = useFieldFrame(props);
  return (
    <FieldShell {...frame.shell} label={`${label} (JSON)`}>
      <JsonTextarea
        id={id}
        rows={model.kind === 'json' ? 6 : 4}
        value={value === undefined && model.hasDefault ? model.default : value}
        onChange={onChange}
        readOnly={frame.readOnly}
        required={required}
        invalid={frame.invalid}
        describedBy={frame.describedBy}
      />
    </FieldShell>
  );
}
