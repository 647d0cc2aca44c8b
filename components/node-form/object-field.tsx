// Structured fields: objects with fixed properties (a fieldset, or a switch for an optional group),
// discriminated unions (a variant select plus that variant's fields), and other unions (a kind
// select plus the editor of the chosen kind).
'use client';

import { useState } from 'react';
import { fits, initialValue, switchVariant, unionIndexOf, variantIndexOf } from './field-defaults';
import { useFieldFrame } from './field-frame';
import { humanise } from './field-labels';
import type { ObjectModel, UnionModel, VariantsModel } from './field-model';
import { describedBy, FieldErrors, FieldGroup, FieldShell, hintFor, RequiredMark } from './field-shell';
import { useFieldErrors, useFormContext } from './form-context';
import { type FieldProps, SchemaField } from './schema-field';
import { SwitchField } from './switch-field';
import { childId, type Path, partId, pathAttr, setAtPath } from './value-path';

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

interface PropertiesProps {
  model: ObjectModel;
  path: Path;
  id: string;
  value: unknown;
  onChange(next: Record<string, unknown>): void;
}

/** The fields of an object, each writing its own key (other keys, even unknown ones, are kept). */
export function ObjectProperties({ model, path, id, value, onChange }: PropertiesProps) {
  const object = isPlainObject(value) ? value : {};
  return (
    <>
      {model.properties.map((p) => (
        <SchemaField
          key={p.key}
          model={p.model}
          path={[...path, p.key]}
          id={childId(id, p.key)}
          label={p.label}
          required={p.required}
          value={object[p.key]}
          onChange={(next) => onChange(setAtPath(object, [p.key], next) as Record<string, unknown>)}
        />
      ))}
    </>
  );
}

export function ObjectField(props: FieldProps<ObjectModel>) {
  const { model, path, id, label, required, value, onChange, bare } = props;
  const frame = useFieldFrame(props);
  const present = isPlainObject(value);
  const current = present ? value : isPlainObject(model.default) ? model.default : {};
  const body = <ObjectProperties model={model} path={path} id={id} value={current} onChange={onChange} />;
  if (bare) return body;
  // An optional group with no default is off until switched on (e.g. an LLM's memory).
  if (!required && !model.hasDefault) {
    return (
      <div className="nf-optional" data-path={pathAttr(path)}>
        <SwitchField
          id={partId(id, 'enabled')}
          label={label}
          checked={present}
          hint={frame.hint}
          errors={frame.errors}
          readOnly={frame.readOnly}
          onChange={(on) => onChange(on ? initialValue({ ...model, hasDefault: false }) : undefined)}
        />
        {present ? (
          <fieldset className="nf-group nf-group-nested" aria-label={label}>
            {body}
          </fieldset>
        ) : null}
      </div>
    );
  }
  return <FieldGroup {...frame.group}>{body}</FieldGroup>;
}

const NOT_SET = '';

export function VariantsField(props: FieldProps<VariantsModel>) {
  const { model, path, id, required, value, onChange, bare } = props;
  const frame = useFieldFrame(props);
  const current = isPlainObject(value) ? value : isPlainObject(model.default) ? model.default : undefined;
  const index = current ? variantIndexOf(model, current) : -1;
  const variant = model.variants[index];
  const selectPath = [...path, model.discriminator];
  const selectId = childId(id, model.discriminator);
  const selectErrors = useFieldErrors(selectPath);
  const selectHint = variant?.description;
  const canUnset = !required && !model.hasDefault;

  const body = (
    <>
      <FieldShell
        id={selectId}
        label={humanise(model.discriminator)}
        path={selectPath}
        hint={selectHint}
        errors={selectErrors}
        required={!canUnset}
      >
        <select
          id={selectId}
          value={index >= 0 ? String(index) : NOT_SET}
          disabled={frame.readOnly}
          aria-invalid={selectErrors.length > 0 ? true : undefined}
          aria-describedby={describedBy(selectId, selectHint, selectErrors)}
          onChange={(event) => {
            const picked = event.target.value;
            onChange(picked === NOT_SET ? undefined : switchVariant(model, current, Number(picked)));
          }}
        >
          {canUnset || index < 0 ? <option value={NOT_SET}>{canUnset ? 'Not set' : 'Choose…'}</option> : null}
          {model.variants.map((v, i) => (
            <option key={String(v.value)} value={String(i)}>
              {v.label}
            </option>
          ))}
        </select>
      </FieldShell>
      {variant ? (
        <ObjectProperties model={variant.fields} path={path} id={id} value={current} onChange={onChange} />
      ) : null}
    </>
  );
  if (bare) {
    return (
      <>
        <FieldErrors id={partId(id, 'error')} errors={frame.errors} />
        {body}
      </>
    );
  }
  return <FieldGroup {...frame.group}>{body}</FieldGroup>;
}

export function UnionField({ model, path, id, label, required, value, onChange }: FieldProps<UnionModel>) {
  const { readOnly } = useFormContext();
  const hint = hintFor(model);
  // Which kind the builder chose while the value itself cannot tell (nothing entered yet).
  const [picked, setPicked] = useState(0);
  const fitted = value === undefined ? -1 : unionIndexOf(model, value);
  const index = fitted >= 0 ? fitted : picked;
  const option = model.options[index];
  const kindId = partId(id, 'kind');
  return (
    <fieldset className="nf-group nf-union" data-path={pathAttr(path)}>
      <legend>
        {label}
        <RequiredMark required={required} />
      </legend>
      {hint ? <p className="hint">{hint}</p> : null}
      <div className="nf-union-row">
        <div className="nf-field nf-union-kind">
          <label htmlFor={kindId} className="sr-only">
            {label}: kind of value
          </label>
          <select
            id={kindId}
            value={String(index)}
            disabled={readOnly}
            onChange={(event) => {
              const next = Number(event.target.value);
              const chosen = model.options[next];
              setPicked(next);
              if (!chosen || fits(chosen.model, value)) return;
              onChange(required ? initialValue(chosen.model) : undefined);
            }}
          >
            {model.options.map((o, i) => (
              <option key={`${o.label}-${String(i)}`} value={String(i)}>
                {o.label}
              </option>
            ))}
          </select>
        </div>
        {option ? (
          // Errors at the union's path are shown (and announced) by the chosen kind's control.
          <SchemaField
            model={{ ...option.model, description: undefined }}
            path={path}
            id={id}
            label={`${label} (${option.label.toLowerCase()})`}
            labelHidden
            required={required}
            value={fits(option.model, value) ? value : undefined}
            onChange={onChange}
          />
        ) : null}
      </div>
    </fieldset>
  );
}
