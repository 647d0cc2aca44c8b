// The field model of a generated config form: what each JSON Schema shape becomes (see
// schema-model.ts, which builds it) and what the field components render. Types only.

export type JsonSchema = Record<string, unknown>;
export type Scalar = string | number | boolean | null;
/** line: one-line input; prompt: multi-line text with references; code: monospace, Tab indents. */
export type StringWidget = 'line' | 'prompt' | 'code';

export interface FieldBase {
  title?: string;
  description?: string;
  /** The schema's default; `hasDefault` tells "no default" apart from a default of undefined. */
  default?: unknown;
  hasDefault: boolean;
}

export interface StringModel extends FieldBase {
  kind: 'string';
  widget: StringWidget;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  /** Offer the "Insert variable" button (the `{{` autocomplete works in every text field). */
  references: boolean;
  /** Offer the "Secret" button. */
  secrets: boolean;
}
export interface NumberModel extends FieldBase {
  kind: 'number';
  integer: boolean;
  minimum?: number;
  maximum?: number;
}
export interface BooleanModel extends FieldBase {
  kind: 'boolean';
}
export interface EnumModel extends FieldBase {
  kind: 'enum';
  options: Scalar[];
}
export interface ConstModel extends FieldBase {
  kind: 'const';
  value: Scalar;
}
export interface PropertyModel {
  key: string;
  label: string;
  required: boolean;
  model: FieldModel;
}
export interface ObjectModel extends FieldBase {
  kind: 'object';
  properties: PropertyModel[];
}
/** An object with free keys (`additionalProperties`): headers, outputs, named inputs. */
export interface RecordModel extends FieldBase {
  kind: 'record';
  values: FieldModel;
}
export interface ArrayModel extends FieldBase {
  kind: 'array';
  items: FieldModel;
  minItems?: number;
  maxItems?: number;
}
export interface VariantModel {
  value: Scalar;
  label: string;
  description?: string;
  /** The variant's other properties (the discriminator is edited by the variant select). */
  fields: ObjectModel;
}
/** oneOf / anyOf of objects told apart by a property with a const value (e.g. auth `type`). */
export interface VariantsModel extends FieldBase {
  kind: 'variants';
  discriminator: string;
  variants: VariantModel[];
}
export interface UnionOption {
  label: string;
  model: FieldModel;
}
/** Any other oneOf / anyOf (e.g. "a number or a {{reference}}"): the builder picks the kind. */
export interface UnionModel extends FieldBase {
  kind: 'union';
  options: UnionOption[];
}
/** `{}`: any JSON value, usually a literal or a `{{reference}}`. */
export interface AnyModel extends FieldBase {
  kind: 'any';
}
/** A value best written as JSON (a free-form object such as a JSON Schema). */
export interface JsonModel extends FieldBase {
  kind: 'json';
}
/** A shape the form does not know; edited as JSON. */
export interface UnknownModel extends FieldBase {
  kind: 'unknown';
  reason: string;
}

export type FieldModel =
  | StringModel
  | NumberModel
  | BooleanModel
  | EnumModel
  | ConstModel
  | ObjectModel
  | RecordModel
  | ArrayModel
  | VariantsModel
  | UnionModel
  | AnyModel
  | JsonModel
  | UnknownModel;
