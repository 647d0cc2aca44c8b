import { describe, expect, it } from 'vitest';
import type { WorkflowDefinition, WorkflowNode } from '@/workflows/dsl/definition';
import type { NodeTypeInfo } from '@/workflows/dsl/inspection-types';
import { clampIntoContainer, containerAt, freeSpotNear, LOOP_HEADER, LOOP_PADDING } from './canvas-geometry';
import { addNode, moveNodes, removeElements, withDescendants } from './definition-edits';

const llm: NodeTypeInfo = {
  type: 'llm',
  title: 'LLM',
  description: 'Calls a model',
  category: 'ai',
  icon: '🤖',
  configSchema: {},
  defaultConfig: { model: 'gpt-4o-mini', messages: [] },
  supportsErrorHandling: true,
  container: false,
};
const node = (id: string, type: string, parentId?: string): WorkflowNode => ({
  id,
  type,
  title: id,
  config: {},
  position: { x: 0, y: 0 },
  ...(parentId ? { parentId } : {}),
});
const definition: WorkflowDefinition = {
  schemaVersion: 1,
  nodes: [
    node('start', 'start'),
    node('llm', 'llm'),
    node('outer', 'loop'),
    node('inner', 'loop', 'outer'),
    node('deep', 'template', 'inner'),
    node('end', 'end'),
  ],
  edges: [
    { id: 'e1', source: 'start', sourceHandle: null, target: 'llm', targetHandle: null },
    { id: 'e2', source: 'llm', sourceHandle: null, target: 'outer', targetHandle: null },
    { id: 'e3', source: 'outer', sourceHandle: null, target: 'end', targetHandle: null },
  ],
};

describe('addNode', () => {
  it('adds a node with a fresh id, a numbered title and a copy of the default config', () => {
    const { definition: next, id } = addNode(definition, llm, { x: 10.4, y: 20.6 });
    const added = next.nodes.at(-1);
    expect(id).toBe('llm_2');
    expect(added).toEqual({
      id: 'llm_2',
      type: 'llm',
      title: 'LLM 2',
      config: { model: 'gpt-4o-mini', messages: [] },
      position: { x: 10, y: 21 },
    });
    expect(added?.config).not.toBe(llm.defaultConfig);
    expect(next.nodes.slice(0, -1).every((n, i) => n === definition.nodes[i])).toBe(true);
  });

  it('adds into a loop', () => {
    const { definition: next } = addNode(definition, llm, { x: 30, y: 70 }, 'inner');
    expect(next.nodes.at(-1)?.parentId).toBe('inner');
  });
});

describe('removeElements', () => {
  it('removes nodes with their loop bodies and every edge touching them', () => {
    expect([...withDescendants(definition, ['outer'])].sort()).toEqual(['deep', 'inner', 'outer']);
    const next = removeElements(definition, ['outer']);
    expect(next.nodes.map((n) => n.id)).toEqual(['start', 'llm', 'end']);
    expect(next.edges.map((e) => e.id)).toEqual(['e1']);
  });

  it('removes edges by id and never the start node', () => {
    const next = removeElements(definition, ['start'], ['e3']);
    expect(next.nodes).toBe(definition.nodes);
    expect(next.edges.map((e) => e.id)).toEqual(['e1', 'e2']);
    expect(removeElements(definition, ['start'])).toBe(definition);
  });
});

describe('moveNodes', () => {
  it('moves only the given nodes, rounding, and returns the same definition when nothing moves', () => {
    const next = moveNodes(definition, new Map([['llm', { x: 100.2, y: -3.7 }]]));
    expect(next.nodes[1]?.position).toEqual({ x: 100, y: -4 });
    expect(next.nodes[0]).toBe(definition.nodes[0]);
    expect(moveNodes(definition, new Map([['llm', { x: 0.2, y: 0 }]]))).toBe(definition);
  });
});

describe('canvas geometry', () => {
  it('finds the innermost loop under a point', () => {
    const rects = [
      { id: 'outer', x: 0, y: 0, width: 1000, height: 600 },
      { id: 'inner', x: 100, y: 100, width: 400, height: 300 },
    ];
    expect(containerAt({ x: 200, y: 200 }, rects)?.id).toBe('inner');
    expect(containerAt({ x: 800, y: 500 }, rects)?.id).toBe('outer');
    expect(containerAt({ x: 2000, y: 0 }, rects)).toBeUndefined();
  });

  it('keeps dropped children below the loop header and new nodes off the others', () => {
    expect(clampIntoContainer({ x: -10, y: 5 })).toEqual({ x: LOOP_PADDING, y: LOOP_HEADER });
    const size = { width: 100, height: 50 };
    expect(freeSpotNear({ x: 0, y: 0 }, size, [])).toEqual({ x: 0, y: 0 });
    expect(freeSpotNear({ x: 0, y: 0 }, size, [{ x: 500, y: 500, ...size }])).toEqual({ x: 0, y: 0 });
    const spot = freeSpotNear({ x: 0, y: 0 }, size, [{ x: 10, y: 10, ...size }]);
    expect(spot).toEqual({ x: 0, y: -66 });
  });
});
