// A human-review pause as seen by an API client: the `human_input_required` stream event carries a
// form token; GET /form/human_input/{token} returns the form (instructions, the editable data, a
// comment, the actions) and POST /form/human_input/{token} decides the review, which resumes the
// run on whichever engine it runs.
//
// The token is stateless: `hif_<run id and step key>.<HMAC>` keyed with a key derived from
// APP_SECRET, so nothing is stored when a review pauses and a forged or altered token is refused.
// It only opens the form of its own run, to callers holding an API key of that run's app, and
// stops working once the review is decided or its deadline has passed.
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '@/db/client';
import { runEvents, runSignals, runSteps, runs } from '@/db/schema';
import { config } from '@/server/config';
import { DomainError } from '@/server/errors';
import { decideReview, decisionFromSignal, reviewForStep } from '@/server/services/review-service';
import { EngineError } from '@/workflows/engines/embedded/engine';
import type { RunEngine } from '@/workflows/engines/run-engine';
import { reviewSignalName } from '@/workflows/interpreter';
import type { Json } from '@/workflows/interpreter/types';
import { type ReviewDecision, reviewDecisionSchema } from '@/workflows/nodes/human-review';
import type { ApiCaller } from './auth';
import { parseWith } from './body';
import { ApiError } from './errors';
import { unixSeconds } from './workflow-run-data';

const TOKEN_PREFIX = 'hif_';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

let cachedKey: { secret: string; key: Buffer } | null = null;

function tokenKey(): Buffer {
  const secret = config().APP_SECRET;
  if (cachedKey?.secret !== secret)
    cachedKey = {
      secret,
      key: Buffer.from(hkdfSync('sha256', secret, 'weft', 'weft:human-input-forms', 32)),
    };
  return cachedKey.key;
}

const mac = (payload: string) =>
  createHmac('sha256', tokenKey()).update(payload).digest().subarray(0, 24).toString('base64url');

/** The form token of the review `stepKey` of run `runId`. */
export function formTokenFor(runId: string, stepKey: string): string {
  const payload = Buffer.from(`${runId}:${stepKey}`).toString('base64url');
  return `${TOKEN_PREFIX}${payload}.${mac(payload)}`;
}

/** The run and review step a token names, or null when it is malformed or its MAC is wrong. */
export function parseFormToken(token: string): { runId: string; stepKey: string } | null {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 1024) return null;
  const [payload, given, extra] = token.slice(TOKEN_PREFIX.length).split('.');
  if (!payload || !given || extra !== undefined) return null;
  const expected = Buffer.from(mac(payload));
  const actual = Buffer.from(given);
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return null;
  const decoded = Buffer.from(payload, 'base64url').toString();
  const split = decoded.indexOf(':');
  const runId = decoded.slice(0, split);
  const stepKey = decoded.slice(split + 1);
  if (split < 0 || !UUID.test(runId) || !stepKey) return null;
  return { runId, stepKey };
}

/** What the engine announced when the review paused (the `review_requested` event's data). */
export interface ReviewRequest {
  nodeId: string;
  stepKey: string;
  /** The review node's resolved config: instructions, data, deadlineMs, allowEdit. */
  request: Record<string, unknown>;
  requestedAt: Date;
}

/** The review request carried by a `review_requested` event, if the event is one. */
export function reviewRequestOf(event: {
  type: string;
  nodeId?: string | null;
  data?: unknown;
  createdAt: Date;
}): ReviewRequest | null {
  if (event.type !== 'review_requested') return null;
  const data = (event.data ?? {}) as Record<string, unknown>;
  const stepKey = typeof data.stepKey === 'string' ? data.stepKey : null;
  const nodeId = typeof data.nodeId === 'string' ? data.nodeId : (event.nodeId ?? null);
  if (!stepKey || !nodeId) return null;
  const request =
    data.request && typeof data.request === 'object' && !Array.isArray(data.request)
      ? (data.request as Record<string, unknown>)
      : {};
  return { nodeId, stepKey, request, requestedAt: event.createdAt };
}

const editableAsText = (data: unknown) => typeof data === 'string' || data === undefined || data === null;

function expiresAt(review: ReviewRequest): Date | null {
  const deadlineMs = review.request.deadlineMs;
  return typeof deadlineMs === 'number' ? new Date(review.requestedAt.getTime() + deadlineMs) : null;
}

const ACTIONS = [
  { id: 'approve', title: 'Approve', button_style: 'primary' },
  { id: 'reject', title: 'Reject', button_style: 'default' },
] as const;

const constant = (value: string) => ({ type: 'constant', selector: [], value });

