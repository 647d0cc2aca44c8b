// The frame of one form field: a label bound to the control, help text and problems the control
// announces through aria-describedby, and a data-path so a problems list can focus the field.
// A field of several controls (FieldGroup) gets the same frame as a fieldset with a legend.
'use client';

import type { ReactNode, Ref } from 'react';
import { displayValue } from './field-labels';
import type { FieldModel } from './field-model';
import { type Path, partId, pathAttr } from './value-path';

/** An aria-describedby value from the ids that apply (falsy ones are left out); none: no attribute. */
export function joinIds(...ids: (string | false | null | undefined)[]): string | undefined {
  return ids.filter(Boolean).join(' ') || undefined;
}

/** The ids a control lists in aria-describedby: its help, its problems, and any extra ids. */
export function describedBy(
  id: string,
  hint: ReactNode,
  errors: readonly string[],
  ...extra: (string | false | undefined)[]
): string | undefined {
  return joinIds(hint ? partId(id, 'hint') : '', errors.length > 0 ? partId(id, 'error') : '', ...extra);
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

/**
 * A problem a control finds by itself before the server sees the value (JSON that does not parse, a
 * number out of range, a duplicate name); the control lists `id` in its aria-describedby.
 */
export function InlineProblem({ id, children }: { id: string; children: ReactNode }) {
  return (
    <p id={id} className="nf-error-text">
      {children}
    </p>
  );
}

/**
 * What follows a field's control or legend: its help text and its problems, under the ids that
 * describedBy() lists, so the control announces exactly what is shown.
 */
export function FieldNotes({
  id,
  hint,
  errors,
}: {
  id: string;
  hint?: ReactNode;
  errors: readonly string[];
}) {
  return (
    <>
      {hint ? (
        <p id={partId(id, 'hint')} className="hint">
          {hint}
        </p>
      ) : null}
      <FieldErrors id={partId(id, 'error')} errors={errors} />
    </>
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

/** What the frame of a field shows around its control(s): its name, help and problems. */
export interface FrameProps {
  /** The control's id (a group's: the one its help and problems are named after). */
  id: string;
  label: string;
  /** Where the value sits in the config; the problems list finds the field by it. */
  path: Path;
  hint?: ReactNode;
  errors?: readonly string[];
  required?: boolean;
}

interface FieldShellProps extends FrameProps {
  /** The label is read by screen readers only. */
  labelHidden?: boolean;
  className?: string;
  children: ReactNode;
}

export function FieldShell({ labelHidden, className, children, ...frame }: FieldShellProps) {
  const { id, label, path, hint, errors = [], required } = frame;
  return (
    <div className={['nf-field', className].filter(Boolean).join(' ')} data-path={pathAttr(path)}>
      <label htmlFor={id} className={labelHidden ? 'sr-only' : undefined}>
        {label}
        <RequiredMark required={required} />
      </label>
      {children}
      <FieldNotes id={id} hint={hint} errors={errors} />
    </div>
  );
}

interface FieldGroupProps extends FrameProps {
  /** Classes besides nf-group. */
  className?: string;
  ref?: Ref<HTMLFieldSetElement>;
  children: ReactNode;
}

/**
 * The frame of a field made of several controls (an object, a list, a record): a fieldset named by
 * its legend, describing itself with the group's help and problems. The legend always shows.
 */
export function FieldGroup({ className, ref, children, ...frame }: FieldGroupProps) {
  const { id, label, path, hint, errors = [], required } = frame;
  return (
    <fieldset
      ref={ref}
      className={['nf-group', className].filter(Boolean).join(' ')}
      data-path={pathAttr(path)}
      aria-describedby={describedBy(id, hint, errors)}
    >
      <legend>
        {label}
        <RequiredMark required={required} />
      </legend>
      <FieldNotes id={id} hint={hint} errors={errors} />
      {children}
    </fieldset>
  );
}
