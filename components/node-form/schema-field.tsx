// One field of a generated config form, chosen by its field model: the scalar editors live here,
// containers (objects, variants, unions, lists, records) and free values in their own modules.
'use client';

import { AnyValueField, JsonField } from './any-value-field';
import { ArrayField } from './array-field';
import { CodeField } from './code-field';
import { useFieldFrame } from './field-frame';
import { displayValue } from './field-labels';
import type {
  BooleanModel,
  ConstModel,
  EnumModel,
  FieldModel,
  NumberModel,
  StringModel,
} from './field-model';
import { FieldShell } from './field-shell';
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

function StringField(props: FieldProps<StringModel>) {
  const { model, id, label, required, value, onChange } = props;
  const frame = useFieldFrame(props);
  const text =
    typeof value === 'string' ? value : value === undefined || value === null ? '' : displayValue(value);
  return (
    <FieldShell {...frame.shell}>
      <CodeField
        id={id}
        value={text}
        // An optional text left empty is omitted, so the node's own default (or "none") applies.
        onChange={(next) => onChange(next === '' && !required ? undefined : next)}
        references={frame.references}
        secretNames={frame.secretNames}
        variant={model.widget}
        label={label}
        showVariables={model.widget !== 'line' || model.references}
        showSecrets={model.widget !== 'line' || model.secrets}
        readOnly={frame.readOnly}
        required={required}
        invalid={frame.invalid}
        describedBy={frame.describedBy}
        placeholder={model.hasDefault && typeof model.default === 'string' ? model.default : undefined}
      />
    </FieldShell>
  );
}

function NumberField(props: FieldProps<NumberModel>) {
  const { model, id, required, value, onChange } = props;
  const frame = useFieldFrame(props);
  return (
    <FieldShell {...frame.shell}>
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
        readOnly={frame.readOnly}
        required={required}
        invalid={frame.invalid}
        describedBy={frame.describedBy}
      />
    </FieldShell>
  );
}

function BooleanField(props: FieldProps<BooleanModel>) {
  const { model, path, id, label, value, onChange } = props;
  const { readOnly, errors, hint } = useFieldFrame(props);
  const checked = typeof value === 'boolean' ? value : model.default === true;
  return (
    <SwitchField
      id={id}
      label={label}
      checked={checked}
      onChange={onChange}
      hint={hint}
      errors={errors}
      path={path}
      readOnly={readOnly}
    />
  );
}

const NOT_SET = '';
const CURRENT = 'current';

function EnumField(props: FieldProps<EnumModel>) {
  const { model, id, required, value, onChange } = props;
  const frame = useFieldFrame(props);
  const shown = value === undefined ? model.default : value;
  const index = model.options.indexOf(shown as never);
  // A value the schema does not allow (an old or imported config) stays visible until changed.
  const foreign = shown !== undefined && index < 0;
  const canUnset = !required && !model.hasDefault;
  return (
    <FieldShell {...frame.shell}>
      <select
        id={id}
        value={foreign ? CURRENT : index >= 0 ? String(index) : NOT_SET}
        disabled={frame.readOnly}
        aria-required={required || undefined}
        aria-invalid={frame.invalid || foreign ? true : undefined}
        aria-describedby={frame.describedBy}
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

function ConstField(props: FieldProps<ConstModel>) {
  const { model, id, value, onChange } = props;
  const frame = useFieldFrame(props);
  return (
    // Unlike the other fields, a fixed value never shows a required mark or hides its label.
    <FieldShell {...frame.shell} required={false} labelHidden={false}>
      <input
        id={id}
        type="text"
        readOnly
        value={displayValue(value ?? model.value)}
        aria-describedby={frame.describedBy}
        // A fixed value missing from the config is filled in the first time the field is touched.
        onFocus={() => {
          if (value === undefined) onChange(model.value);
        }}
      />
    </FieldShell>
  );
}
