// The frame of one form field: a label bound to the control, help text and problems the control
// announces through aria-describedby, and a data-path so a problems list can focus the field.
'use client';

import type { ReactNode } from 'react';
import { displayValue } from './field-labels';
import type { FieldModel } from './field-model';
import { type Path, partId, pathAttr } from './value-path';

/** The ids a control lists in aria-describedby: its help, its problems, and any extra ids. */
export function describedBy(
  id: string,
  hint: ReactNode,
  errors: readonly string[],
  ...extra: (string | false | undefined)[]
): string | undefined {
  const ids = [hint ? partId(id, 'hint') : '', errors.length > 0 ? partId(id, 'error') : '', ...extra].filter(
    Boolean,
  );
  return ids.length > 0 ? ids.join(' ') : undefined;
}

/** Help text of a field: the schema's description, and its default where the control cannot show it. */
export function hintFor(model: FieldModel): ReactNode {
  const showDefault =
    model.hasDefault && model.default !== undefined && (model.kind === 'string' || model.kind === 'number');
  if (!model.description && !showDefault) return null;
  return (
    <>
      {model.description}
      {showDefault ? <span className="nf-default">Default: {displayValue(model.default)}</span> : null}
    </>
  );
}

export function FieldErrors({ id, errors }: { id: string; errors: readonly string[] }) {
  if (errors.length === 0) return null;
  return (
    <div id={id} className="nf-errors">
      {errors.map((message) => (
        <p key={message}>{message}</p>
      ))}
    </div>
  );
}

export function RequiredMark({ required }: { required?: boolean }) {
  // Screen readers hear aria-required on the control; the star is for sighted users.
  return required ? (
    <span className="nf-required" aria-hidden="true">
      {' '}
      *
    </span>
  ) : null;
}

interface FieldShellProps {
  id: string;
  label: string;
  path: Path;
  hint?: ReactNode;
  errors?: readonly string[];
  required?: boolean;
  labelHidden?: boolean;
  className?: string;
  children: ReactNode;
}

export function FieldShell({
  id,
  label,
  path,
  hint,
  errors = [],
  required,
  labelHidden,
  className,
  children,
}: FieldShellProps) {
  return (
    <div className={['nf-field', className].filter(Boolean).join(' ')} data-path={pathAttr(path)}>
      <label htmlFor={id} className={labelHidden ? 'sr-only' : undefined}>
        {label}
        <RequiredMark required={required} />
      </label>
      {children}
      {hint ? (
        <p id={partId(id, 'hint')} className="hint">
          {hint}
        </p>
      ) : null}
      <FieldErrors id={partId(id, 'error')} errors={errors} />
    </div>
  );
}
