// How the inbox names review states and decisions, and shows stored values (the data under
// review, context values, audit before / after) as text.

export type ReviewStateName = 'pending' | 'decided' | 'expired' | 'closed';

export const STATE_LABEL: Record<ReviewStateName, string> = {
  pending: 'Waiting',
  decided: 'Decided',
  expired: 'Expired',
  closed: 'Closed',
};

const BUILT_IN_DECISIONS: Record<string, string> = {
  approve: 'Approved',
  edit: 'Approved with edits',
  reject: 'Rejected',
};

/** "Approved", "Rejected", or a custom action's label (its id when the label is unknown). */
export function decisionLabel(
  decision: string | null | undefined,
  actions: { id: string; label: string }[] = [],
) {
  if (!decision) return '—';
  return BUILT_IN_DECISIONS[decision] ?? (actions.find((a) => a.id === decision)?.label || decision);
}

/** A stored value as text: strings as they are, everything else as (pretty) JSON. */
export function valueText(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  try {
    return JSON.stringify(value, null, 2);
  } catch {
    return String(value);
  }
}

/** Whether a value reads better as a block (objects, arrays, multi-line or long text). */
export function isBlockValue(value: unknown): boolean {
  if (value !== null && typeof value === 'object') return true;
  return typeof value === 'string' && (value.includes('\n') || value.length > 120);
}

/** Age filters of the pending list: hours waiting, and how they read. */
export const AGE_FILTERS: { hours: number; label: string }[] = [
  { hours: 1, label: 'Waiting over 1 hour' },
  { hours: 4, label: 'Waiting over 4 hours' },
  { hours: 24, label: 'Waiting over 1 day' },
  { hours: 24 * 7, label: 'Waiting over 1 week' },
];
