// The pure rules of a review decision: who may decide a review (its assignees), which actions it
// offers, and whether the values a reviewer submits fit the review's typed fields. No I/O, so the
// inbox, the signed external link and the published API's form all judge a decision the same way.
import { badInput } from '@/server/errors';
import type { ReviewAssignees, ReviewField } from '@/workflows/nodes/human-review';
import { type Role, roleAtLeast } from './roles';

export interface ReviewAction {
  id: string;
  label: string;
}

/** Approve and reject, then the node's custom actions. */
export function actionsOf(custom: ReviewAction[]): ReviewAction[] {
  return [{ id: 'approve', label: 'Approve' }, { id: 'reject', label: 'Reject' }, ...custom];
}

/** Whether a member with `role` may decide a review assigned to `assignees`. */
export function mayDecide(assignees: ReviewAssignees, member: { userId: string; role: Role }): boolean {
  if (!roleAtLeast(member.role, 'reviewer')) return false;
  // Owners run the workspace: they may always step in.
  if (member.role === 'owner') return true;
  if (assignees.mode === 'members') return (assignees.userIds ?? []).includes(member.userId);
  if (assignees.mode === 'role') return roleAtLeast(member.role, assignees.role ?? 'reviewer');
  return true;
}

/** Who the review is for, in words (the inbox shows it). */
export function assigneesText(assignees: ReviewAssignees, names: Map<string, string>): string {
  if (assignees.mode === 'members')
    return (assignees.userIds ?? []).map((id) => names.get(id) ?? 'a former member').join(', ');
  if (assignees.mode === 'role') return `${assignees.role ?? 'reviewer'}s and above`;
  return 'any reviewer';
}

function checkValue(field: ReviewField, value: unknown): unknown {
  const at = `fields.${field.name}`;
  const empty = value === undefined || value === null || value === '';
  if (empty) {
    if (field.required) throw badInput(at, 'is required');
    return field.type === 'boolean' ? false : null;
  }
  switch (field.type) {
    case 'text':
    case 'long-text': {
      if (typeof value !== 'string') throw badInput(at, 'must be text');
      const max = field.type === 'text' ? 2_000 : 100_000;
      if (value.length > max) throw badInput(at, `must be at most ${max} characters`);
      return value;
    }
    case 'number': {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isFinite(n)) throw badInput(at, 'must be a number');
      return n;
    }
    case 'boolean':
      if (typeof value !== 'boolean') throw badInput(at, 'must be true or false');
      return value;
    case 'select':
      if (typeof value !== 'string' || !(field.options ?? []).includes(value))
        throw badInput(at, `must be one of: ${(field.options ?? []).join(', ')}`);
      return value;
    case 'json':
      if (typeof value === 'string') {
        try {
          return JSON.parse(value);
        } catch {
          throw badInput(at, 'must be valid JSON');
        }
      }
      return value;
  }
}

/**
 * The fields' values after the reviewer's edits: every field of the review (unchanged ones keep
 * their starting value), each checked against its type. Unknown names are refused.
 */
export function editedFieldValues(
  fields: ReviewField[],
  submitted: Record<string, unknown> | undefined,
): Record<string, unknown> {
  const known = new Set(fields.map((f) => f.name));
  for (const name of Object.keys(submitted ?? {}))
    if (!known.has(name)) throw badInput(`fields.${name}`, 'is not a field of this review');
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    const given = submitted && field.name in submitted ? submitted[field.name] : field.value;
    out[field.name] = checkValue(field, given);
  }
  return out;
}

/** The starting values of the fields, by name (what "before" means in the audit). */
export function startingFieldValues(fields: ReviewField[]): Record<string, unknown> {
  return Object.fromEntries(fields.map((f) => [f.name, f.value ?? null]));
}

/** Names of the fields whose value changed. */
export function changedFieldNames(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  return Object.keys(after).filter(
    (k) => JSON.stringify(before[k] ?? null) !== JSON.stringify(after[k] ?? null),
  );
}
