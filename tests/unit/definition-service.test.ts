// The studio's view of definitions: the palette, inspection of drafts (handles, summaries, output
// fields, upstream nodes; malformed drafts never throw) and the summary of changes between versions.
import { describe, expect, it } from 'vitest';
import { inspectDefinition, listNodeTypes, summarizeChanges } from '@/server/services/definition-service';
import { getTemplate } from '@/server/services/template-service';
import type { WorkflowDefinition, WorkflowNode } from '@/workflows/dsl/definition';
import { nodeCatalog } from '@/workflows/nodes';

type NodeInput = Omit<WorkflowNode, 'position' | 'title'> & { title?: string };

function def(nodes: NodeInput[], edges: [string, string, string?][]): WorkflowDefinition {
  return {
    schemaVersion: 1,
    nodes: nodes.map((n, i) => ({ title: n.id, ...n, position: { x: i * 100, y: 0 } })),
    edges: edges.map(([source, target, handle], i) => ({
      id: `e${i}`,
      source,
      sourceHandle: handle ?? null,
      target,
      targetHandle: null,
    })),
  };
}

describe('listNodeTypes', () => {
  it('lists every catalog type with its schema, a default config that parses, and its capabilities', () => {
    const types = listNodeTypes();
    expect(types.map((t) => t.type)).toEqual(Object.keys(nodeCatalog));
    for (const info of types) {
      const spec = nodeCatalog[info.type];
      expect(spec?.configSchema.safeParse(info.defaultConfig).success, info.type).toBe(true);
      // An object, or for the loop a union of its two modes.
      expect(Object.keys(info.configSchema).length, info.type).toBeGreaterThan(0);
      expect(info.supportsErrorHandling).toBe(spec?.execution === 'activity');
    }
    const byType = Object.fromEntries(types.map((t) => [t.type, t]));
    expect(byType.loop?.container).toBe(true);
    expect(byType.http?.container).toBe(false);
    expect(byType.http?.supportsErrorHandling).toBe(true);
    expect(byType['human-review']?.supportsErrorHandling).toBe(false);
    expect(byType.llm?.defaultConfig).toMatchObject({
      messages: [{ role: 'user' }],
      output: { type: 'text' },
    });
    expect(byType.start?.defaultConfig).toEqual({ inputs: [] });
  });

  it('hands out copies, so editing one default config does not change the palette', () => {
    const first = listNodeTypes();
    (first[0]?.defaultConfig as Record<string, unknown>).planted = true;
    expect(listNodeTypes()[0]?.defaultConfig).not.toHaveProperty('planted');
  });
});

