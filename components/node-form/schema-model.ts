// Turns a node config's JSON Schema (2020-12, as zod 4's z.toJSONSchema writes it with io 'input')
// into a field model the config form renders. Pure, so the mapping is unit-tested against every
// real node schema. A shape it cannot map becomes an 'unknown' field, edited as raw JSON rather
// than dropped, so no config is ever uneditable.
import { humanise, singular } from './field-labels';
import type {
  ArrayModel,
  FieldBase,
  FieldModel,
  JsonSchema,
  NumberModel,
  Scalar,
  StringModel,
  StringWidget,
  UnknownModel,
  VariantModel,
} from './field-model';

interface Context {
  root: JsonSchema;
  /** The property (or list) name the schema belongs to: drives labels and widget choice. */
  key?: string;
  /** `$ref`s being expanded, so a recursive schema ends in a JSON field instead of looping. */
  stack: string[];
  /** Set inside records, whose values are usually references even when no description says so. */
  inRecord?: boolean;
}

const isObject = (value: unknown): value is JsonSchema =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const SHAPE_KEYWORDS = [
  'type',
  'properties',
  'additionalProperties',
  'items',
  'prefixItems',
  'enum',
  'const',
  'oneOf',
  'anyOf',
  'allOf',
  '$ref',
  'not',
  'if',
];

/** Builds the field model of a schema; `key` is the property name it sits under, if any. */
export function buildFieldModel(schema: unknown, key?: string): FieldModel {
  const root = isObject(schema) ? schema : {};
  return build(root, { root, key, stack: [] });
}

function baseOf(schema: JsonSchema): FieldBase {
  const base: FieldBase = { hasDefault: 'default' in schema };
  if (typeof schema.title === 'string') base.title = schema.title;
  if (typeof schema.description === 'string') base.description = schema.description;
  if (base.hasDefault) base.default = schema.default;
  return base;
}

function unknownModel(schema: JsonSchema, reason: string): UnknownModel {
  return { ...baseOf(schema), kind: 'unknown', reason };
}

function resolveRef(ref: string, root: JsonSchema): JsonSchema | undefined {
  if (ref === '#') return root;
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = root;
  for (const raw of ref.slice(2).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    node = isObject(node) ? node[seg] : undefined;
  }
  return isObject(node) ? node : undefined;
}

function build(schema: JsonSchema, ctx: Context): FieldModel {
  if (typeof schema.$ref === 'string') {
    const ref = schema.$ref;
    const target = resolveRef(ref, ctx.root);
    if (!target) return unknownModel(schema, `unresolved $ref ${ref}`);
    if (ctx.stack.includes(ref)) return unknownModel(schema, `recursive $ref ${ref}`);
    const { $ref: _ignored, ...rest } = schema;
    // Keywords next to a $ref (description, default) describe this use of the shared schema.
    return build({ ...target, ...rest }, { ...ctx, stack: [...ctx.stack, ref] });
  }
  if (Array.isArray(schema.allOf)) {
    const { allOf, ...rest } = schema;
    const [only] = allOf;
    if (allOf.length === 1 && isObject(only)) return build({ ...only, ...rest }, ctx);
    return unknownModel(schema, 'allOf');
  }
  const base = baseOf(schema);
  if ('const' in schema) return { ...base, kind: 'const', value: schema.const as Scalar };
  if (Array.isArray(schema.enum)) {
    const options = schema.enum.filter((v): v is Scalar => v === null || typeof v !== 'object');
    if (options.length === schema.enum.length && options.length > 0)
      return { ...base, kind: 'enum', options };
    return unknownModel(schema, 'enum of objects');
  }
  const members = Array.isArray(schema.oneOf)
    ? schema.oneOf
    : Array.isArray(schema.anyOf)
      ? schema.anyOf
      : null;
  if (members) return buildUnion(members, schema, ctx);

  const types = (Array.isArray(schema.type) ? schema.type : [schema.type]).filter(
    (t): t is string => typeof t === 'string',
  );
  const real = types.filter((t) => t !== 'null');
  if (real.length > 1) {
    // `type: ['string', 'number']` is a union of the same schema narrowed to each type.
    return buildUnion(
      real.map((type) => ({ ...schema, type })),
      { ...schema, type: undefined },
      ctx,
    );
  }
  const type = real[0] ?? (types.length === 1 ? 'null' : inferType(schema));
  switch (type) {
    case 'string':
      return buildString(schema, base, ctx);
    case 'number':
    case 'integer': {
      const model: NumberModel = { ...base, kind: 'number', integer: type === 'integer' };
      const min = numberOr(schema.minimum, schema.exclusiveMinimum);
      const max = numberOr(schema.maximum, schema.exclusiveMaximum);
      if (min !== undefined) model.minimum = min;
      if (max !== undefined) model.maximum = max;
      return model;
    }
    case 'boolean':
      return { ...base, kind: 'boolean' };
    case 'null':
      return { ...base, kind: 'const', value: null };
    case 'object':
      return buildObject(schema, base, ctx);
    case 'array':
      return buildArray(schema, base, ctx);
    case 'any':
      return { ...base, kind: 'any' };
    default:
      return unknownModel(schema, `type ${String(type)}`);
  }
}

