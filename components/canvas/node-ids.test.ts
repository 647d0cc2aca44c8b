import { describe, expect, it } from 'vitest';
import { idSuffix, nodeIdStem, uniqueEdgeId, uniqueNodeId } from './node-ids';

describe('node ids', () => {
  it('derives a valid id stem from the type', () => {
    expect(nodeIdStem('llm')).toBe('llm');
    expect(nodeIdStem('human-review')).toBe('human_review');
    expect(nodeIdStem('2fa check')).toBe('node_2fa_check');
    expect(nodeIdStem('x'.repeat(100))).toHaveLength(58);
    expect(/^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(nodeIdStem('--weird--type--'))).toBe(true);
  });

  it('numbers ids of a type from 2 once the plain one is taken', () => {
    expect(uniqueNodeId('llm', new Set())).toBe('llm');
    expect(uniqueNodeId('llm', new Set(['llm']))).toBe('llm_2');
    expect(uniqueNodeId('llm', new Set(['llm', 'llm_2', 'llm_3']))).toBe('llm_4');
    expect(uniqueNodeId('human-review', new Set(['human_review']))).toBe('human_review_2');
  });

  it('never shadows a reference root such as secrets or sys', () => {
    expect(uniqueNodeId('sys', new Set())).toBe('sys_2');
    expect(uniqueNodeId('secrets', new Set())).toBe('secrets_2');
  });

  it('reads the number back for the title', () => {
    expect(idSuffix('llm_3', 'llm')).toBe(3);
    expect(idSuffix('llm', 'llm')).toBeNull();
    expect(idSuffix('human_review_2', 'human-review')).toBe(2);
  });

  it('makes unique edge ids', () => {
    expect(uniqueEdgeId('a', null, 'b', new Set())).toBe('e_a_b');
    expect(uniqueEdgeId('a', 'else', 'b', new Set())).toBe('e_a_else_b');
    expect(uniqueEdgeId('a', null, 'b', new Set(['e_a_b', 'e_a_b_2']))).toBe('e_a_b_3');
    expect(
      uniqueEdgeId('a'.repeat(64), 'h'.repeat(128), 'b'.repeat(64), new Set()).length,
    ).toBeLessThanOrEqual(128);
  });
});
