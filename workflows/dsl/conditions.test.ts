// Structured conditions: typed operator semantics, and/or groups, and refused comparisons.
import { describe, expect, it } from 'vitest';
import {
  type ConditionOperator,
  compare,
  conditionGroupSchema,
  evaluateGroup,
} from '@/workflows/dsl/conditions';
import { getPath, resolveValue } from '@/workflows/dsl/references';
import { type Json, StepError } from '@/workflows/interpreter/types';

const cases: [Json, ConditionOperator, Json, boolean][] = [
  [3, 'eq', '3', true],
  ['3', 'eq', 3, true],
  ['3', 'eq', '3.0', false],
  [{ a: [1, 2], b: 'x' }, 'eq', { b: 'x', a: [1, 2] }, true],
  [[1, 2], 'eq', [2, 1], false],
  [null, 'eq', null, true],
  [true, 'eq', 'true', false],
  ['a', 'ne', 'b', true],
  [3, 'ne', '3', false],
  [10, 'gt', 9, true],
  ['10', 'gt', '9', true],
  ['10', 'gt', 9, true],
  ['b', 'gt', 'a', true],
  ['B', 'gt', 'a', false],
  [5, 'gte', 5, true],
  [4, 'lt', '4.5', true],
  ['2024-01-02', 'lte', '2024-01-10', true],
  ['hello world', 'contains', 'lo w', true],
  ['abc', 'contains', 'd', false],
  [[1, { x: 1 }], 'contains', { x: 1 }, true],
  [['1', '2'], 'contains', 2, true],
  [null, 'contains', 'x', false],
  ['abc', 'not_contains', 'd', true],
  ['abc', 'starts_with', 'ab', true],
  ['abc', 'ends_with', 'bc', true],
  ['abc', 'ends_with', 'ab', false],
  [null, 'empty', null, true],
  ['', 'empty', null, true],
  [[], 'empty', null, true],
  [{}, 'empty', null, true],
  [0, 'empty', null, false],
  [' ', 'empty', null, false],
  [[0], 'not_empty', null, true],
  ['b', 'in', ['a', 'b'], true],
  [2, 'in', ['1', '2'], true],
  ['c', 'in', ['a', 'b'], false],
  ['c', 'in', null, false],
  ['c', 'not_in', ['a', 'b'], true],
  [true, 'is_true', null, true],
  ['true', 'is_true', null, true],
  ['False', 'is_false', null, true],
  [false, 'is_true', null, false],
  [null, 'is_true', null, false],
  [null, 'is_false', null, false],
];

describe('compare', () => {
  it.each(cases)('%j %s %j → %s', (left, operator, right, expected) => {
    expect(compare(left, operator, right)).toBe(expected);
  });

  it('refuses to order values of different types', () => {
    const attempt = () => compare({ a: 1 }, 'gt', 3);
    expect(attempt).toThrow(StepError);
    expect(attempt).toThrow('cannot compare object with number using gt');
    const caught = (() => {
      try {
        compare(true, 'lt', 'x');
      } catch (error) {
        return error;
      }
    })();
    expect(caught).toBeInstanceOf(StepError);
    expect((caught as StepError).toData()).toEqual({
      message: 'cannot compare boolean with string using lt',
      code: 'invalid_comparison',
      retryable: false,
    });
    expect(() => compare('abc', 'gt', 1)).toThrow('cannot compare string with number using gt');
  });

  it('refuses contains on numbers, in on non-lists and is_true on numbers', () => {
    expect(() => compare(5, 'contains', 5)).toThrow(/cannot compare number with number using contains/);
    expect(() => compare('a', 'in', 'abc')).toThrow(/using in/);
    expect(() => compare(1, 'is_true', null)).toThrow(/is_true/);
  });
});

describe('evaluateGroup', () => {
  const values: Record<string, Json> = { llm: { score: 0.8, label: 'spam' } };
  const resolve = (v: unknown) => resolveValue(v, (root, path) => getPath(values[root], path));

  it('resolves operands and combines with and (the default)', () => {
    const group = conditionGroupSchema.parse({
      conditions: [
        { left: '{{llm.score}}', operator: 'gte', right: 0.5 },
        { left: '{{llm.label}}', operator: 'eq', right: 'spam' },
      ],
    });
    expect(group.logic).toBe('and');
    expect(evaluateGroup(group, resolve)).toBe(true);
    expect(
      evaluateGroup(
        {
          conditions: [
            { left: '{{llm.score}}', operator: 'gte', right: 0.9 },
            { left: '{{llm.label}}', operator: 'eq', right: 'spam' },
          ],
        },
        resolve,
      ),
    ).toBe(false);
  });

  it('combines with or and short-circuits', () => {
    let calls = 0;
    const counting = (v: unknown) => {
      calls++;
      return resolve(v);
    };
    const group = {
      logic: 'or' as const,
      conditions: [
        { left: '{{llm.label}}', operator: 'eq' as const, right: 'spam' },
        { left: '{{llm.score}}', operator: 'gt' as const, right: { not: 'comparable' } },
      ],
    };
    expect(evaluateGroup(group, counting)).toBe(true);
    expect(calls).toBe(2);
  });

  it('rejects an empty group and unknown operators', () => {
    expect(conditionGroupSchema.safeParse({ conditions: [] }).success).toBe(false);
    expect(
      conditionGroupSchema.safeParse({ conditions: [{ left: 1, operator: 'matches', right: 'x' }] }).success,
    ).toBe(false);
  });
});
