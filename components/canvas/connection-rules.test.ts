import { describe, expect, it } from 'vitest';
import type { WorkflowDefinition, WorkflowNode } from '@/workflows/dsl/definition';
import type { DefinitionInspection } from '@/workflows/dsl/inspection-types';
import { connect, connectionProblem, isValidConnection } from './connection-rules';

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
    node('check', 'condition'),
    node('a', 'llm'),
    node('b', 'llm'),
    node('each', 'loop'),
    node('inner', 'template', 'each'),
    node('inner2', 'template', 'each'),
    node('end', 'end'),
  ],
  edges: [
    { id: 'e_start_check', source: 'start', sourceHandle: null, target: 'check', targetHandle: null },
    { id: 'e_check_big_a', source: 'check', sourceHandle: 'big', target: 'a', targetHandle: null },
    { id: 'e_a_b', source: 'a', sourceHandle: null, target: 'b', targetHandle: null },
  ],
};
const inspection: DefinitionInspection = {
  problems: [],
  nodes: {
    start: { inputHandles: [], outputHandles: [null], summary: '', outputFields: [] },
    check: { inputHandles: [null], outputHandles: ['big', 'else'], summary: '', outputFields: [] },
  },
  upstream: {},
};
const valid = (source: string, target: string, sourceHandle: string | null = null) =>
  isValidConnection(definition, inspection, { source, target, sourceHandle, targetHandle: null });

describe('connection rules', () => {
  it('accepts a new edge between existing handles at one level', () => {
    expect(valid('check', 'b', 'else')).toBe(true);
    expect(valid('b', 'end')).toBe(true);
    expect(valid('inner', 'inner2')).toBe(true);
  });

  it('refuses handles the nodes do not have', () => {
    expect(valid('check', 'b')).toBe(false);
    expect(valid('check', 'b', 'small')).toBe(false);
    expect(valid('b', 'end', 'error')).toBe(false);
    expect(valid('b', 'start')).toBe(false);
    expect(connectionProblem(definition, inspection, { source: 'b', target: 'start' })).toMatch(
      /no such input/,
    );
  });

  it('refuses self-loops, duplicates, cycles and edges across a loop boundary', () => {
    expect(connectionProblem(definition, inspection, { source: 'a', target: 'a' })).toMatch(/itself/);
    expect(connectionProblem(definition, inspection, { source: 'a', target: 'b' })).toMatch(/already/);
    expect(connectionProblem(definition, inspection, { source: 'b', target: 'check' })).toMatch(/cycle/);
    expect(connectionProblem(definition, inspection, { source: 'a', target: 'inner' })).toMatch(/boundary/);
    expect(valid('ghost', 'a')).toBe(false);
  });

  it('adds a valid connection as an edge with a unique id, and nothing otherwise', () => {
    const withDuplicateId: WorkflowDefinition = {
      ...definition,
      edges: [
        ...definition.edges,
        { id: 'e_b_end', source: 'x', sourceHandle: null, target: 'y', targetHandle: null },
      ],
    };
    const next = connect(withDuplicateId, inspection, {
      source: 'b',
      target: 'end',
      sourceHandle: null,
      targetHandle: null,
    });
    expect(next.edges.at(-1)).toEqual({
      id: 'e_b_end_2',
      source: 'b',
      sourceHandle: null,
      target: 'end',
      targetHandle: null,
    });
    const branch = connect(definition, inspection, { source: 'check', sourceHandle: 'else', target: 'end' });
    expect(branch.edges.at(-1)?.id).toBe('e_check_else_end');
    expect(connect(definition, inspection, { source: 'a', target: 'a' })).toBe(definition);
  });
});
