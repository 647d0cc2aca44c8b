// What every field of a config form needs besides its own value: the references and secrets it may
// insert, whether the form is read-only, and the server's problems placed on fields (by pathKey).
'use client';

import { createContext, useContext } from 'react';
import type { ReferenceOption } from './reference-trigger';
import { type Path, pathKey } from './value-path';

export interface FormContextValue {
  references: ReferenceOption[];
  secretNames: string[];
  readOnly: boolean;
  errors: Map<string, string[]>;
}

export const FormContext = createContext<FormContextValue>({
  references: [],
  secretNames: [],
  readOnly: false,
  errors: new Map(),
});

export function useFormContext(): FormContextValue {
  return useContext(FormContext);
}

const NONE: string[] = [];

/** The problems shown on the field at `path`. */
export function useFieldErrors(path: Path): string[] {
  return useContext(FormContext).errors.get(pathKey(path)) ?? NONE;
}