function numberOr(...values: unknown[]): number | undefined {
  return values.find((v): v is number => typeof v === 'number');
}

function inferType(schema: JsonSchema): string {
  if (isObject(schema.properties) || 'additionalProperties' in schema) return 'object';
  if ('items' in schema || 'prefixItems' in schema) return 'array';
  if (!SHAPE_KEYWORDS.some((k) => k in schema)) return 'any';
  return 'unknown';
}

// Property names whose text is long-form and may hold references: shown as a multi-line editor.
const PROMPT_KEYS = new Set([
  'prompt',
  'template',
  'instructions',
  'system',
  'body',
  'text',
  'content',
  'question',
  'message',
]);
const CODE_KEYS = new Set(['code', 'script', 'javascript', 'js', 'python', 'sql']);
// Names that are identifiers or addresses: one line however long they may be.
const LINE_KEYS = new Set(['url', 'uri', 'name', 'id', 'label', 'model', 'title', 'username', 'token']);
// Texts this long are written across lines (prompts, descriptions the model reads).
const LONG_TEXT = 1000;

/** An explicit hint from the schema, e.g. zod `.meta({ widget: 'code' })`. */
function widgetHint(schema: JsonSchema): string | undefined {
  for (const key of ['widget', 'x-widget', 'ui:widget', 'x-weft-widget']) {
    if (typeof schema[key] === 'string') return (schema[key] as string).toLowerCase();
  }
  if (
    typeof schema.contentMediaType === 'string' &&
    /javascript|x-code|x-python/.test(schema.contentMediaType)
  ) {
    return 'code';
  }
  return undefined;
}

export function stringWidget(schema: JsonSchema, key: string | undefined): StringWidget {
  const hint = widgetHint(schema);
  if (hint === 'code') return 'code';
  if (hint === 'prompt' || hint === 'textarea' || hint === 'template' || hint === 'multiline')
    return 'prompt';
  if (hint === 'line' || hint === 'text' || hint === 'input') return 'line';
  const name = (key ?? '').toLowerCase();
  if (CODE_KEYS.has(name)) return 'code';
  if (PROMPT_KEYS.has(name)) return 'prompt';
  if (LINE_KEYS.has(name) || schema.format === 'uri' || schema.format === 'uuid') return 'line';
  const description = typeof schema.description === 'string' ? schema.description : '';
  if (/\b(prompt|template|instructions)\b/i.test(description)) return 'prompt';
  if (typeof schema.maxLength === 'number' && schema.maxLength >= LONG_TEXT) return 'prompt';
  return 'line';
}

