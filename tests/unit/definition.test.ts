// The workflow definition document's shape.
import { describe, expect, it } from 'vitest';
import { definitionSchema, starterDefinition } from '@/workflows/dsl/definition';

describe('definition schema', () => {
  it('accepts the starter definitions', () => {
    expect(definitionSchema.safeParse(starterDefinition('chat')).success).toBe(true);
    expect(definitionSchema.safeParse(starterDefinition('workflow')).success).toBe(true);
  });

  it('reports bad node ids, duplicate ids and missing fields with their paths', () => {
    const def = starterDefinition('workflow');
    const result = definitionSchema.safeParse({
      ...def,
      nodes: [...def.nodes, { ...def.nodes[0] }, { id: '9x', type: '', title: '', config: {} }],
      edges: [...def.edges, ...def.edges],
    });
    expect(result.success).toBe(false);
    const paths = result.error?.issues.map((i) => i.path.join('.')) ?? [];
    expect(paths).toEqual(expect.arrayContaining(['nodes.3.id', 'nodes.3.type', 'nodes.3.position']));
    const second = definitionSchema.safeParse({
      ...def,
      nodes: [...def.nodes, { ...def.nodes[0] }],
      edges: [...def.edges, ...def.edges],
    });
    expect(second.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'nodes.2.id: duplicate node id "start"',
      'edges.1.id: duplicate edge id "e_start_last"',
    ]);
  });

  it('refuses an unknown schema version', () => {
    expect(definitionSchema.safeParse({ ...starterDefinition('chat'), schemaVersion: 2 }).success).toBe(
      false,
    );
  });
});
