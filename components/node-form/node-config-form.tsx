// A node's settings form, generated from its config's JSON Schema (as the server serves it): each
// property gets the editor its shape calls for, server problems appear next to their fields, and
// every change hands the whole new config to onChange.
'use client';

import { useMemo } from 'react';
import { placeErrors } from './error-placement';
import { FieldErrors } from './field-shell';
import { FormContext, type FormContextValue } from './form-context';
import type { ReferenceOption } from './reference-trigger';
import { SchemaField } from './schema-field';
import { buildFieldModel } from './schema-model';
import { partId, pathKey } from './value-path';

export type { ReferenceOption } from './reference-trigger';

export interface NodeConfigFormProps {
  /** JSON Schema (2020-12) of the config, e.g. NodeTypeInfo.configSchema. */
  schema: Record<string, unknown>;
  value: Record<string, unknown>;
  onChange(next: Record<string, unknown>): void;
  /** Prefix of every DOM id in the form; unique on the page. */
  idPrefix: string;
  /** What `{{` offers: outputs of upstream nodes and start inputs. */
  references: ReferenceOption[];
  secretNames: string[];
  readOnly?: boolean;
  /** Validation problems, paths relative to the config. */
  errors?: { path: (string | number)[]; message: string }[];
}

const NO_ERRORS: NonNullable<NodeConfigFormProps['errors']> = [];

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function NodeConfigForm(props: NodeConfigFormProps) {
  const { schema, value, onChange, idPrefix, references, secretNames, readOnly, errors = NO_ERRORS } = props;
  const model = useMemo(() => buildFieldModel(schema), [schema]);
  const placed = useMemo(() => placeErrors(model, value, errors), [model, value, errors]);
  const context = useMemo<FormContextValue>(
    () => ({ references, secretNames, readOnly: readOnly === true, errors: placed }),
    [references, secretNames, readOnly, placed],
  );
  // Object roots list their fields directly under the inspector's heading; other roots (a union of
  // modes, or a schema the form cannot read) are one field labelled "Settings".
  const bare = model.kind === 'object' || model.kind === 'variants';
  // Problems about the whole config: variants show them above their select, other roots here.
  const rootErrors = model.kind === 'object' ? (placed.get(pathKey([])) ?? []) : [];

  return (
    <FormContext value={context}>
      <div className="nf-form" data-path="">
        <FieldErrors id={partId(idPrefix, 'error')} errors={rootErrors} />
        {model.kind === 'object' && model.properties.length === 0 ? (
          <p className="muted">This node has no settings.</p>
        ) : (
          <SchemaField
            model={model}
            path={[]}
            id={idPrefix}
            label="Settings"
            required
            bare={bare}
            value={value}
            onChange={(next) => onChange(isPlainObject(next) ? next : {})}
          />
        )}
      </div>
    </FormContext>
  );
}