describe('inspectDefinition', () => {
  it('describes each node of a template: handles, summary, output fields and upstream nodes', () => {
    const { definition } = getTemplate('support-triage');
    const result = inspectDefinition(definition);
    expect(result.problems).toEqual([]);
    expect(result.nodes.triage).toMatchObject({
      inputHandles: [null],
      outputHandles: ['technical', 'billing', 'other'],
      summary: '3 classes: Technical problem, Billing or order, Anything…',
    });
    expect(result.nodes.lookup?.summary).toBe('GET https://orders.example.com/api/orders/search');
    expect(result.nodes.lookup?.outputFields).toEqual(['status', 'headers', 'body']);
    expect(result.nodes.start?.summary).toBe('inputs: query');
    expect(result.nodes.start?.outputFields).toEqual(['query']);
    expect(result.nodes.answer?.summary).toBe('{{reply.value}}');
    expect(result.upstream.start).toEqual([]);
    expect(result.upstream.billingReply).toEqual(['start', 'triage', 'lookup']);
    expect(result.upstream.answer).toEqual([
      'start',
      'triage',
      'troubleshoot',
      'lookup',
      'billingReply',
      'handoff',
      'reply',
    ]);
  });

  it('summarizes each kind of node in one line', () => {
    const longPrompt = `Summarize   the following\ntext in a single paragraph for a busy reader please ${'x'.repeat(50)}`;
    const result = inspectDefinition(
      def(
        [
          { id: 'start', type: 'start', config: {} },
          { id: 'ask', type: 'llm', config: { messages: [{ role: 'user', content: longPrompt }] } },
          {
            id: 'fixed',
            type: 'llm',
            config: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] },
          },
          {
            id: 'cond',
            type: 'condition',
            config: { cases: [{ id: 'a', conditions: [{ left: 1, operator: 'eq', right: 1 }] }] },
          },
          {
            id: 'tpl',
            type: 'template',
            config: { template: 'Dear customer,\n\nthank you for writing to us today!' },
          },
          { id: 'each', type: 'loop', config: { mode: 'for-each', items: [], concurrency: 3 } },
          {
            id: 'again',
            type: 'loop',
            config: { mode: 'while', condition: { conditions: [{ left: 1, operator: 'is_true' }] } },
          },
          { id: 'review', type: 'human-review', config: { instructions: 'Check the tone' } },
          { id: 'code', type: 'code', config: { code: '\n  const total = 1;\nreturn { total };' } },
          { id: 'wait', type: 'delay', config: { ms: 90_000 } },
          { id: 'end', type: 'end', config: { outputs: { a: 1, b: 2 } } },
        ],
        [],
      ),
    );
    const summary = (id: string) => result.nodes[id]?.summary;
    expect(summary('ask')).toBe('Summarize the following text in a…');
    expect(summary('fixed')).toBe('gpt-4o-mini');
    expect(summary('cond')).toBe('1 case + else');
    expect(summary('tpl')).toBe('Dear customer, thank you for writing to…');
    expect(summary('each')).toBe('for each item, 3 at a time');
    expect(summary('again')).toBe('while, at most 100 times');
    expect(summary('review')).toBe('Check the tone');
    expect(summary('code')).toBe('const total = 1;');
    expect(summary('wait')).toBe('90 s');
    expect(summary('end')).toBe('outputs: a, b');
    expect(result.nodes.code?.outputFields).toEqual([]);
    expect(result.nodes.each?.outputFields).toEqual(['results', 'count']);
  });

  it('adds the error handle for error-branch nodes', () => {
    const result = inspectDefinition(
      def(
        [
          { id: 'start', type: 'start', config: {} },
          {
            id: 'call',
            type: 'http',
            config: { url: 'https://example.com' },
            error: { onError: 'error-branch' },
          },
          { id: 'end', type: 'end', config: {} },
        ],
        [
          ['start', 'call'],
          ['call', 'end'],
          ['call', 'end', 'error'],
        ],
      ),
    );
    expect(result.problems).toEqual([]);
    expect(result.nodes.call?.outputHandles).toEqual([null, 'error']);
  });

  it('lets loop body nodes see the loop and what is upstream of it, but not later nodes', () => {
    const result = inspectDefinition(
      def(
        [
          { id: 'start', type: 'start', config: { inputs: [{ name: 'items', type: 'array' }] } },
          { id: 'prep', type: 'template', config: { template: 'x' } },
          { id: 'each', type: 'loop', config: { mode: 'for-each', items: '{{start.items}}' } },
          { id: 'first', type: 'template', parentId: 'each', config: { template: '{{each.item}}' } },
          { id: 'second', type: 'template', parentId: 'each', config: { template: '{{first.text}}' } },
          { id: 'after', type: 'template', config: { template: '{{each.results}}' } },
          { id: 'end', type: 'end', config: {} },
        ],
        [
          ['start', 'prep'],
          ['prep', 'each'],
          ['first', 'second'],
          ['each', 'after'],
          ['after', 'end'],
        ],
      ),
    );
    expect(result.problems).toEqual([]);
    expect(result.upstream.first).toEqual(['start', 'prep', 'each']);
    expect(result.upstream.second).toEqual(['start', 'prep', 'each', 'first']);
    expect(result.upstream.after).toEqual(['start', 'prep', 'each']);
    expect(result.upstream.each).toEqual(['start', 'prep']);
  });

  it('never throws on malformed input, and skips only the nodes that do not parse', () => {
    for (const input of [null, undefined, 'text', 42, [], {}, { nodes: 'x' }, { nodes: [null, 1, 'a'] }]) {
      const result = inspectDefinition(input);
      expect(result.problems.length, JSON.stringify(input)).toBeGreaterThan(0);
      expect(result.nodes).toEqual({});
    }
    const result = inspectDefinition({
      schemaVersion: 1,
      nodes: [
        { id: 'start', type: 'start', title: 's', config: {}, position: { x: 0, y: 0 } },
        { id: '1 bad', type: 'template', title: 't', config: {}, position: { x: 0, y: 0 } },
        // Half-edited: the condition's cases are not valid yet, but its edges still need handles.
        { id: 'cond', type: 'condition', title: 'c', config: { cases: 'oops' }, position: { x: 0, y: 0 } },
        { id: 'mystery', type: 'no-such-type', title: 'm', config: {}, position: { x: 0, y: 0 } },
        { id: 'end', type: 'end', title: 'e', config: {}, position: { x: 0, y: 0 } },
      ],
      edges: [
        { id: 'a', source: 'start', sourceHandle: null, target: 'cond', targetHandle: null },
        { id: 'b', source: 'cond', sourceHandle: 'yes', target: 'mystery', targetHandle: null },
        { id: 'c', source: 'mystery', sourceHandle: 'out', target: 'end', targetHandle: null },
        { id: 'd', source: 'nowhere' },
      ],
    });
    expect(Object.keys(result.nodes)).toEqual(['start', 'cond', 'mystery', 'end']);
    expect(result.nodes.cond?.outputHandles).toEqual(['yes']);
    expect(result.nodes.cond?.summary).toBe('0 cases + else');
    expect(result.nodes.mystery).toMatchObject({ inputHandles: [null], outputHandles: ['out'], summary: '' });
    expect(result.upstream.end).toEqual(['start', 'cond', 'mystery']);
    const codes = result.problems.map((p) => p.code);
    expect(codes).toContain('invalid_shape');
    expect(codes).toContain('unknown_node_type');
  });

  it('reports the problems the validator finds', () => {
    const result = inspectDefinition(
      def(
        [
          { id: 'start', type: 'start', config: {} },
          { id: 'tpl', type: 'template', config: { template: '{{later.text}}' } },
          { id: 'later', type: 'template', config: { template: 'x' } },
          { id: 'end', type: 'end', config: {} },
        ],
        [
          ['start', 'tpl'],
          ['tpl', 'later'],
          ['later', 'end'],
        ],
      ),
    );
    expect(result.problems).toEqual([
      expect.objectContaining({
        code: 'reference_not_upstream',
        nodeId: 'tpl',
        path: ['nodes', 1, 'config', 'template'],
      }),
    ]);
  });
});

