// What a schema field computes before rendering its control(s): the form's state, the problems
// placed on its path, its help text, and from those the control's ARIA values and the props of its
// FieldShell or FieldGroup. One hook, so every field wires label, help, problems and
// aria-describedby the same way. (A union shows no frame of its own: its chosen member does.)
'use client';

import type { ReactNode } from 'react';
import type { FieldModel } from './field-model';
import { describedBy, type FrameProps, hintFor } from './field-shell';
import { useFieldErrors, useFormContext } from './form-context';
import type { ReferenceOption } from './reference-trigger';
import type { FieldProps } from './schema-field';

/** The FieldShell props of a single control; a FieldGroup takes `group` (its legend always shows). */
export interface ShellFrame extends FrameProps {
  labelHidden: boolean | undefined;
}

export interface FieldFrame {
  readOnly: boolean;
  references: ReferenceOption[];
  secretNames: string[];
  /** The server's problems at the field's path. */
  errors: readonly string[];
  hint: ReactNode;
  /** aria-describedby of the field's control: the ids of the help and problems the frame shows. */
  describedBy: string | undefined;
  /** aria-invalid of the control, as far as the server's problems tell. */
  invalid: boolean;
  shell: ShellFrame;
  group: FrameProps;
}

type FramedProps = Pick<
  FieldProps<FieldModel>,
  'model' | 'path' | 'id' | 'label' | 'required' | 'labelHidden'
>;

/** The frame of the field with these props (pass the field's own props). */
export function useFieldFrame({ model, path, id, label, required, labelHidden }: FramedProps): FieldFrame {
  const { readOnly, references, secretNames } = useFormContext();
  const errors = useFieldErrors(path);
  const hint = hintFor(model);
  const group: FrameProps = { id, label, path, hint, errors, required };
  return {
    readOnly,
    references,
    secretNames,
    errors,
    hint,
    describedBy: describedBy(id, hint, errors),
    invalid: errors.length > 0,
    shell: { ...group, labelHidden },
    group,
  };
}
