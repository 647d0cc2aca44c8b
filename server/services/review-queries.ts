// Reading reviews for the inbox: the pending list with its filters (assigned to me, app, age), the
// count behind the navigation badge, one review in full, the history of decided and expired ones,
// and that history as CSV. A review's state is derived when read: decided or cancelled as stored;
// expired once its deadline has passed undecided; closed when its run ended without a decision.
import { and, desc, eq, gt, inArray, isNull, lt, or, type SQL, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { apps, memberships, reviews, runs, users } from '@/db/schema';
import { notFound } from '@/server/errors';
import type { ReviewAssignees, ReviewField } from '@/workflows/nodes/human-review';
import { actionsOf, assigneesText, mayDecide, type ReviewAction } from './review-rules';
import type { Role } from './roles';

export type ReviewState = 'pending' | 'decided' | 'expired' | 'closed';

const LIVE_RUN = ['queued', 'running', 'paused'] as const;

/** The derived state, in SQL (see the file's first lines). */
const stateSql = sql<ReviewState>`case
  when ${reviews.status} = 'decided' then 'decided'
  when ${reviews.status} = 'cancelled' then 'closed'
  when ${reviews.deadlineAt} is not null and ${reviews.deadlineAt} <= now() then 'expired'
  when ${runs.status} not in ('queued', 'running', 'paused') then 'closed'
  else 'pending' end`;

const pendingWhere = () =>
  and(
    eq(reviews.status, 'pending'),
    or(isNull(reviews.deadlineAt), gt(reviews.deadlineAt, sql`now()`)),
    inArray(runs.status, [...LIVE_RUN]),
  );

export interface ReviewViewer {
  userId: string;
  role: Role;
}

export interface ListFilters {
  /** pending: waiting now; history: decided, expired or closed. */
  view: 'pending' | 'history';
  assignedToMe?: boolean;
  appId?: string;
  /** Only reviews waiting (or created) at least this long ago. */
  olderThanHours?: number;
  /** History only: which outcome. */
  outcome?: 'decided' | 'expired' | 'closed';
  /** History only: the decision taken (approve, reject, edit, a custom action). */
  decision?: string;
  cursor?: { createdAt: Date; id: string } | null;
  limit: number;
}

const summaryColumns = {
  id: reviews.id,
  title: reviews.title,
  appId: reviews.appId,
  appName: apps.name,
  runId: reviews.runId,
  nodeId: reviews.nodeId,
  assignees: reviews.assignees,
  deadlineAt: reviews.deadlineAt,
  createdAt: reviews.createdAt,
  decidedAt: reviews.decidedAt,
  decidedByName: reviews.decidedByName,
  decision: reviews.decision,
  comment: reviews.comment,
  state: stateSql,
};

function filterWhere(workspaceId: string, filters: ListFilters): SQL | undefined {
  const parts: (SQL | undefined)[] = [eq(reviews.workspaceId, workspaceId)];
  if (filters.view === 'pending') parts.push(pendingWhere());
  else {
    parts.push(sql`${stateSql} <> 'pending'`);
    if (filters.outcome) parts.push(sql`${stateSql} = ${filters.outcome}`);
    if (filters.decision) parts.push(eq(reviews.decision, filters.decision));
  }
  if (filters.appId) parts.push(eq(reviews.appId, filters.appId));
  if (filters.olderThanHours)
    parts.push(lt(reviews.createdAt, sql`now() - ${filters.olderThanHours} * interval '1 hour'`));
  if (filters.cursor)
    parts.push(
      or(
        lt(reviews.createdAt, filters.cursor.createdAt),
        and(eq(reviews.createdAt, filters.cursor.createdAt), lt(reviews.id, filters.cursor.id)),
      ),
    );
  return and(...parts);
}

/** Reviews for the inbox, newest first, with whether the viewer may decide each. */
export async function listReviews(db: Db, workspaceId: string, viewer: ReviewViewer, filters: ListFilters) {
  // "Assigned to me" is judged in code (assignments are JSON), so read generously and trim after.
  const rows = await db
    .select(summaryColumns)
    .from(reviews)
    .innerJoin(runs, eq(runs.id, reviews.runId))
    .innerJoin(apps, eq(apps.id, reviews.appId))
    .where(filterWhere(workspaceId, filters))
    .orderBy(desc(reviews.createdAt), desc(reviews.id))
    .limit(filters.assignedToMe ? 1000 : filters.limit + 1);
  const withRights = rows.map((r) => {
    const mine = mayDecide(r.assignees as ReviewAssignees, viewer);
    return { ...r, mine, canDecide: r.state === 'pending' && mine };
  });
  // "Assigned to me": the reviews this member may decide.
  const kept = filters.assignedToMe ? withRights.filter((r) => r.mine) : withRights;
  const page = kept.slice(0, filters.limit);
  const last = page[page.length - 1];
  return {
    reviews: page.map(({ assignees: _assignees, mine: _mine, ...r }) => r),
    nextCursor: kept.length > filters.limit && last ? { createdAt: last.createdAt, id: last.id } : null,
  };
}

/** How many pending reviews the viewer may decide (the navigation badge). */
export async function pendingReviewCount(db: Db, workspaceId: string, viewer: ReviewViewer) {
  const rows = await db
    .select({ assignees: reviews.assignees })
    .from(reviews)
    .innerJoin(runs, eq(runs.id, reviews.runId))
    .where(and(eq(reviews.workspaceId, workspaceId), pendingWhere()))
    .limit(10_000);
  return { count: rows.filter((r) => mayDecide(r.assignees as ReviewAssignees, viewer)).length };
}

/** One review in full: what the reviewer sees, who may decide, and the decision's audit. */
export async function getReview(db: Db, workspaceId: string, viewer: ReviewViewer, reviewId: string) {
  const [row] = await db
    .select({ review: reviews, appName: apps.name, runStatus: runs.status, state: stateSql })
    .from(reviews)
    .innerJoin(runs, eq(runs.id, reviews.runId))
    .innerJoin(apps, eq(apps.id, reviews.appId))
    .where(and(eq(reviews.id, reviewId), eq(reviews.workspaceId, workspaceId)));
  if (!row) throw notFound('Review');
  const { review } = row;
  const assignees = review.assignees as ReviewAssignees;
  const names = new Map<string, string>();
  if (assignees.mode === 'members' && assignees.userIds?.length) {
    const members = await db
      .select({ id: users.id, name: users.name })
      .from(users)
      .innerJoin(memberships, and(eq(memberships.userId, users.id), eq(memberships.workspaceId, workspaceId)))
      .where(inArray(users.id, assignees.userIds));
    for (const m of members) names.set(m.id, m.name);
  }
  return {
    id: review.id,
    title: review.title,
    instructions: review.instructions,
    context: review.context as { label: string; value: unknown }[],
    data: review.data,
    allowEdit: review.allowEdit,
    fields: review.fields as ReviewField[],
    actions: actionsOf(review.actions as ReviewAction[]),
    assignedTo: assigneesText(assignees, names),
    allowExternal: review.allowExternal,
    appId: review.appId,
    appName: row.appName,
    runId: review.runId,
    runStatus: row.runStatus,
    nodeId: review.nodeId,
    state: row.state,
    canDecide: row.state === 'pending' && mayDecide(assignees, viewer),
    deadlineAt: review.deadlineAt,
    createdAt: review.createdAt,
    audit:
      review.status === 'decided'
        ? {
            decidedAt: review.decidedAt,
            decidedByName: review.decidedByName,
            decision: review.decision,
            comment: review.comment,
            before: review.valuesBefore,
            after: review.valuesAfter,
          }
        : null,
  };
}

/** The reviews of a run, oldest first (the run page shows their audit). */
export async function reviewsOfRun(db: Db, workspaceId: string, runId: string) {
  const [run] = await db
    .select({ id: runs.id })
    .from(runs)
    .where(and(eq(runs.id, runId), eq(runs.workspaceId, workspaceId)));
  if (!run) throw notFound('Run');
  return db
    .select({
      id: reviews.id,
      title: reviews.title,
      nodeId: reviews.nodeId,
      stepKey: reviews.stepKey,
      state: stateSql,
      decidedAt: reviews.decidedAt,
      decidedByName: reviews.decidedByName,
      decision: reviews.decision,
      comment: reviews.comment,
      before: reviews.valuesBefore,
      after: reviews.valuesAfter,
      deadlineAt: reviews.deadlineAt,
      createdAt: reviews.createdAt,
    })
    .from(reviews)
    .innerJoin(runs, eq(runs.id, reviews.runId))
    .where(and(eq(reviews.workspaceId, workspaceId), eq(reviews.runId, runId)))
    .orderBy(reviews.createdAt);
}

const csvCell = (value: unknown): string => {
  const text =
    value === null || value === undefined
      ? ''
      : value instanceof Date
        ? value.toISOString()
        : typeof value === 'object'
          ? JSON.stringify(value)
          : String(value);
  // Cells a spreadsheet would run as a formula are prefixed with a quote.
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

/** The review history (as filtered) as CSV, up to 10 000 rows. */
export async function reviewHistoryCsv(
  db: Db,
  workspaceId: string,
  filters: Omit<ListFilters, 'view' | 'cursor' | 'limit' | 'assignedToMe'>,
) {
  const rows = await db
    .select({
      id: reviews.id,
      title: reviews.title,
      app: apps.name,
      runId: reviews.runId,
      state: stateSql,
      decision: reviews.decision,
      decidedBy: reviews.decidedByName,
      decidedAt: reviews.decidedAt,
      comment: reviews.comment,
      before: reviews.valuesBefore,
      after: reviews.valuesAfter,
      createdAt: reviews.createdAt,
      deadlineAt: reviews.deadlineAt,
    })
    .from(reviews)
    .innerJoin(runs, eq(runs.id, reviews.runId))
    .innerJoin(apps, eq(apps.id, reviews.appId))
    .where(filterWhere(workspaceId, { ...filters, view: 'history', limit: 10_000 }))
    .orderBy(desc(reviews.createdAt), desc(reviews.id))
    .limit(10_000);
  const header = [
    'review_id',
    'title',
    'app',
    'run_id',
    'outcome',
    'decision',
    'decided_by',
    'decided_at',
    'comment',
    'before',
    'after',
    'created_at',
    'deadline_at',
  ];
  const lines = rows.map((r) =>
    [
      r.id,
      r.title,
      r.app,
      r.runId,
      r.state,
      r.decision,
      r.decidedBy,
      r.decidedAt,
      r.comment,
      r.before,
      r.after,
      r.createdAt,
      r.deadlineAt,
    ]
      .map(csvCell)
      .join(','),
  );
  return { csv: `${[header.join(','), ...lines].join('\r\n')}\r\n`, rows: rows.length };
}
