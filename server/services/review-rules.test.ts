import { describe, expect, it } from 'vitest';
import { DomainError } from '@/server/errors';
import type { ReviewField } from '@/workflows/nodes/human-review';
import { actionsOf, assigneesText, changedFieldNames, editedFieldValues, mayDecide } from './review-rules';

const field = (f: Partial<ReviewField> & Pick<ReviewField, 'name' | 'type'>): ReviewField => ({
  label: '',
  required: false,
  ...f,
});

function fieldError(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError');
}

describe('mayDecide', () => {
  const me = 'a0000000-0000-4000-8000-000000000001';
  const other = 'a0000000-0000-4000-8000-000000000002';

  it('lets any reviewer decide an unassigned review, never a viewer', () => {
    expect(mayDecide({ mode: 'anyone' }, { userId: me, role: 'reviewer' })).toBe(true);
    expect(mayDecide({ mode: 'anyone' }, { userId: me, role: 'viewer' })).toBe(false);
  });

  it('limits a review to its members or its role, with owners always allowed', () => {
    const members = { mode: 'members' as const, userIds: [other] };
    expect(mayDecide(members, { userId: me, role: 'editor' })).toBe(false);
    expect(mayDecide(members, { userId: other, role: 'reviewer' })).toBe(true);
    expect(mayDecide(members, { userId: me, role: 'owner' })).toBe(true);
    const editors = { mode: 'role' as const, role: 'editor' as const };
    expect(mayDecide(editors, { userId: me, role: 'reviewer' })).toBe(false);
    expect(mayDecide(editors, { userId: me, role: 'editor' })).toBe(true);
  });

  it('describes the assignment', () => {
    expect(assigneesText({ mode: 'anyone' }, new Map())).toBe('any reviewer');
    expect(assigneesText({ mode: 'role', role: 'editor' }, new Map())).toBe('editors and above');
    expect(assigneesText({ mode: 'members', userIds: [me, other] }, new Map([[me, 'Ann']]))).toBe(
      'Ann, a former member',
    );
    expect(actionsOf([{ id: 'escalate', label: 'Escalate' }]).map((a) => a.id)).toEqual([
      'approve',
      'reject',
      'escalate',
    ]);
  });
});

describe('editedFieldValues', () => {
  const fields = [
    field({ name: 'headline', type: 'text', value: 'Draft', required: true }),
    field({ name: 'body', type: 'long-text' }),
    field({ name: 'score', type: 'number', value: 1 }),
    field({ name: 'urgent', type: 'boolean' }),
    field({ name: 'tier', type: 'select', options: ['low', 'high'], value: 'low' }),
    field({ name: 'meta', type: 'json', value: { a: 1 } }),
  ];

  it('keeps starting values for untouched fields and converts typed input', () => {
    expect(editedFieldValues(fields, { score: '4.5', meta: '{"b":2}', urgent: true })).toEqual({
      headline: 'Draft',
      body: null,
      score: 4.5,
      urgent: true,
      tier: 'low',
      meta: { b: 2 },
    });
  });

  it('names the field of every bad value', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ headline: '' }, 'fields.headline: is required'],
      [{ headline: 3 }, 'fields.headline: must be text'],
      [{ score: 'many' }, 'fields.score: must be a number'],
      [{ urgent: 'yes' }, 'fields.urgent: must be true or false'],
      [{ tier: 'urgent' }, 'fields.tier: must be one of: low, high'],
      [{ meta: '{' }, 'fields.meta: must be valid JSON'],
      [{ colour: 'red' }, 'fields.colour: is not a field of this review'],
      [{ headline: 'x'.repeat(2001) }, 'fields.headline: must be at most 2000 characters'],
    ];
    for (const [submitted, message] of cases) {
      const error = fieldError(() => editedFieldValues(fields, submitted));
      expect(error.code).toBe('BAD_REQUEST');
      expect(error.message).toBe(message);
      expect(error.field).toBe(message.split(':')[0]);
    }
  });

  it('lists the fields that changed', () => {
    expect(changedFieldNames({ a: 1, b: { x: 1 } }, { a: 1, b: { x: 2 }, c: null })).toEqual(['b']);
  });
});
