// Node types: run functions of the pure activity nodes, start's input checks, handles, and the
// catalog's JSON Schemas.
import { describe, expect, it } from 'vitest';
import type { Json } from '@/workflows/interpreter/types';
import { answerNode } from '@/workflows/nodes/answer';
import { conditionNode } from '@/workflows/nodes/condition';
import { endNode } from '@/workflows/nodes/end';
import { humanReviewNode, reviewDecisionSchema } from '@/workflows/nodes/human-review';
import { nodeCatalog, nodeConfigJsonSchemas } from '@/workflows/nodes/index';
import { joinNode } from '@/workflows/nodes/join';
import { loopNode } from '@/workflows/nodes/loop';
import type { NodeRunContext, NodeSpec } from '@/workflows/nodes/node-spec';
import { startConfigSchema, startNode, validateRunInputs } from '@/workflows/nodes/start';
import { templateNode } from '@/workflows/nodes/template';
import { variableAssignNode } from '@/workflows/nodes/variable-assign';

const ctx: NodeRunContext = {
  runId: 'run1',
  workspaceId: 'ws1',
  stepKey: 'step',
  idempotencyKey: 'run1:step',
  attempt: 1,
  signal: new AbortController().signal,
  log: () => {},
  emit: () => {},
  reportUsage: () => {},
  services: {
    modelTarget: async () => {
      throw new Error('no models in this test');
    },
  },
};

/** Parses the (already resolved) config as the engine does, then runs the node. */
async function run<C>(spec: NodeSpec<C>, config: unknown): Promise<Json> {
  if (!spec.run) throw new Error(`${spec.type} has no run function`);
  return spec.run(spec.configSchema.parse(config), ctx);
}

describe('activity nodes', () => {
  it('template outputs its text', async () => {
    expect(await run(templateNode, { template: 'Hello Ada' })).toEqual({ text: 'Hello Ada' });
    // A template that was exactly one reference to a number still runs as text.
    expect(await run(templateNode, { template: 42 })).toEqual({ text: '42' });
  });

  it('answer outputs the answer text', async () => {
    expect(await run(answerNode, { text: 'Hi!' })).toEqual({ answer: 'Hi!' });
    expect(answerNode.terminal).toBe(true);
  });

  it('end outputs its outputs', async () => {
    expect(await run(endNode, { outputs: { a: 1, b: [true] } })).toEqual({ a: 1, b: [true] });
    expect(await run(endNode, {})).toEqual({});
    expect(endNode.outputHandles(endNode.configSchema.parse({}))).toEqual([]);
  });

  it('condition picks the first matching case, else else', async () => {
    const config = {
      cases: [
        { id: 'big', conditions: [{ left: 10, operator: 'gt', right: 100 }] },
        {
          id: 'medium',
          logic: 'or',
          conditions: [
            { left: 10, operator: 'gt', right: 5 },
            { left: 'x', operator: 'empty' },
          ],
        },
        { id: 'also', conditions: [{ left: 1, operator: 'eq', right: 1 }] },
      ],
    };
    expect(await run(conditionNode, config)).toEqual({ branch: 'medium' });
    expect(
      await run(conditionNode, {
        cases: [{ id: 'never', conditions: [{ left: 1, operator: 'eq', right: 2 }] }],
      }),
    ).toEqual({ branch: 'else' });
    // Resolved values are not resolved again, even when they look like references.
    expect(
      await run(conditionNode, {
        cases: [{ id: 'literal', conditions: [{ left: '{{a.b}}', operator: 'eq', right: '{{a.b}}' }] }],
      }),
    ).toEqual({ branch: 'literal' });
    expect(conditionNode.outputHandles(conditionNode.configSchema.parse(config))).toEqual([
      'big',
      'medium',
      'also',
      'else',
    ]);
  });

  it('condition refuses duplicate, else and error case ids', () => {
    const conditions = [{ left: 1, operator: 'eq', right: 1 }];
    const ids = (...list: string[]) =>
      conditionNode.configSchema.safeParse({ cases: list.map((id) => ({ id, conditions })) }).success;
    expect(ids('a', 'b')).toBe(true);
    expect(ids('a', 'a')).toBe(false);
    expect(ids('else')).toBe(false);
    expect(ids('error')).toBe(false);
  });

  it('join outputs all values, or the first non-null one', async () => {
    const values = { a: null, b: 'from b', c: 'from c' };
    expect(await run(joinNode, { values })).toEqual(values);
    expect(await run(joinNode, { mode: 'first', values })).toEqual({ value: 'from b', from: 'b' });
    expect(await run(joinNode, { mode: 'first', values: { a: null } })).toEqual({ value: null, from: null });
  });

  it('variable-assign outputs name → value', async () => {
    const config = {
      assignments: [
        { name: 'title', value: 'Report' },
        { name: 'count', value: 3 },
        { name: 'tags', value: ['a'] },
      ],
    };
    expect(await run(variableAssignNode, config)).toEqual({ title: 'Report', count: 3, tags: ['a'] });
    expect(variableAssignNode.outputTypes?.(variableAssignNode.configSchema.parse(config))).toEqual({
      title: 'string',
      count: 'number',
      tags: 'array',
    });
    expect(
      variableAssignNode.configSchema.safeParse({
        assignments: [
          { name: 'x', value: 1 },
          { name: 'x', value: 2 },
        ],
      }).success,
    ).toBe(false);
  });
});

