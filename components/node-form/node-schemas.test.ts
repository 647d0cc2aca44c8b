// Every real node type's config schema (as the server serves it) builds a field model the form can
// render without falling back to raw JSON, with the shapes each node relies on, and editing one
// field through setAtPath keeps the rest of the config.
import { describe, expect, it } from 'vitest';
import { nodeCatalog, nodeConfigJsonSchemas } from '@/workflows/nodes';
import { initialValue } from './field-defaults';
import type { FieldModel } from './field-model';
import { buildFieldModel, walkModel } from './schema-model';
import { getAtPath, type PathSegment, setAtPath } from './value-path';

const schemas = nodeConfigJsonSchemas() as Record<string, Record<string, unknown>>;
const models = Object.fromEntries(Object.entries(schemas).map(([type, s]) => [type, buildFieldModel(s)]));

function prop(model: FieldModel | undefined, ...keys: string[]): FieldModel {
  let current = model;
  for (const key of keys) {
    if (current?.kind === 'array') current = current.items;
    if (current?.kind !== 'object') throw new Error(`no object at ${key}`);
    current = current.properties.find((p) => p.key === key)?.model;
  }
  if (!current) throw new Error(`no field ${keys.join('.')}`);
  return current;
}

/** Paths to every leaf field a builder edits in the model, with a sample value for it. */
function leafEdits(model: FieldModel, path: PathSegment[] = []): { path: PathSegment[]; value: unknown }[] {
  switch (model.kind) {
    case 'object':
      return model.properties.flatMap((p) => leafEdits(p.model, [...path, p.key]));
    case 'string':
    case 'any':
      return [{ path, value: 'edited {{start.query}}' }];
    case 'number':
      return [{ path, value: model.minimum ?? 1 }];
    case 'boolean':
      return [{ path, value: true }];
    case 'enum':
      return [{ path, value: model.options[model.options.length - 1] }];
    default:
      return [{ path, value: initialValue(model) }];
  }
}

describe('real node config schemas', () => {
  it('covers every node type in the catalog', () => {
    expect(Object.keys(schemas).sort()).toEqual(Object.keys(nodeCatalog).sort());
  });

  it.each(Object.keys(schemas))('%s builds without an unknown fallback', (type) => {
    const model = models[type] as FieldModel;
    expect(['object', 'variants']).toContain(model.kind);
    const unknown = [...walkModel(model)].filter((m) => m.kind === 'unknown');
    expect(unknown).toEqual([]);
  });

  it('maps the common shapes to their editors', () => {
    expect(prop(models.start, 'inputs').kind).toBe('array');
    expect(prop(models.start, 'inputs', 'type')).toMatchObject({
      kind: 'enum',
      options: expect.arrayContaining(['string']),
    });
    expect(prop(models.start, 'inputs', 'required')).toMatchObject({ kind: 'boolean', default: false });
    expect(prop(models.end, 'outputs')).toMatchObject({ kind: 'record', values: { kind: 'any' } });
    expect(prop(models.answer, 'text')).toMatchObject({ kind: 'string', widget: 'prompt' });
    expect(prop(models.condition, 'cases')).toMatchObject({
      kind: 'array',
      minItems: 1,
      items: { kind: 'object' },
    });
    expect(prop(models.condition, 'cases', 'conditions', 'left').kind).toBe('any');
    expect(models.loop).toMatchObject({ kind: 'variants', discriminator: 'mode' });
    expect(prop(models.template, 'template')).toMatchObject({ kind: 'string', widget: 'prompt' });
    expect(prop(models.delay, 'ms')).toMatchObject({
      kind: 'union',
      options: [{ label: 'Number' }, { label: 'Text' }],
    });
    expect(prop(models['human-review'], 'instructions')).toMatchObject({ kind: 'string', widget: 'prompt' });
    expect(prop(models.http, 'url')).toMatchObject({ kind: 'string', widget: 'line', references: true });
    expect(prop(models.http, 'headers')).toMatchObject({ kind: 'record', values: { kind: 'string' } });
    expect(prop(models.http, 'auth')).toMatchObject({ kind: 'variants', discriminator: 'type' });
    expect(prop(models.http, 'body')).toMatchObject({ kind: 'object', default: { type: 'none' } });
    expect(prop(models.http, 'timeoutMs')).toMatchObject({
      kind: 'number',
      integer: true,
      minimum: 1,
      maximum: 600000,
    });
    expect(prop(models.code, 'code')).toMatchObject({ kind: 'string', widget: 'code' });
    expect(prop(models.llm, 'system')).toMatchObject({ kind: 'string', widget: 'prompt' });
    expect(prop(models.llm, 'model')).toMatchObject({ kind: 'string', widget: 'line' });
    expect(prop(models.llm, 'temperature')).toMatchObject({
      kind: 'number',
      integer: false,
      minimum: 0,
      maximum: 2,
    });
    expect(prop(models.llm, 'stop')).toMatchObject({ kind: 'array', items: { kind: 'string' } });
    expect(prop(models.llm, 'output')).toMatchObject({ kind: 'variants', hasDefault: true });
    expect(prop(models['question-classifier'], 'classes')).toMatchObject({ kind: 'array', minItems: 2 });
  });

  it.each(Object.keys(schemas))('%s: editing one field keeps every other key', (type) => {
    const model = models[type] as FieldModel;
    const spec = nodeCatalog[type];
    const start: Record<string, unknown> = {
      ...(initialValue(model) as Record<string, unknown>),
      untouched: { keep: [1, 2] },
    };
    const fieldModel = model.kind === 'variants' ? model.variants[0]?.fields : model;
    if (!fieldModel || !spec) throw new Error(`no model for ${type}`);
    for (const edit of leafEdits(fieldModel)) {
      const next = setAtPath(start, edit.path, edit.value) as Record<string, unknown>;
      expect(getAtPath(next, edit.path)).toEqual(edit.value);
      expect(next.untouched).toBe(start.untouched);
      for (const key of Object.keys(start)) {
        if (key !== edit.path[0]) expect(next[key]).toBe(start[key]);
      }
    }
  });

  it('creates list items the node schema accepts once the blanks are filled in', () => {
    const cases = prop(models.condition, 'cases');
    if (cases.kind !== 'array') throw new Error('cases');
    const item = initialValue(cases.items) as Record<string, unknown>;
    expect(item).toEqual({ id: '', conditions: [{ left: '', operator: 'eq' }] });
    const filled = { cases: [{ ...item, id: 'yes' }] };
    expect(nodeCatalog.condition?.configSchema.safeParse(filled).success).toBe(true);
  });
});

describe('field order', () => {
  it('puts what names an item first', () => {
    const cases = prop(models.condition, 'cases');
    if (cases.kind !== 'array' || cases.items.kind !== 'object') throw new Error('cases');
    expect(cases.items.properties.map((p) => p.key)).toEqual(['id', 'logic', 'conditions']);
  });
});

describe('reference buttons', () => {
  it('offers variables for values, not for names with a pattern', () => {
    expect(prop(models.start, 'inputs', 'name')).toMatchObject({
      kind: 'string',
      references: false,
      secrets: false,
    });
    expect(prop(models.http, 'url')).toMatchObject({ references: true });
    const auth = prop(models.http, 'auth');
    if (auth.kind !== 'variants') throw new Error('auth');
    const bearer = auth.variants.find((v) => v.value === 'bearer');
    expect(bearer?.fields.properties[0]?.model).toMatchObject({
      kind: 'string',
      references: true,
      secrets: true,
    });
  });
});
