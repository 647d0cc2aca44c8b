import { describe, expect, it } from 'vitest';
import type { WorkflowDefinition, WorkflowNode } from '@/workflows/dsl/definition';
import type { DefinitionInspection, NodeTypeInfo } from '@/workflows/dsl/inspection-types';
import { LOOP_MIN_SIZE, NODE_HEIGHT_ESTIMATE, NODE_WIDTH } from './canvas-geometry';
import { type FlowNodesInput, handlesOf, toFlowEdges, toFlowNodes } from './flow-conversion';

const info = (type: string, extra: Partial<NodeTypeInfo> = {}): NodeTypeInfo => ({
  type,
  title: type.toUpperCase(),
  description: '',
  category: 'basic',
  icon: '•',
  configSchema: {},
  defaultConfig: {},
  supportsErrorHandling: false,
  container: false,
  ...extra,
});
const types = new Map(
  [info('start'), info('llm'), info('condition'), info('end'), info('loop', { container: true })].map((t) => [
    t.type,
    t,
  ]),
);
const node = (id: string, type: string, extra: Partial<WorkflowNode> = {}): WorkflowNode => ({
  id,
  type,
  title: id,
  config: {},
  position: { x: 0, y: 0 },
  ...extra,
});
const definition: WorkflowDefinition = {
  schemaVersion: 1,
  nodes: [
    node('a', 'llm', { parentId: 'each', position: { x: 30, y: 70 } }),
    node('start', 'start'),
    node('each', 'loop', { position: { x: 300, y: 0 } }),
    node('check', 'condition', { position: { x: 900, y: 0 } }),
    node('end', 'end', { position: { x: 1200, y: 0 } }),
  ],
  edges: [
    { id: 'e1', source: 'start', sourceHandle: null, target: 'each', targetHandle: null },
    { id: 'e2', source: 'each', sourceHandle: null, target: 'check', targetHandle: null },
    { id: 'e3', source: 'check', sourceHandle: 'else', target: 'end', targetHandle: null },
    { id: 'e4', source: 'check', sourceHandle: 'error', target: 'end', targetHandle: null },
    { id: 'ghost', source: 'check', sourceHandle: null, target: 'nowhere', targetHandle: null },
  ],
};
const inspection: DefinitionInspection = {
  problems: [
    { code: 'x', message: 'bad', nodeId: 'check', path: [] },
    { code: 'y', message: 'worse', nodeId: 'check', path: [] },
    { code: 'z', message: 'global', path: [] },
  ],
  nodes: {
    check: {
      inputHandles: [null],
      outputHandles: ['big', 'else', 'error'],
      summary: 'x > 3',
      outputFields: [],
    },
  },
  upstream: {},
};
const input: FlowNodesInput = { definition, types, inspection, statuses: { each: 'running' } };

