// Values the form creates (a new list item, an enabled optional group, a switched variant) and the
// checks that decide which variant or union option an existing value belongs to. Pure.
import type { FieldModel, UnionModel, VariantsModel } from './field-model';

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function clone<T>(value: T): T {
  return value === undefined ? value : structuredClone(value);
}

/**
 * A starting value for a field the builder just added: the schema default when there is one,
 * otherwise the smallest value of the right shape (required properties only, so optional keys
 * stay omitted and their server-side defaults apply).
 */
export function initialValue(model: FieldModel): unknown {
  if (model.hasDefault) return clone(model.default);
  switch (model.kind) {
    case 'string':
    case 'any':
      return '';
    case 'number':
      return model.minimum !== undefined && model.minimum > 0 ? model.minimum : 0;
    case 'boolean':
      return false;
    case 'enum':
      return model.options[0] ?? null;
    case 'const':
      return model.value;
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const p of model.properties) if (p.required) out[p.key] = initialValue(p.model);
      return out;
    }
    case 'record':
    case 'json':
      return {};
    case 'array':
      return Array.from({ length: model.minItems ?? 0 }, () => initialValue(model.items));
    case 'variants':
      return switchVariant(model, undefined, 0);
    case 'union': {
      const [first] = model.options;
      return first ? initialValue(first.model) : null;
    }
    case 'unknown':
      return null;
  }
}

/** Whether a value has the shape a model describes (loosely: enough to pick a union option). */
export function fits(model: FieldModel, value: unknown): boolean {
  switch (model.kind) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && (!model.integer || Number.isInteger(value));
    case 'boolean':
      return typeof value === 'boolean';
    case 'enum':
      return model.options.includes(value as never);
    case 'const':
      return value === model.value;
    case 'object':
    case 'record':
    case 'json':
      return isPlainObject(value);
    case 'array':
      return Array.isArray(value);
    case 'variants':
      return variantIndexOf(model, value) >= 0;
    case 'union':
      return unionIndexOf(model, value) >= 0;
    case 'any':
    case 'unknown':
      return true;
  }
}

/** The variant a value is, by its discriminator; -1 when it matches none. */
export function variantIndexOf(model: VariantsModel, value: unknown): number {
  if (!isPlainObject(value)) return -1;
  const tag = value[model.discriminator];
  return model.variants.findIndex((v) => v.value === tag);
}

/** The union option a value fits first; -1 when none does. */
export function unionIndexOf(model: UnionModel, value: unknown): number {
  return model.options.findIndex((o) => fits(o.model, value));
}

/**
 * The value after the builder picks another variant: the new discriminator, the new variant's
 * required fields, and whatever fields both variants share (a loop's `output` survives a switch
 * from for-each to while).
 */
export function switchVariant(
  model: VariantsModel,
  current: unknown,
  index: number,
): Record<string, unknown> {
  const variant = model.variants[index];
  if (!variant) return {};
  const out: Record<string, unknown> = { [model.discriminator]: variant.value };
  const previous = isPlainObject(current) ? current : {};
  for (const p of variant.fields.properties) {
    if (p.key in previous && fits(p.model, previous[p.key])) out[p.key] = previous[p.key];
    else if (p.required) out[p.key] = initialValue(p.model);
  }
  return out;
}