describe('summarizeChanges', () => {
  const base = def(
    [
      { id: 'start', type: 'start', config: {} },
      { id: 'a', type: 'template', config: { template: 'one' } },
      { id: 'c', type: 'template', config: { template: 'three' } },
      { id: 'end', type: 'end', config: {} },
    ],
    [
      ['start', 'a'],
      ['a', 'c'],
      ['c', 'end'],
    ],
  );

  it('says "no changes" for the same graph, even when nodes moved and edges got new ids', () => {
    const moved: WorkflowDefinition = {
      ...base,
      nodes: base.nodes.map((n) => ({ ...n, position: { x: n.position.x + 50, y: 300 } })),
      edges: base.edges.map((e) => ({ ...e, id: `new_${e.id}` })),
    };
    expect(summarizeChanges(base, moved)).toEqual({
      addedNodes: [],
      removedNodes: [],
      changedNodes: [],
      addedEdges: 0,
      removedEdges: 0,
      text: 'no changes',
    });
  });

  it('lists added, removed and changed nodes and counts edges', () => {
    const after = def(
      [
        { id: 'start', type: 'start', config: {} },
        { id: 'c', type: 'template', config: { template: 'THREE' } },
        { id: 'x', type: 'template', config: { template: 'new' } },
        { id: 'y', type: 'template', config: { template: 'new' } },
        { id: 'end', type: 'end', config: {} },
      ],
      [
        ['start', 'x'],
        ['x', 'y'],
        ['y', 'c'],
        ['c', 'end'],
      ],
    );
    const changes = summarizeChanges(base, after);
    expect(changes).toMatchObject({
      addedNodes: ['x', 'y'],
      removedNodes: ['a'],
      changedNodes: ['c'],
      addedEdges: 3,
      removedEdges: 2,
    });
    expect(changes.text).toBe(
      '2 nodes added (x, y), 1 removed (a), 1 changed (c), 3 edges added, 2 edges removed',
    );
  });

  it('counts title, error handling and parent changes but not key order', () => {
    const after: WorkflowDefinition = {
      ...base,
      nodes: base.nodes.map((n) =>
        n.id === 'a'
          ? { ...n, title: 'Renamed' }
          : n.id === 'c'
            ? { ...n, error: { onError: 'default-value' as const } }
            : { ...n, config: Object.fromEntries(Object.entries(n.config).reverse()) },
      ),
    };
    expect(summarizeChanges(base, after).text).toBe('2 nodes changed (a, c)');
    const empty = { schemaVersion: 1 as const, nodes: [], edges: [] };
    expect(summarizeChanges(empty, base).text).toBe('4 nodes added (start, a, c, end), 3 edges added');
  });
});