describe('toFlowNodes', () => {
  const nodes = toFlowNodes(input, []);
  const byId = new Map(nodes.map((n) => [n.id, n]));

  it('puts parents before their children and renders containers as loops', () => {
    expect(nodes.map((n) => n.id).indexOf('each')).toBeLessThan(nodes.map((n) => n.id).indexOf('a'));
    expect(byId.get('each')?.type).toBe('loop');
    expect(byId.get('a')).toMatchObject({
      type: 'step',
      parentId: 'each',
      extent: 'parent',
      position: { x: 30, y: 70 },
    });
  });

  it('carries handles, summary, problems, status and titles in the node data', () => {
    expect(byId.get('check')?.data).toMatchObject({
      outputHandles: ['big', 'else', 'error'],
      summary: 'x > 3',
      problemCount: 2,
      status: null,
      typeTitle: 'CONDITION',
    });
    expect(byId.get('each')?.data.status).toBe('running');
    expect(byId.get('start')?.deletable).toBe(false);
    expect(byId.get('a')?.deletable).toBe(true);
  });

  it('sizes a loop to hold its children', () => {
    const loop = byId.get('each');
    expect(loop?.width).toBe(Math.max(LOOP_MIN_SIZE.width, 30 + NODE_WIDTH + 24));
    expect(loop?.height).toBe(Math.max(LOOP_MIN_SIZE.height, 70 + NODE_HEIGHT_ESTIMATE + 24));
    const bigger = toFlowNodes({ ...input, loopSizes: { each: { width: 900, height: 50 } } }, nodes);
    const resized = bigger.find((n) => n.id === 'each');
    expect(resized?.width).toBe(900);
    expect(resized?.height).toBe(loop?.height);
  });

  it('reuses the previous object of every node whose inputs did not change', () => {
    const moved: WorkflowDefinition = {
      ...definition,
      nodes: definition.nodes.map((n) => (n.id === 'end' ? { ...n, position: { x: 1300, y: 0 } } : n)),
    };
    // A fresh inspection and statuses object with the same content change nothing either.
    const next = toFlowNodes(
      { ...input, definition: moved, inspection: structuredClone(inspection), statuses: { each: 'running' } },
      nodes,
    );
    for (const n of next) {
      if (n.id === 'end') {
        expect(n).not.toBe(byId.get('end'));
        expect(n.data).toBe(byId.get('end')?.data);
      } else {
        expect(n).toBe(byId.get(n.id));
      }
    }
    const retitled = toFlowNodes(
      {
        ...input,
        definition: { ...definition, nodes: definition.nodes.map((n) => ({ ...n, title: `${n.id}!` })) },
      },
      nodes,
    );
    expect(retitled.every((n) => n !== byId.get(n.id))).toBe(true);
  });

  it('keeps what React Flow measured and the local drag position', () => {
    const local = nodes.map((n) =>
      n.id === 'end'
        ? { ...n, measured: { width: 240, height: 80 }, position: { x: 5, y: 5 }, dragging: true }
        : n,
    );
    const next = toFlowNodes({ ...input, statuses: { end: 'succeeded' } }, local);
    expect(next.find((n) => n.id === 'end')).toMatchObject({
      measured: { width: 240, height: 80 },
      position: { x: 5, y: 5 },
      data: { status: 'succeeded' },
    });
  });

  it('selects exactly the requested nodes, or keeps the previous selection', () => {
    const selected = toFlowNodes({ ...input, selection: new Set(['check']) }, nodes);
    expect(selected.filter((n) => n.selected).map((n) => n.id)).toEqual(['check']);
    const kept = toFlowNodes({ ...input, statuses: {} }, selected);
    expect(kept.filter((n) => n.selected).map((n) => n.id)).toEqual(['check']);
  });

  it('draws a node whose parent is missing at the top level', () => {
    const orphan = toFlowNodes(
      { ...input, definition: { ...definition, nodes: [node('x', 'llm', { parentId: 'gone' })] } },
      [],
    );
    expect(orphan[0]?.parentId).toBeUndefined();
  });
});

describe('handlesOf', () => {
  it('guesses handles until the inspection knows the node', () => {
    expect(handlesOf(node('s', 'start'), null)).toEqual({ inputs: [], outputs: [null] });
    expect(handlesOf(node('e', 'end'), null)).toEqual({ inputs: [null], outputs: [] });
    expect(handlesOf(node('l', 'llm', { error: { onError: 'error-branch' } }), null).outputs).toEqual([
      null,
      'error',
    ]);
  });
});

describe('toFlowEdges', () => {
  const edges = toFlowEdges(definition, []);

  it('skips dangling edges and marks the error branch', () => {
    expect(edges.map((e) => e.id)).toEqual(['e1', 'e2', 'e3', 'e4']);
    expect(edges.find((e) => e.id === 'e4')?.className).toBe('wf-edge-error');
    expect(edges.find((e) => e.id === 'e3')).toMatchObject({ sourceHandle: 'else', targetHandle: null });
  });

  it('reuses unchanged edges', () => {
    const next = toFlowEdges({ ...definition, edges: definition.edges.map((e) => ({ ...e })) }, edges);
    next.forEach((e, i) => {
      expect(e).toBe(edges[i]);
    });
  });
});
