// A yes/no setting as a switch (a checkbox with role="switch"), its label beside it.
'use client';

import type { ReactNode } from 'react';
import { describedBy, FieldNotes } from './field-shell';
import { type Path, pathAttr } from './value-path';

interface SwitchFieldProps {
  id: string;
  label: string;
  checked: boolean;
  onChange(next: boolean): void;
  hint?: ReactNode;
  errors?: readonly string[];
  /** Where the setting sits in the config; omit when the switch is not a config field of its own. */
  path?: Path;
  readOnly?: boolean;
}

export function SwitchField({
  id,
  label,
  checked,
  onChange,
  hint,
  errors = [],
  path,
  readOnly,
}: SwitchFieldProps) {
  return (
    <div className="nf-field nf-switch" data-path={path ? pathAttr(path) : undefined}>
      <div className="nf-switch-row">
        <input
          id={id}
          type="checkbox"
          role="switch"
          checked={checked}
          aria-checked={checked}
          // Checkboxes have no read-only state; disabled keeps the value visible and unchangeable.
          disabled={readOnly}
          aria-invalid={errors.length > 0 ? true : undefined}
          aria-describedby={describedBy(id, hint, errors)}
          onChange={(event) => onChange(event.target.checked)}
        />
        <label htmlFor={id}>{label}</label>
      </div>
      <FieldNotes id={id} hint={hint} errors={errors} />
    </div>
  );
}
