// Human-review tasks: opened when a run pauses at a review node (on either engine, from the node's
// activity), decided by a member in the inbox, by an outsider through a signed link, or by an API
// client through its form token. Every path goes through `decideReview`, which lets exactly one
// decision win (a conditional update on the pending row), writes the audit (who, when, action,
// values before and after, comment), then signals the run on whichever engine it runs.
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { reviews, runs } from '@/db/schema';
import { badInput, conflict, DomainError, forbidden, notFound } from '@/server/errors';
import { EngineError, FINISHED } from '@/workflows/engines/embedded/engine';
import type { RunEngine } from '@/workflows/engines/run-engine';
import { reviewSignalName } from '@/workflows/interpreter';
import type { Json } from '@/workflows/interpreter/types';
import {
  humanReviewConfigSchema,
  type ReviewAssignees,
  type ReviewDecision,
  type ReviewField,
} from '@/workflows/nodes/human-review';
import { recordAudit } from './audit';
import { notifyReviewOpened } from './review-notifications';
import { sendReviewNotices } from './review-outbound';
import {
  actionsOf,
  changedFieldNames,
  editedFieldValues,
  mayDecide,
  type ReviewAction,
  startingFieldValues,
} from './review-rules';
import type { Role } from './roles';

export interface OpenReviewInput {
  runId: string;
  workspaceId: string;
  stepKey: string;
  nodeId: string;
  /** The review node's config with references resolved. */
  config: Json;
}

/** Stores the review task of a paused run (once per step: retries and replays change nothing). */
export async function openReview(db: Db, input: OpenReviewInput): Promise<void> {
  const parsed = humanReviewConfigSchema.safeParse(input.config);
  // The engine validated the config before the run started; a config that no longer parses (an
  // older shape) still gets a task with what can be read from it.
  const config = parsed.success ? parsed.data : humanReviewConfigSchema.parse({});
  const [run] = await db
    .select({ appId: runs.appId, definition: runs.definition })
    .from(runs)
    .where(and(eq(runs.id, input.runId), eq(runs.workspaceId, input.workspaceId)));
  if (!run) return;
  const nodes = (run.definition as { nodes?: { id: string; title?: string }[] }).nodes ?? [];
  const nodeTitle = nodes.find((n) => n.id === input.nodeId)?.title;
  const now = Date.now();
  const [inserted] = await db
    .insert(reviews)
    .values({
      workspaceId: input.workspaceId,
      appId: run.appId,
      runId: input.runId,
      stepKey: input.stepKey,
      nodeId: input.nodeId,
      title: config.title?.trim() || nodeTitle || 'Review',
      instructions: config.instructions,
      context: (config.context ?? []) as Json,
      data: (config.data ?? null) as Json,
      allowEdit: config.allowEdit,
      fields: (config.fields ?? []) as Json,
      actions: (config.actions ?? []) as Json,
      assignees: (config.assignees ?? { mode: 'anyone' }) as Json,
      allowExternal: config.allowExternal ?? false,
      deadlineAt: config.deadlineMs === undefined ? null : new Date(now + config.deadlineMs),
      remindAt: config.reminderMs === undefined ? null : new Date(now + config.reminderMs),
    })
    .onConflictDoNothing()
    .returning({ id: reviews.id });
  if (!inserted) return;
  // Notifications never hold up the run; they report their own failures.
  void notifyReviewOpened(db, inserted.id).catch((error: unknown) =>
    console.error(`review ${inserted.id}: notifications failed:`, error),
  );
  // The workspace's webhook and (with SMTP configured) e-mail; never rejects.
  void sendReviewNotices(db, inserted.id, 'opened');
}

export type ReviewActor =
  | { kind: 'member'; userId: string; role: Role; name: string }
  | { kind: 'external'; name: string; linkId: string }
  | { kind: 'api'; name: string };

