// Labelled form controls: the label is bound to its input, and hints and errors are announced.
'use client';

import {
  type InputHTMLAttributes,
  type ReactNode,
  type SelectHTMLAttributes,
  type TextareaHTMLAttributes,
  useId,
} from 'react';

interface FieldBase {
  label: string;
  hint?: ReactNode;
  invalid?: boolean;
}

function FieldFrame({ id, label, hint, children }: FieldBase & { id: string; children: ReactNode }) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children}
      {hint ? (
        <p id={`${id}-hint`} className="hint">
          {hint}
        </p>
      ) : null}
    </div>
  );
}

function a11yProps(id: string, hint: ReactNode, invalid: boolean | undefined) {
  return {
    id,
    'aria-invalid': invalid ? true : undefined,
    'aria-describedby': hint ? `${id}-hint` : undefined,
  };
}

export function TextField({
  label,
  hint,
  invalid,
  id,
  ...input
}: FieldBase & InputHTMLAttributes<HTMLInputElement>) {
  const autoId = useId();
  const inputId = id ?? autoId;
  return (
    <FieldFrame id={inputId} label={label} hint={hint}>
      <input {...input} {...a11yProps(inputId, hint, invalid)} />
    </FieldFrame>
  );
}

export function TextAreaField({
  label,
  hint,
  invalid,
  id,
  ...input
}: FieldBase & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  const autoId = useId();
  const inputId = id ?? autoId;
  return (
    <FieldFrame id={inputId} label={label} hint={hint}>
      <textarea {...input} {...a11yProps(inputId, hint, invalid)} />
    </FieldFrame>
  );
}

export function SelectField({
  label,
  hint,
  invalid,
  id,
  children,
  ...select
}: FieldBase & SelectHTMLAttributes<HTMLSelectElement>) {
  const autoId = useId();
  const inputId = id ?? autoId;
  return (
    <FieldFrame id={inputId} label={label} hint={hint}>
      <select {...select} {...a11yProps(inputId, hint, invalid)}>
        {children}
      </select>
    </FieldFrame>
  );
}
