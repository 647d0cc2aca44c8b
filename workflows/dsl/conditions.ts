// Structured conditions used by the condition node and while loops: a left operand, an operator and
// an optional right operand, combined with and/or. Never eval'd: each operator has typed semantics,
// and comparisons between values of incompatible types fail the step instead of guessing.
import { z } from 'zod';
import { type Json, StepError } from '@/workflows/interpreter/types';

export const CONDITION_OPERATORS = [
  'eq',
  'ne',
  'gt',
  'gte',
  'lt',
  'lte',
  'contains',
  'not_contains',
  'starts_with',
  'ends_with',
  'empty',
  'not_empty',
  'in',
  'not_in',
  'is_true',
  'is_false',
] as const;
export type ConditionOperator = (typeof CONDITION_OPERATORS)[number];

/** Operators that only look at the left operand. */
export const UNARY_OPERATORS: readonly ConditionOperator[] = ['empty', 'not_empty', 'is_true', 'is_false'];

export const conditionSchema = z.object({
  left: z.unknown().describe('The value to test: usually a {{node.field}} reference'),
  operator: z.enum(CONDITION_OPERATORS).describe('How to compare'),
  right: z
    .unknown()
    .optional()
    .describe('The value to compare with (a list for in / not_in; unused by empty, is_true, …)'),
});

export const conditionGroupSchema = z.object({
  logic: z.enum(['and', 'or']).default('and').describe('and: every condition must hold; or: any one'),
  conditions: z.array(conditionSchema).min(1, 'needs at least one condition'),
});

export type Condition = z.infer<typeof conditionSchema>;
/** Accepts groups before defaults are applied too (a missing `logic` means and). */
export type ConditionGroup = z.input<typeof conditionGroupSchema>;

type JsonType = 'null' | 'boolean' | 'number' | 'string' | 'array' | 'object';

export function jsonType(value: Json): JsonType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value as 'boolean' | 'number' | 'string' | 'object';
}

const NUMERIC = /^\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*$/;

/** The number a value stands for: numbers, and strings that are entirely a decimal number. */
function asNumber(value: Json): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && NUMERIC.test(value)) {
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/** Structural equality of JSON values (object key order does not matter). */
export function deepEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, i) => deepEqual(item, b[i] ?? null));
  }
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null && !Array.isArray(b)) {
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((k) => Object.hasOwn(b, k) && deepEqual(a[k] ?? null, b[k] ?? null));
  }
  return false;
}

/** eq semantics: deep equality, except that a number equals the numeric string of the same value. */
function looseEqual(a: Json, b: Json): boolean {
  if ((typeof a === 'number' && typeof b === 'string') || (typeof a === 'string' && typeof b === 'number')) {
    const x = asNumber(a);
    const y = asNumber(b);
    return x !== undefined && y !== undefined && x === y;
  }
  return deepEqual(a, b);
}

function invalid(message: string): StepError {
  return new StepError({ message, code: 'invalid_comparison', retryable: false });
}

/**
 * Ordering: two values that are numbers or numeric strings compare as numbers (so "10" > "9", as a
 * form field would suggest); otherwise two strings compare by UTF-16 code units, deterministically
 * and independent of locale. Anything else cannot be ordered.
 */
function order(left: Json, right: Json, operator: ConditionOperator): number {
  const x = asNumber(left);
  const y = asNumber(right);
  if (x !== undefined && y !== undefined) return x - y;
  if (typeof left === 'string' && typeof right === 'string') {
    if (left === right) return 0;
    return left < right ? -1 : 1;
  }
  throw invalid(`cannot compare ${jsonType(left)} with ${jsonType(right)} using ${operator}`);
}

function isEmpty(value: Json): boolean {
  if (value === null || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.keys(value).length === 0;
  return false;
}

/** contains: substring for strings (scalars on the right are stringified), element for arrays. */
function contains(left: Json, right: Json, operator: ConditionOperator): boolean {
  // A missing value contains nothing rather than failing the run.
  if (left === null) return false;
  if (Array.isArray(left)) return left.some((item) => looseEqual(item, right));
  if (typeof left === 'string' && (typeof right === 'string' || typeof right === 'number')) {
    return left.includes(String(right));
  }
  throw invalid(`cannot compare ${jsonType(left)} with ${jsonType(right)} using ${operator}`);
}

function affix(left: Json, right: Json, operator: 'starts_with' | 'ends_with'): boolean {
  if (left === null) return false;
  if (
    (typeof left === 'string' || typeof left === 'number') &&
    (typeof right === 'string' || typeof right === 'number')
  ) {
    const l = String(left);
    return operator === 'starts_with' ? l.startsWith(String(right)) : l.endsWith(String(right));
  }
  throw invalid(`cannot compare ${jsonType(left)} with ${jsonType(right)} using ${operator}`);
}

function member(left: Json, right: Json, operator: 'in' | 'not_in'): boolean {
  // A missing list has no members.
  if (right === null) return false;
  if (!Array.isArray(right)) {
    throw invalid(`cannot compare ${jsonType(left)} with ${jsonType(right)} using ${operator}: needs a list`);
  }
  return right.some((item) => looseEqual(left, item));
}

function truth(value: Json, operator: 'is_true' | 'is_false'): boolean | null {
  if (value === null) return null;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const text = value.trim().toLowerCase();
    if (text === 'true') return true;
    if (text === 'false') return false;
  }
  throw invalid(`cannot test ${jsonType(value)} with ${operator}: expected a boolean`);
}

/** Evaluates one condition on already-resolved operands. Throws StepError(invalid_comparison). */
export function compare(left: Json, operator: ConditionOperator, right: Json): boolean {
  switch (operator) {
    case 'eq':
      return looseEqual(left, right);
    case 'ne':
      return !looseEqual(left, right);
    case 'gt':
      return order(left, right, operator) > 0;
    case 'gte':
      return order(left, right, operator) >= 0;
    case 'lt':
      return order(left, right, operator) < 0;
    case 'lte':
      return order(left, right, operator) <= 0;
    case 'contains':
      return contains(left, right, operator);
    case 'not_contains':
      return !contains(left, right, operator);
    case 'starts_with':
    case 'ends_with':
      return affix(left, right, operator);
    case 'empty':
      return isEmpty(left);
    case 'not_empty':
      return !isEmpty(left);
    case 'in':
      return member(left, right, operator);
    case 'not_in':
      return !member(left, right, operator);
    // A missing value is neither true nor false.
    case 'is_true':
      return truth(left, operator) === true;
    case 'is_false':
      return truth(left, operator) === false;
  }
}

export function evaluateCondition(condition: Condition, resolve: (v: unknown) => Json): boolean {
  const left = resolve(condition.left);
  const right = UNARY_OPERATORS.includes(condition.operator) ? null : resolve(condition.right);
  return compare(left, condition.operator, right);
}

/** Evaluates a group; and/or short-circuit, so later operands are not resolved needlessly. */
export function evaluateGroup(group: ConditionGroup, resolve: (v: unknown) => Json): boolean {
  const test = (c: Condition) => evaluateCondition(c, resolve);
  return (group.logic ?? 'and') === 'or' ? group.conditions.some(test) : group.conditions.every(test);
}