/** The form of a review in Dify's shape (form_content, inputs, resolved_default_values, …). */
export function formDefinition(review: ReviewRequest) {
  const { request } = review;
  const data = request.data;
  const dataText = editableAsText(data) ? String(data ?? '') : JSON.stringify(data, null, 2);
  const allowEdit = request.allowEdit !== false;
  const expiry = expiresAt(review);
  return {
    form_content: typeof request.instructions === 'string' ? request.instructions : '',
    inputs: [
      ...(allowEdit
        ? [
            {
              // Beyond Dify's input types: `json` when the reviewed data is not plain text.
              type: editableAsText(data) ? 'paragraph' : 'json',
              output_variable_name: 'data',
              default: constant(dataText),
            },
          ]
        : []),
      { type: 'paragraph', output_variable_name: 'comment', default: constant('') },
    ],
    resolved_default_values: { ...(allowEdit ? { data: dataText } : {}), comment: '' },
    user_actions: ACTIONS,
    expiration_time: expiry ? unixSeconds(expiry) : null,
  };
}

/** The `human_input_required` stream event's data for a review that paused the run. */
export function humanInputRequiredData(runId: string, review: ReviewRequest, nodeTitle: string) {
  return {
    form_id: `${runId}:${review.stepKey}`,
    form_token: formTokenFor(runId, review.stepKey),
    node_id: review.nodeId,
    node_title: nodeTitle,
    ...formDefinition(review),
  };
}

const formNotFound = () =>
  new ApiError(404, 'not_found', 'form_token: no such form (unknown, altered or from another app)');

const decided = (message: string) => new ApiError(409, 'conflict', message);

/** The review the token opens, checked against the caller's app and the review's state. */
async function openForm(db: Db, caller: ApiCaller, token: string) {
  const parsed = parseFormToken(token);
  if (!parsed) throw formNotFound();
  const [run] = await db
    .select({ id: runs.id, status: runs.status })
    .from(runs)
    .where(
      and(eq(runs.id, parsed.runId), eq(runs.workspaceId, caller.workspaceId), eq(runs.appId, caller.app.id)),
    );
  if (!run) throw formNotFound();
  const [event] = await db
    .select({
      type: runEvents.type,
      nodeId: runEvents.nodeId,
      data: runEvents.data,
      createdAt: runEvents.createdAt,
    })
    .from(runEvents)
    .where(
      and(
        eq(runEvents.runId, run.id),
        eq(runEvents.type, 'review_requested'),
        sql`${runEvents.data}->>'stepKey' = ${parsed.stepKey}`,
      ),
    )
    .limit(1);
  const review = event ? reviewRequestOf(event) : null;
  if (!review) throw formNotFound();

  const [step] = await db
    .select({ output: runSteps.output })
    .from(runSteps)
    .where(and(eq(runSteps.runId, run.id), eq(runSteps.stepKey, parsed.stepKey)));
  const [signal] = await db
    .select({ id: runSignals.id })
    .from(runSignals)
    .where(and(eq(runSignals.runId, run.id), eq(runSignals.name, reviewSignalName(parsed.stepKey))));
  const outcome = (step?.output as { decision?: unknown } | null)?.decision;
  const expiry = expiresAt(review);
  if (outcome === 'timeout' || (!step && !signal && expiry && expiry.getTime() <= Date.now()))
    throw decided('This form has expired: the review deadline passed');
  if (step || signal) throw decided('This form was already submitted: the review has been decided');
  if (run.status !== 'paused' && run.status !== 'running')
    throw decided(`This form can no longer be submitted: the run has ended (${run.status})`);
  return { runId: run.id, review };
}

/** GET /form/human_input/{token}. */
export async function getHumanInputForm(db: Db, caller: ApiCaller, token: string) {
  const { review } = await openForm(db, caller, token);
  return formDefinition(review);
}

export const submitFormBody = z.object({
  inputs: z
    .record(z.string(), z.unknown(), { error: 'must be an object' })
    .nullish()
    .transform((v) => v ?? {}),
  action: z.string({ error: 'is required' }).max(20, 'must be at most 20 characters'),
  user: z
    .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
    .trim()
    .min(1, 'is required')
    .max(200, 'must be at most 200 characters'),
});

