// JSON Schema → field model, on small hand-written schemas for the shapes the real node schemas
// do not (yet) use: $ref, nullable, type lists, allOf, tuples, widget hints.
import { describe, expect, it } from 'vitest';
import { fits, initialValue, switchVariant, unionIndexOf, variantIndexOf } from './field-defaults';
import type { FieldModel } from './field-model';
import { buildFieldModel } from './schema-model';

function expectKind<K extends FieldModel['kind']>(
  model: FieldModel,
  kind: K,
): Extract<FieldModel, { kind: K }> {
  expect(model.kind).toBe(kind);
  return model as Extract<FieldModel, { kind: K }>;
}

describe('buildFieldModel', () => {
  it('maps scalars with their limits, defaults and descriptions', () => {
    const n = expectKind(
      buildFieldModel({ type: 'integer', minimum: 1, maximum: 5, default: 2, description: 'How many' }),
      'number',
    );
    expect(n).toMatchObject({ integer: true, minimum: 1, maximum: 5, default: 2, hasDefault: true });
    expect(n.description).toBe('How many');
    expect(expectKind(buildFieldModel({ type: 'number', exclusiveMinimum: 0 }), 'number').minimum).toBe(0);
    expectKind(buildFieldModel({ type: 'boolean' }), 'boolean');
    expect(expectKind(buildFieldModel({ enum: ['a', 'b'] }), 'enum').options).toEqual(['a', 'b']);
    expect(expectKind(buildFieldModel({ const: 'x' }), 'const').value).toBe('x');
    expectKind(buildFieldModel({}), 'any');
    expectKind(buildFieldModel({ description: 'anything' }), 'any');
  });

  it('picks a string widget from hints, names and lengths', () => {
    const widget = (schema: Record<string, unknown>, key?: string) =>
      expectKind(buildFieldModel({ type: 'string', ...schema }, key), 'string').widget;
    expect(widget({}, 'code')).toBe('code');
    expect(widget({ widget: 'code' }, 'snippet')).toBe('code');
    expect(widget({ 'x-widget': 'prompt' })).toBe('prompt');
    expect(widget({}, 'template')).toBe('prompt');
    expect(widget({ maxLength: 20000 }, 'notes')).toBe('prompt');
    expect(widget({ maxLength: 8192 }, 'url')).toBe('line');
    expect(widget({ maxLength: 200 }, 'model')).toBe('line');
    expect(widget({ description: 'System prompt' }, 'sys')).toBe('prompt');
  });

  it('resolves local $refs and stops at recursion', () => {
    const model = expectKind(
      buildFieldModel({
        $defs: {
          Node: { type: 'object', properties: { name: { type: 'string' }, child: { $ref: '#/$defs/Node' } } },
        },
        type: 'object',
        properties: { tree: { $ref: '#/$defs/Node', description: 'The tree' } },
      }),
      'object',
    );
    const tree = expectKind(model.properties[0]?.model as FieldModel, 'object');
    expect(tree.description).toBe('The tree');
    expect(tree.properties.map((p) => p.model.kind)).toEqual(['string', 'unknown']);
  });

  it('edits nullable X as X, splits type lists into a union, merges a single allOf', () => {
    expectKind(buildFieldModel({ anyOf: [{ type: 'string' }, { type: 'null' }] }), 'string');
    expectKind(buildFieldModel({ type: ['integer', 'null'] }), 'number');
    const union = expectKind(buildFieldModel({ type: ['string', 'number'] }), 'union');
    expect(union.options.map((o) => o.label)).toEqual(['Text', 'Number']);
    expectKind(buildFieldModel({ allOf: [{ type: 'boolean' }] }), 'boolean');
    expectKind(buildFieldModel({ allOf: [{ type: 'boolean' }, { type: 'string' }] }), 'unknown');
    expectKind(buildFieldModel({ type: 'array', prefixItems: [{ type: 'string' }] }), 'unknown');
  });

  it('tells records, documents and fixed objects apart', () => {
    expectKind(buildFieldModel({ type: 'object', additionalProperties: { type: 'string' } }), 'record');
    expectKind(buildFieldModel({ type: 'object', additionalProperties: {} }, 'schema'), 'json');
    expectKind(buildFieldModel({ type: 'object' }), 'json');
    const obj = expectKind(
      buildFieldModel({ type: 'object', properties: { a: { type: 'string' } }, required: ['a'] }),
      'object',
    );
    expect(obj.properties).toEqual([expect.objectContaining({ key: 'a', label: 'A', required: true })]);
  });
});

describe('field defaults', () => {
  const auth = buildFieldModel({
    oneOf: [
      { type: 'object', properties: { type: { type: 'string', const: 'none' } }, required: ['type'] },
      {
        type: 'object',
        properties: {
          type: { type: 'string', const: 'basic' },
          username: { type: 'string' },
          note: { type: 'string' },
        },
        required: ['type', 'username'],
      },
    ],
  });

  it('builds a new value from required fields and defaults only', () => {
    const model = buildFieldModel({
      type: 'object',
      properties: {
        id: { type: 'string' },
        logic: { enum: ['and', 'or'], default: 'and' },
        conditions: {
          type: 'array',
          minItems: 1,
          items: { type: 'object', properties: { left: {} }, required: ['left'] },
        },
        note: { type: 'string' },
      },
      required: ['id', 'conditions'],
    });
    expect(initialValue(model)).toEqual({ id: '', conditions: [{ left: '' }] });
  });

  it('switches variants, keeping shared fields that still fit', () => {
    const variants = expectKind(auth, 'variants');
    expect(variants.discriminator).toBe('type');
    expect(variants.variants.map((v) => v.label)).toEqual(['None', 'Basic']);
    expect(switchVariant(variants, { type: 'none' }, 1)).toEqual({ type: 'basic', username: '' });
    expect(switchVariant(variants, { type: 'none', note: 'x' }, 1)).toEqual({
      type: 'basic',
      username: '',
      note: 'x',
    });
    expect(variantIndexOf(variants, { type: 'basic' })).toBe(1);
    expect(variantIndexOf(variants, 'nope')).toBe(-1);
  });

  it('picks the union option a value fits', () => {
    const union = expectKind(buildFieldModel({ anyOf: [{ type: 'integer' }, { type: 'string' }] }), 'union');
    expect(unionIndexOf(union, 5)).toBe(0);
    expect(unionIndexOf(union, '{{a.b}}')).toBe(1);
    expect(unionIndexOf(union, 1.5)).toBe(-1);
    expect(fits(union, true)).toBe(false);
  });
});