function buildString(schema: JsonSchema, base: FieldBase, ctx: Context): StringModel {
  const widget = stringWidget(schema, ctx.key);
  const about = `${ctx.key ?? ''} ${base.description ?? ''}`;
  // A string with a pattern is a name or code ("Field name, used as {{start.name}}"), not a value
  // that could hold a reference, even when its description mentions one.
  const value = typeof schema.pattern !== 'string';
  const model: StringModel = {
    ...base,
    kind: 'string',
    widget,
    references: value && (widget !== 'line' || ctx.inRecord === true || /\{\{|reference/i.test(about)),
    secrets: value && (widget !== 'line' || /secret|token|password|credential|api.?key|header/i.test(about)),
  };
  if (typeof schema.minLength === 'number') model.minLength = schema.minLength;
  if (typeof schema.maxLength === 'number') model.maxLength = schema.maxLength;
  if (typeof schema.pattern === 'string') model.pattern = schema.pattern;
  if (typeof schema.format === 'string') model.format = schema.format;
  return model;
}

const LEADING_KEYS = new Set(['id', 'name']);

function buildObject(schema: JsonSchema, base: FieldBase, ctx: Context): FieldModel {
  const properties = isObject(schema.properties) ? Object.entries(schema.properties) : [];
  const additional = schema.additionalProperties;
  if (properties.length === 0 && additional !== undefined && additional !== false) {
    const values: FieldModel = isObject(additional)
      ? build(additional, { ...ctx, key: ctx.key ? singular(ctx.key) : undefined, inRecord: true })
      : { hasDefault: false, kind: 'any' };
    // A free-form object under a name like `schema` is a document, better written as JSON.
    const isDocument =
      values.kind === 'any' && (ctx.key === 'schema' || /json schema/i.test(base.description ?? ''));
    if (isDocument) return { ...base, kind: 'json' };
    return { ...base, kind: 'record', values };
  }
  if (properties.length === 0) return { ...base, kind: 'json' };
  const required = new Set(Array.isArray(schema.required) ? schema.required : []);
  // What names an item (a case's id, an input's name) comes first, whatever the schema's order.
  const ordered = [
    ...properties.filter(([key]) => LEADING_KEYS.has(key)),
    ...properties.filter(([key]) => !LEADING_KEYS.has(key)),
  ];
  return {
    ...base,
    kind: 'object',
    properties: ordered.map(([key, sub]) => ({
      key,
      label: isObject(sub) && typeof sub.title === 'string' ? sub.title : humanise(key),
      required: required.has(key),
      model: isObject(sub)
        ? build(sub, { ...ctx, key, inRecord: false })
        : { hasDefault: false, kind: 'any' },
    })),
  };
}

function buildArray(schema: JsonSchema, base: FieldBase, ctx: Context): FieldModel {
  if ('prefixItems' in schema) return unknownModel(schema, 'tuple (prefixItems)');
  const itemKey = ctx.key ? singular(ctx.key) : undefined;
  const items: FieldModel = isObject(schema.items)
    ? build(schema.items, { ...ctx, key: itemKey, inRecord: false })
    : { hasDefault: false, kind: 'any' };
  const model: ArrayModel = { ...base, kind: 'array', items };
  if (typeof schema.minItems === 'number') model.minItems = schema.minItems;
  if (typeof schema.maxItems === 'number') model.maxItems = schema.maxItems;
  return model;
}

function resolveMember(member: unknown, ctx: Context): JsonSchema {
  if (!isObject(member)) return {};
  if (typeof member.$ref === 'string') return { ...(resolveRef(member.$ref, ctx.root) ?? {}), ...member };
  return member;
}

function constOf(schema: unknown): { value: Scalar; description?: string } | undefined {
  if (!isObject(schema)) return undefined;
  const description = typeof schema.description === 'string' ? schema.description : undefined;
  if ('const' in schema && (schema.const === null || typeof schema.const !== 'object')) {
    return { value: schema.const as Scalar, description };
  }
  if (Array.isArray(schema.enum) && schema.enum.length === 1) {
    const [only] = schema.enum;
    if (only === null || typeof only !== 'object') return { value: only as Scalar, description };
  }
  return undefined;
}

/** The property every member pins to a distinct constant, if there is one. */
function findDiscriminator(members: JsonSchema[]): string | undefined {
  const [first] = members;
  if (!first || !isObject(first.properties)) return undefined;
  for (const key of Object.keys(first.properties)) {
    const values = members.map((m) => (isObject(m.properties) ? constOf(m.properties[key]) : undefined));
    if (values.some((v) => v === undefined)) continue;
    if (new Set(values.map((v) => v?.value)).size === members.length) return key;
  }
  return undefined;
}

function buildUnion(rawMembers: unknown[], outer: JsonSchema, ctx: Context): FieldModel {
  const { oneOf: _o, anyOf: _a, ...outerRest } = outer;
  const base = baseOf(outer);
  const members = rawMembers.map((m) => resolveMember(m, ctx));
  const nonNull = members.filter((m) => m.type !== 'null' && !('const' in m && m.const === null));
  const [single] = nonNull;
  // `X | null` (zod's nullable) is edited as X: leaving it empty omits it.
  if (nonNull.length === 1 && single) return build({ ...single, ...outerRest }, ctx);
  if (nonNull.length === 0) return unknownModel(outer, 'empty union');

  const discriminator = findDiscriminator(nonNull);
  if (discriminator) {
    const variants = nonNull.map((member): VariantModel => {
      const props = isObject(member.properties) ? member.properties : {};
      const pinned = constOf(props[discriminator]);
      const { [discriminator]: _d, ...others } = props;
      const required = Array.isArray(member.required)
        ? member.required.filter((k) => k !== discriminator)
        : [];
      const fields = build({ type: 'object', properties: others, required }, { ...ctx, inRecord: false });
      const value = pinned?.value ?? null;
      return {
        value,
        label: typeof member.title === 'string' ? member.title : humanise(String(value)),
        ...(pinned?.description ? { description: pinned.description } : {}),
        fields: fields.kind === 'object' ? fields : { hasDefault: false, kind: 'object', properties: [] },
      };
    });
    return { ...base, kind: 'variants', discriminator, variants };
  }
  const options = nonNull.map((member, i) => {
    const model = build(member, ctx);
    return { label: typeof member.title === 'string' ? member.title : optionLabel(model, i), model };
  });
  return { ...base, kind: 'union', options };
}

function optionLabel(model: FieldModel, index: number): string {
  switch (model.kind) {
    case 'string':
      return 'Text';
    case 'number':
      return 'Number';
    case 'boolean':
      return 'Yes / no';
    case 'array':
      return 'List';
    case 'object':
    case 'record':
    case 'json':
      return 'Object';
    case 'const':
    case 'enum':
      return 'Fixed value';
    default:
      return `Option ${index + 1}`;
  }
}

/** Every model inside a model (itself first), for checks and tests. */
export function* walkModel(model: FieldModel): Generator<FieldModel> {
  yield model;
  switch (model.kind) {
    case 'object':
      for (const p of model.properties) yield* walkModel(p.model);
      break;
    case 'record':
      yield* walkModel(model.values);
      break;
    case 'array':
      yield* walkModel(model.items);
      break;
    case 'variants':
      for (const v of model.variants) yield* walkModel(v.fields);
      break;
    case 'union':
      for (const o of model.options) yield* walkModel(o.model);
      break;
    default:
      break;
  }
}