export interface DecisionInput {
  /** approve | reject | a custom action id */
  action: string;
  /** New values of the review's fields, by name (unnamed fields keep their value). */
  fields?: Record<string, unknown>;
  /** The data under review, edited (when the review allows edits). */
  data?: unknown;
  comment?: string;
}

export type ReviewRow = typeof reviews.$inferSelect;

const alreadyDecided = (review: ReviewRow) =>
  conflict(
    `Already decided by ${review.decidedByName ?? 'someone'}${
      review.decidedAt ? ` at ${review.decidedAt.toISOString()}` : ''
    } (${review.decision ?? 'decided'})`,
  );

/** Why a review can no longer be decided, or null when it can. */
export function closedReason(review: ReviewRow, runStatus: string, now = Date.now()): DomainError | null {
  if (review.status === 'decided') return alreadyDecided(review);
  if (review.status === 'pending' && review.deadlineAt && review.deadlineAt.getTime() <= now)
    return conflict(`This review expired at ${review.deadlineAt.toISOString()}`);
  if (review.status === 'cancelled' || (FINISHED as readonly string[]).includes(runStatus))
    return conflict('This review is closed: its run has ended');
  return null;
}

async function loadForDecision(db: Db, workspaceId: string, reviewId: string) {
  const [row] = await db
    .select({ review: reviews, runStatus: runs.status, engine: runs.engine })
    .from(reviews)
    .innerJoin(runs, eq(runs.id, reviews.runId))
    .where(and(eq(reviews.id, reviewId), eq(reviews.workspaceId, workspaceId)));
  if (!row) throw notFound('Review');
  return row;
}

function authorize(review: ReviewRow, actor: ReviewActor) {
  if (actor.kind === 'member') {
    if (!mayDecide(review.assignees as ReviewAssignees, { userId: actor.userId, role: actor.role }))
      throw forbidden('This review is assigned to other reviewers');
  } else if (actor.kind === 'external') {
    if (!review.allowExternal || review.externalLinkId !== actor.linkId)
      throw forbidden('This review link is no longer valid');
  }
}

/** The decision as the run receives it, and the audit's before / after values. */
function decisionFor(review: ReviewRow, input: DecisionInput, reviewer: string) {
  const custom = review.actions as ReviewAction[];
  if (!actionsOf(custom).some((a) => a.id === input.action))
    throw badInput(
      'action',
      `must be one of: ${actionsOf(custom)
        .map((a) => a.id)
        .join(', ')}`,
    );
  if (input.comment !== undefined && input.comment.length > 10_000)
    throw badInput('comment', 'must be at most 10000 characters');
  const fieldSpecs = review.fields as ReviewField[];
  const fieldsBefore = startingFieldValues(fieldSpecs);
  const fieldsAfter = editedFieldValues(fieldSpecs, input.fields);
  let dataChanged = false;
  if (input.data !== undefined) {
    if (!review.allowEdit) throw badInput('data', 'this review does not allow edits');
    dataChanged = JSON.stringify(input.data ?? null) !== JSON.stringify(review.data ?? null);
  }
  const base =
    input.action === 'approve'
      ? dataChanged
        ? 'edit'
        : 'approve'
      : input.action === 'reject'
        ? 'reject'
        : 'action';
  const payload = {
    decision: base,
    ...(base === 'action' ? { action: input.action } : {}),
    ...(dataChanged ? { data: input.data } : {}),
    fields: fieldsAfter,
    comment: input.comment ?? '',
    reviewer,
  };
  const changed = changedFieldNames(fieldsBefore, fieldsAfter);
  const before: Record<string, unknown> = {};
  const after: Record<string, unknown> = {};
  if (dataChanged) {
    before.data = review.data;
    after.data = input.data;
  }
  if (changed.length > 0) {
    before.fields = Object.fromEntries(changed.map((k) => [k, fieldsBefore[k] ?? null]));
    after.fields = Object.fromEntries(changed.map((k) => [k, fieldsAfter[k] ?? null]));
  }
  return { payload, recorded: base === 'action' ? input.action : base, before, after };
}

