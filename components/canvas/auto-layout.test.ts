import { describe, expect, it } from 'vitest';
import type { WorkflowDefinition, WorkflowNode } from '@/workflows/dsl/definition';
import type { NodeTypeInfo } from '@/workflows/dsl/inspection-types';
import { autoLayout } from './auto-layout';
import { LOOP_HEADER, LOOP_PADDING, NODE_WIDTH } from './canvas-geometry';
import { toFlowNodes } from './flow-conversion';

const types = new Map<string, NodeTypeInfo>([
  [
    'loop',
    {
      type: 'loop',
      title: 'Loop',
      description: '',
      category: 'logic',
      icon: '🔁',
      configSchema: {},
      defaultConfig: {},
      supportsErrorHandling: false,
      container: true,
    },
  ],
]);
const node = (id: string, type: string, x: number, y: number, parentId?: string): WorkflowNode => ({
  id,
  type,
  title: id,
  config: {},
  position: { x, y },
  ...(parentId ? { parentId } : {}),
});
const edge = (source: string, target: string) => ({
  id: `e_${source}_${target}`,
  source,
  sourceHandle: null,
  target,
  targetHandle: null,
});
// Everything piled up at one spot, as a pasted or imported graph might be.
const definition: WorkflowDefinition = {
  schemaVersion: 1,
  nodes: [
    node('start', 'start', 10, 20),
    node('fetch', 'http', 10, 20),
    node('each', 'loop', 10, 20),
    node('one', 'template', 500, 500, 'each'),
    node('two', 'template', 500, 500, 'each'),
    node('end', 'end', 10, 20),
  ],
  edges: [edge('start', 'fetch'), edge('fetch', 'each'), edge('each', 'end'), edge('one', 'two')],
};

describe('autoLayout', () => {
  const next = autoLayout(definition, types, new Map([['fetch', { width: 300, height: 120 }]]));
  const at = (id: string) => next.nodes.find((n) => n.id === id)?.position ?? { x: NaN, y: NaN };

  it('arranges the top level from left to right, from where the graph was', () => {
    expect(at('start').x).toBeLessThan(at('fetch').x);
    expect(at('fetch').x + 300).toBeLessThan(at('each').x);
    expect(at('each').x).toBeLessThan(at('end').x);
    expect(Math.min(...['start', 'fetch', 'each', 'end'].map((id) => at(id).x))).toBe(10);
    expect(Math.min(...['start', 'fetch', 'each', 'end'].map((id) => at(id).y))).toBe(20);
  });

  it('keeps loop children in their loop, relative to it, below its header', () => {
    const one = next.nodes.find((n) => n.id === 'one');
    expect(one?.parentId).toBe('each');
    expect(at('one')).toEqual({ x: LOOP_PADDING, y: LOOP_HEADER });
    expect(at('two').x).toBeGreaterThanOrEqual(LOOP_PADDING + NODE_WIDTH);
    // The loop is drawn large enough for its laid-out body, and the next node starts after it.
    const loop = toFlowNodes({ definition: next, types, inspection: null }, []).find((n) => n.id === 'each');
    expect(loop?.width).toBeGreaterThanOrEqual(at('two').x + NODE_WIDTH);
    expect(at('each').x + (loop?.width ?? 0)).toBeLessThan(at('end').x);
  });

  it('keeps nodes it did not move as they were, and an empty graph as it is', () => {
    const empty = { schemaVersion: 1 as const, nodes: [], edges: [] };
    expect(autoLayout(empty, types, new Map())).toBe(empty);
    const again = autoLayout(next, types, new Map([['fetch', { width: 300, height: 120 }]]));
    expect(again.nodes.map((n) => n.position)).toEqual(next.nodes.map((n) => n.position));
  });
});
