// One field of a generated config form, chosen by its field model: the scalar editors live here,
// containers (objects, variants, unions, lists, records) and free values in their own modules.
'use client';

import { AnyValueField, JsonField } from './any-value-field';
import { ArrayField } from './array-field';
import { CodeField } from './code-field';
import { displayValue } from './field-labels';
import type {
  BooleanModel,
  ConstModel,
  EnumModel,
  FieldModel,
  NumberModel,
  StringModel,
} from './field-model';
import { describedBy, FieldShell, hintFor } from './field-shell';
import { useFieldErrors, useFormContext } from './form-context';
import { NumberInput } from './number-input';
import { ObjectField, UnionField, VariantsField } from './object-field';
import { RecordField } from './record-field';
import { SwitchField } from './switch-field';
import type { Path } from './value-path';

export interface FieldProps<M extends FieldModel = FieldModel> {
  model: M;
  /** Where the value sits in the config (errors are looked up by it). */
  path: Path;
  /** DOM id of the field's control; containers derive their children's ids from it. */
  id: string;
  label: string;
  required: boolean;
  value: unknown;
  /** The field's new value; undefined omits the key. */
  onChange(next: unknown): void;
  /** The label is read by screen readers only (list rows, union members). */
  labelHidden?: boolean;
  /** Render an object's or variant's fields without their own fieldset (the form root, list items). */
  bare?: boolean;
}

export function SchemaField(props: FieldProps) {
  const { model } = props;
  switch (model.kind) {
    case 'string':
      return <StringField {...props} model={model} />;
    case 'number':
      return <NumberField {...props} model={model} />;
    case 'boolean':
      return <BooleanField {...props} model={model} />;
    case 'enum':
      return <EnumField {...props} model={model} />;
    case 'const':
      return <ConstField {...props} model={model} />;
    case 'object':
      return <ObjectField {...props} model={model} />;
    case 'variants':
      return <VariantsField {...props} model={model} />;
    case 'union':
      return <UnionField {...props} model={model} />;
    case 'array':
      return <ArrayField {...props} model={model} />;
    case 'record':
      return <RecordField {...props} model={model} />;
    case 'any':
      return <AnyValueField {...props} model={model} />;
    case 'json':
    case 'unknown':
      return <JsonField {...props} model={model} />;
  }
}

function StringField({
  model,
  path,
  id,
  label,
  required,
  value,
  onChange,
  labelHidden,
}: FieldProps<StringModel>) {
  const { references, secretNames, readOnly } = useFormContext();
  const errors = useFieldErrors(path);
  const hint = hintFor(model);
  const text =
    typeof value === 'string' ? value : value === undefined || value === null ? '' : displayValue(value);
  return (
    <FieldShell
      id={id}
      label={label}
      path={path}
      hint={hint}
      errors={errors}
      required={required}
      labelHidden={labelHidden}
    >
      <CodeField
        id={id}
        value={text}
        // An optional text left empty is omitted, so the node's own default (or "none") applies.
        onChange={(next) => onChange(next === '' && !required ? undefined : next)}
        references={references}
        secretNames={secretNames}
        variant={model.widget}
        label={label}
        showVariables={model.widget !== 'line' || model.references}
        showSecrets={model.widget !== 'line' || model.secrets}
        readOnly={readOnly}
        required={required}
        invalid={errors.length > 0}
        describedBy={describedBy(id, hint, errors)}
        placeholder={model.hasDefault && typeof model.default === 'string' ? model.default : undefined}
      />
    </FieldShell>
  );
}

function NumberField({
  model,
  path,
  id,
  label,
  required,
  value,
  onChange,
  labelHidden,
}: FieldProps<NumberModel>) {
  const { readOnly } = useFormContext();
  const errors = useFieldErrors(path);
  const hint = hintFor(model);
  return (
    <FieldShell
      id={id}
      label={label}
      path={path}
      hint={hint}
      errors={errors}
      required={required}
      labelHidden={labelHidden}
    >
      <NumberInput
        id={id}
        value={typeof value === 'number' ? value : undefined}
        onChange={onChange}
        integer={model.integer}
        min={model.minimum}
        max={model.maximum}
        placeholder={
          model.hasDefault && typeof model.default === 'number' ? String(model.default) : undefined
        }
        readOnly={readOnly}
        required={required}
        invalid={errors.length > 0}
        describedBy={describedBy(id, hint, errors)}
      />
    </FieldShell>
  );
}

function BooleanField({ model, path, id, label, value, onChange }: FieldProps<BooleanModel>) {
  const { readOnly } = useFormContext();
  const errors = useFieldErrors(path);
  const checked = typeof value === 'boolean' ? value : model.default === true;
  return (
    <SwitchField
      id={id}
      label={label}
      checked={checked}
      onChange={onChange}
      hint={hintFor(model)}
      errors={errors}
      path={path}
      readOnly={readOnly}
    />
  );
}

const NOT_SET = '';
const CURRENT = 'current';

function EnumField({
  model,
  path,
  id,
  label,
  required,
  value,
  onChange,
  labelHidden,
}: FieldProps<EnumModel>) {
  const { readOnly } = useFormContext();
  const errors = useFieldErrors(path);
  const hint = hintFor(model);
  const shown = value === undefined ? model.default : value;
  const index = model.options.indexOf(shown as never);
  // A value the schema does not allow (an old or imported config) stays visible until changed.
  const foreign = shown !== undefined && index < 0;
  const canUnset = !required && !model.hasDefault;
  return (
    <FieldShell
      id={id}
      label={label}
      path={path}
      hint={hint}
      errors={errors}
      required={required}
      labelHidden={labelHidden}
    >
      <select
        id={id}
        value={foreign ? CURRENT : index >= 0 ? String(index) : NOT_SET}
        disabled={readOnly}
        aria-required={required || undefined}
        aria-invalid={errors.length > 0 || foreign ? true : undefined}
        aria-describedby={describedBy(id, hint, errors)}
        onChange={(event) => {
          const picked = event.target.value;
          if (picked === CURRENT) return;
          onChange(picked === NOT_SET ? undefined : model.options[Number(picked)]);
        }}
      >
        {canUnset || (index < 0 && !foreign) ? (
          <option value={NOT_SET}>{canUnset ? 'Not set' : 'Choose…'}</option>
        ) : null}
        {foreign ? <option value={CURRENT}>{displayValue(shown)} (not allowed)</option> : null}
        {model.options.map((option, i) => (
          <option key={String(option)} value={String(i)}>
            {displayValue(option)}
            {model.hasDefault && option === model.default ? ' (default)' : ''}
          </option>
        ))}
      </select>
    </FieldShell>
  );
}

function ConstField({ model, path, id, label, value, onChange }: FieldProps<ConstModel>) {
  const errors = useFieldErrors(path);
  const hint = hintFor(model);
  return (
    <FieldShell id={id} label={label} path={path} hint={hint} errors={errors}>
      <input
        id={id}
        type="text"
        readOnly
        value={displayValue(value ?? model.value)}
        aria-describedby={describedBy(id, hint, errors)}
        // A fixed value missing from the config is filled in the first time the field is touched.
        onFocus={() => {
          if (value === undefined) onChange(model.value);
        }}
      />
    </FieldShell>
  );
}