describe('start node', () => {
  const config = startConfigSchema.parse({
    inputs: [
      { name: 'query', type: 'string', required: true },
      { name: 'limit', type: 'number', default: 10 },
      { name: 'verbose', type: 'boolean' },
      { name: 'filters', type: 'object' },
      { name: 'ids', type: 'array' },
    ],
  });

  it('applies defaults and converts numeric strings', () => {
    expect(validateRunInputs(config, { query: 'q' })).toEqual({
      ok: true,
      values: { query: 'q', limit: 10 },
    });
    expect(
      validateRunInputs(config, { query: 'q', limit: '25', verbose: false, filters: { a: 1 }, ids: [1] }),
    ).toEqual({ ok: true, values: { query: 'q', limit: 25, verbose: false, filters: { a: 1 }, ids: [1] } });
  });

  it('reports missing, mistyped and unknown fields together', () => {
    expect(validateRunInputs(config, { limit: 'ten', verbose: 'yes', ids: {}, extra: 1 })).toEqual({
      ok: false,
      problems: [
        { field: 'extra', message: 'is not a declared input' },
        { field: 'query', message: 'is required' },
        { field: 'limit', message: 'must be a number' },
        { field: 'verbose', message: 'must be a boolean' },
        { field: 'ids', message: 'must be an array' },
      ],
    });
    expect(validateRunInputs(config, 'nope')).toMatchObject({ ok: false });
  });

  it('declares output types from its inputs and rejects bad declarations', () => {
    expect(startNode.outputTypes?.(config)).toEqual({
      query: 'string',
      limit: 'number',
      verbose: 'boolean',
      filters: 'object',
      ids: 'array',
    });
    expect(startNode.inputHandles(config)).toEqual([]);
    const dup = startConfigSchema.safeParse({
      inputs: [
        { name: 'a', type: 'string' },
        { name: 'a', type: 'number' },
      ],
    });
    expect(dup.success).toBe(false);
    expect(
      startConfigSchema.safeParse({ inputs: [{ name: 'n', type: 'number', default: 'x' }] }).success,
    ).toBe(false);
    expect(startConfigSchema.safeParse({ inputs: [{ name: '1n', type: 'number' }] }).success).toBe(false);
  });
});

describe('interpreter-run nodes', () => {
  it('human review has a timeout handle only with a deadline, and parses decisions', () => {
    const parse = (c: unknown) => humanReviewNode.configSchema.parse(c);
    expect(humanReviewNode.outputHandles(parse({}))).toEqual(['approved', 'rejected']);
    expect(humanReviewNode.outputHandles(parse({ deadlineMs: 60_000 }))).toEqual([
      'approved',
      'rejected',
      'timeout',
    ]);
    expect(parse({})).toEqual({ instructions: '', allowEdit: true });
    expect(humanReviewNode.configSchema.safeParse({ deadlineMs: 10 }).success).toBe(false);
    expect(
      reviewDecisionSchema.safeParse({ decision: 'edit', data: { x: 1 }, reviewer: 'ana' }).success,
    ).toBe(true);
    expect(reviewDecisionSchema.safeParse({ decision: 'maybe' }).success).toBe(false);
  });

  it('loop requires items for for-each and a condition for while', () => {
    const parse = (c: unknown) => loopNode.configSchema.safeParse(c);
    expect(parse({ mode: 'for-each', items: '{{a.list}}' }).data).toEqual({
      mode: 'for-each',
      items: '{{a.list}}',
      concurrency: 1,
    });
    expect(parse({ mode: 'for-each' }).success).toBe(false);
    expect(parse({ mode: 'while' }).success).toBe(false);
    expect(
      parse({ mode: 'while', condition: { conditions: [{ left: 1, operator: 'lt', right: 2 }] } }).data,
    ).toMatchObject({
      maxIterations: 100,
    });
    expect(parse({ mode: 'sometimes' }).success).toBe(false);
  });
});

describe('catalog', () => {
  it('is keyed by each spec type and every spec is complete', () => {
    const types = Object.keys(nodeCatalog).sort();
    expect(types).toEqual([
      'answer',
      'code',
      'condition',
      'delay',
      'end',
      'http',
      'human-review',
      'join',
      'llm',
      'loop',
      'parameter-extractor',
      'question-classifier',
      'start',
      'template',
      'variable-assign',
    ]);
    const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });
    for (const [type, spec] of Object.entries(nodeCatalog)) {
      expect(spec.type).toBe(type);
      expect(spec.title.length).toBeGreaterThan(0);
      expect(spec.description.length).toBeGreaterThan(0);
      expect([...graphemes.segment(spec.icon)]).toHaveLength(1);
      // Activity nodes are executed through run; the others by the interpreter.
      expect(typeof spec.run === 'function').toBe(spec.execution === 'activity');
    }
  });

  it('produces a JSON Schema for every node type', () => {
    const schemas = nodeConfigJsonSchemas();
    expect(Object.keys(schemas).sort()).toEqual(Object.keys(nodeCatalog).sort());
    for (const schema of Object.values(schemas)) {
      expect(schema).toMatchObject({ $schema: 'https://json-schema.org/draft/2020-12/schema' });
    }
    const http = schemas.http as {
      properties: Record<string, { default?: unknown; description?: string }>;
      required: string[];
    };
    expect(http.required).toEqual(['url']);
    expect(http.properties.method?.default).toBe('GET');
    expect(http.properties.url?.description).toContain('URL');
    const loop = schemas.loop as { oneOf: unknown[] };
    expect(loop.oneOf).toHaveLength(2);
    expect(JSON.stringify(schemas.start)).toContain('"enum":["string","number","boolean","object","array"]');
  });
});