const actorName = (actor: ReviewActor) =>
  actor.kind === 'external' ? `${actor.name} (external)` : actor.name;

/**
 * Decides a review: checks the actor and the values, lets the first decision win, audits it and
 * resumes the run. A second decision gets a CONFLICT naming who decided first.
 */
export async function decideReview(
  db: Db,
  engine: RunEngine,
  actor: ReviewActor,
  workspaceId: string,
  reviewId: string,
  input: DecisionInput,
): Promise<ReviewRow> {
  const { review, runStatus } = await loadForDecision(db, workspaceId, reviewId);
  const closed = closedReason(review, runStatus);
  if (closed) throw closed;
  authorize(review, actor);
  const name = actorName(actor);
  const { payload, recorded, before, after } = decisionFor(review, input, name);

  const [claimed] = await db
    .update(reviews)
    .set({
      status: 'decided',
      decidedAt: new Date(),
      decidedBy: actor.kind === 'member' ? actor.userId : null,
      decidedByName: name,
      decision: recorded,
      comment: input.comment ?? '',
      valuesBefore: before as Json,
      valuesAfter: after as Json,
    })
    .where(
      and(
        eq(reviews.id, review.id),
        eq(reviews.status, 'pending'),
        sql`(${reviews.deadlineAt} is null or ${reviews.deadlineAt} > now())`,
      ),
    )
    .returning();
  if (!claimed) {
    const again = await loadForDecision(db, workspaceId, reviewId);
    throw closedReason(again.review, again.runStatus) ?? conflict('This review could not be decided');
  }

  try {
    await engine.signal(
      workspaceId,
      review.runId,
      reviewSignalName(review.stepKey),
      payload as Json,
      actor.kind === 'member' ? actor.userId : null,
    );
  } catch (error) {
    if (error instanceof EngineError && error.code === 'run_finished') {
      await db.update(reviews).set({ status: 'cancelled' }).where(eq(reviews.id, review.id));
      throw conflict('This review is closed: its run has ended');
    }
    // The run did not get the decision (e.g. its engine did not answer): the review stays open.
    await db
      .update(reviews)
      .set({
        status: 'pending',
        decidedAt: null,
        decidedBy: null,
        decidedByName: null,
        decision: null,
        comment: null,
        valuesBefore: null,
        valuesAfter: null,
      })
      .where(eq(reviews.id, review.id));
    if (error instanceof EngineError && error.code === 'engine_unavailable')
      throw new DomainError('SERVICE_UNAVAILABLE', error.message);
    throw error;
  }

  await recordAudit(db, {
    workspaceId,
    actorUserId: actor.kind === 'member' ? actor.userId : null,
    action: 'review.decided',
    targetType: 'review',
    targetId: review.id,
    details: {
      runId: review.runId,
      decision: recorded,
      by: name,
      via: actor.kind,
      before,
      after,
      comment: input.comment ?? '',
    },
  });
  return claimed;
}

/** The inbox decision a raw review signal payload (runs.signal, the API's form) stands for. */
export function decisionFromSignal(decision: ReviewDecision): DecisionInput {
  const { decision: kind, action, data, fields, comment } = decision;
  return {
    action: kind === 'action' ? (action ?? '') : kind === 'reject' ? 'reject' : 'approve',
    ...(kind === 'edit' ? { data } : {}),
    ...(fields ? { fields } : {}),
    ...(comment !== undefined ? { comment } : {}),
  };
}

/** The review of a run's review step, if one was opened (for decisions arriving as raw signals). */
export async function reviewForStep(db: Db, workspaceId: string, runId: string, stepKey: string) {
  const [row] = await db
    .select({ id: reviews.id })
    .from(reviews)
    .where(and(eq(reviews.workspaceId, workspaceId), eq(reviews.runId, runId), eq(reviews.stepKey, stepKey)));
  return row ?? null;
}
