import { describe, expect, it } from 'vitest';
import type { WorkflowDefinition, WorkflowNode } from '@/workflows/dsl/definition';
import { copyNodes, pasteNodes, renameReferences } from './clipboard';

const node = (
  id: string,
  type: string,
  config: Record<string, unknown> = {},
  parentId?: string,
): WorkflowNode => ({
  id,
  type,
  title: id,
  config,
  position: { x: 100, y: 50 },
  ...(parentId ? { parentId } : {}),
});
const definition: WorkflowDefinition = {
  schemaVersion: 1,
  nodes: [
    node('start', 'start'),
    node('llm', 'llm', { prompt: 'Summarise {{start.text}}' }),
    node('tpl', 'template', { template: 'Said: {{ llm.text }} / {{llm}} / {{llmx.text}}' }),
    node('each', 'loop', { items: '{{llm.items}}' }),
    node('body', 'template', { template: '{{each.item}}' }, 'each'),
    node('end', 'end'),
  ],
  edges: [
    { id: 'e1', source: 'start', sourceHandle: null, target: 'llm', targetHandle: null },
    { id: 'e2', source: 'llm', sourceHandle: null, target: 'tpl', targetHandle: null },
    { id: 'e3', source: 'tpl', sourceHandle: null, target: 'end', targetHandle: null },
    { id: 'e4', source: 'llm', sourceHandle: 'error', target: 'each', targetHandle: null },
  ],
};

describe('copyNodes', () => {
  it('copies the selection with loop bodies and only inner edges, never the start node', () => {
    const clip = copyNodes(definition, ['start', 'llm', 'tpl']);
    expect(clip?.nodes.map((n) => n.id)).toEqual(['llm', 'tpl']);
    expect(clip?.edges.map((e) => e.id)).toEqual(['e2']);
    expect(copyNodes(definition, ['each'])?.nodes.map((n) => n.id)).toEqual(['each', 'body']);
    expect(copyNodes(definition, ['start'])).toBeNull();
    expect(copyNodes(definition, [])).toBeNull();
  });
});

describe('pasteNodes', () => {
  it('gives pasted nodes new ids, rewires inner edges and references, and offsets them', () => {
    const clip = copyNodes(definition, ['llm', 'tpl']);
    if (!clip) throw new Error('nothing copied');
    const { definition: next, ids } = pasteNodes(definition, clip, { x: 40, y: 40 });
    expect(ids).toEqual(['llm_2', 'tpl_2']);
    const pasted = next.nodes.slice(-2);
    expect(pasted[0]).toMatchObject({
      id: 'llm_2',
      position: { x: 140, y: 90 },
      config: { prompt: 'Summarise {{start.text}}' },
    });
    expect(pasted[1]?.config.template).toBe('Said: {{ llm_2.text }} / {{llm_2}} / {{llmx.text}}');
    expect(next.edges.at(-1)).toEqual({
      id: 'e_llm_2_tpl_2',
      source: 'llm_2',
      sourceHandle: null,
      target: 'tpl_2',
      targetHandle: null,
    });
    expect(next.edges).toHaveLength(definition.edges.length + 1);
    // The originals are untouched.
    expect(next.nodes.slice(0, definition.nodes.length)).toEqual(definition.nodes);
  });

  it('pastes a loop with its body inside the new loop, at the same relative position', () => {
    const clip = copyNodes(definition, ['each']);
    if (!clip) throw new Error('nothing copied');
    const { definition: next } = pasteNodes(definition, clip, { x: 40, y: 40 });
    const [loop, body] = next.nodes.slice(-2);
    expect(loop).toMatchObject({ id: 'each_2', position: { x: 140, y: 90 } });
    expect(body).toMatchObject({ id: 'body_2', parentId: 'each_2', position: { x: 100, y: 50 } });
    expect(body?.config.template).toBe('{{each_2.item}}');
  });

  it('pastes a body node alone back into its loop', () => {
    const clip = copyNodes(definition, ['body']);
    if (!clip) throw new Error('nothing copied');
    const { definition: next } = pasteNodes(definition, clip, { x: 40, y: 40 });
    expect(next.nodes.at(-1)).toMatchObject({ id: 'body_2', parentId: 'each', position: { x: 140, y: 90 } });
    const { definition: orphaned } = pasteNodes(
      { ...definition, nodes: [definition.nodes[0] as WorkflowNode] },
      clip,
      {
        x: 0,
        y: 0,
      },
    );
    expect(orphaned.nodes.at(-1)?.parentId).toBeUndefined();
  });

  it('renames reference roots deep inside values', () => {
    const ids = new Map([['a', 'b']]);
    expect(renameReferences({ list: ['{{a.x}}', { y: '{{ a }}' }], n: 1, other: '{{ab.x}}' }, ids)).toEqual({
      list: ['{{b.x}}', { y: '{{ b }}' }],
      n: 1,
      other: '{{ab.x}}',
    });
  });
});