/** The review decision a submitted form stands for; problems are 400s naming the field. */
export function decisionFromForm(
  review: ReviewRequest,
  body: z.output<typeof submitFormBody>,
): ReviewDecision {
  if (!ACTIONS.some((a) => a.id === body.action))
    throw new ApiError(400, 'invalid_param', `action: must be one of ${ACTIONS.map((a) => a.id).join(', ')}`);
  const { data: edited, comment, ...unknown } = body.inputs;
  const extra = Object.keys(unknown)[0];
  if (extra !== undefined)
    throw new ApiError(400, 'invalid_param', `inputs.${extra}: is not an input of this form`);
  if (comment !== undefined && typeof comment !== 'string')
    throw new ApiError(400, 'invalid_param', 'inputs.comment: must be a string');
  const allowEdit = review.request.allowEdit !== false;
  const original = review.request.data;
  let data: unknown = original;
  if (edited !== undefined) {
    if (!allowEdit) throw new ApiError(400, 'invalid_param', 'inputs.data: this review does not allow edits');
    if (editableAsText(original)) {
      if (typeof edited !== 'string')
        throw new ApiError(400, 'invalid_param', 'inputs.data: must be a string');
      data = edited;
    } else if (typeof edited === 'string') {
      try {
        data = JSON.parse(edited);
      } catch {
        throw new ApiError(
          400,
          'invalid_param',
          'inputs.data: must be JSON (the reviewed data is structured)',
        );
      }
    } else {
      data = edited;
    }
  }
  const changed = JSON.stringify(data ?? null) !== JSON.stringify(original ?? null);
  const decision = body.action === 'reject' ? 'reject' : changed ? 'edit' : 'approve';
  return parseWith(reviewDecisionSchema, {
    decision,
    ...(decision === 'edit' ? { data } : {}),
    comment: comment ?? '',
    reviewer: body.user,
  });
}

/** POST /form/human_input/{token}: decides the review, and the run resumes. */
export async function submitHumanInputForm(
  db: Db,
  engine: RunEngine,
  caller: ApiCaller,
  token: string,
  body: z.output<typeof submitFormBody>,
) {
  const { runId, review } = await openForm(db, caller, token);
  const decision = decisionFromForm(review, body);
  // A review with an inbox task is decided through it (audited, first decision wins).
  const task = await reviewForStep(db, caller.workspaceId, runId, review.stepKey);
  if (task) {
    try {
      await decideReview(
        db,
        engine,
        { kind: 'api', name: `${body.user} (API)` },
        caller.workspaceId,
        task.id,
        decisionFromSignal(decision),
      );
    } catch (error) {
      if (error instanceof DomainError && error.code === 'CONFLICT') throw decided(error.message);
      throw error;
    }
    return {};
  }
  try {
    // No Weft user decides here: the API's end user is recorded as the reviewer instead.
    await engine.signal(caller.workspaceId, runId, reviewSignalName(review.stepKey), decision as Json, null);
  } catch (error) {
    if (error instanceof EngineError) {
      if (error.code === 'signal_exists')
        throw decided('This form was already submitted: the review has been decided');
      if (error.code === 'run_finished')
        throw decided(`This form can no longer be submitted: ${error.message}`);
      if (error.code === 'run_not_found') throw formNotFound();
    }
    throw error;
  }
  return {};
}

/**
 * The forms of the reviews a paused run waits on (requested, not yet decided), as in its
 * `human_input_required` events: what a blocking call answers with when the run pauses.
 */
export async function pendingHumanInputForms(db: Db, runId: string) {
  const events = await db
    .select({
      type: runEvents.type,
      nodeId: runEvents.nodeId,
      data: runEvents.data,
      createdAt: runEvents.createdAt,
    })
    .from(runEvents)
    .where(and(eq(runEvents.runId, runId), eq(runEvents.type, 'review_requested')));
  if (events.length === 0) return [];
  const [run] = await db.select({ definition: runs.definition }).from(runs).where(eq(runs.id, runId));
  const steps = await db
    .select({ stepKey: runSteps.stepKey })
    .from(runSteps)
    .where(eq(runSteps.runId, runId));
  const signals = await db
    .select({ name: runSignals.name })
    .from(runSignals)
    .where(eq(runSignals.runId, runId));
  const done = new Set([...steps.map((s) => s.stepKey), ...signals.map((s) => s.name)]);
  const titles = new Map(
    ((run?.definition as { nodes?: { id: string; title?: string }[] } | undefined)?.nodes ?? []).map((n) => [
      n.id,
      n.title ?? n.id,
    ]),
  );
  return events
    .map((event) => reviewRequestOf(event))
    .filter((r): r is ReviewRequest => r !== null)
    .filter((r) => !done.has(r.stepKey) && !done.has(reviewSignalName(r.stepKey)))
    .map((r) => humanInputRequiredData(runId, r, titles.get(r.nodeId) ?? r.nodeId));
}
