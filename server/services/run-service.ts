// Workflow runs of an app: starting one (from the draft or a published version, after validating
// the definition and the inputs), reading one with its per-node detail, listing, cancelling and
// signalling. Every query is scoped by workspace id.
import { and, asc, desc, eq, inArray, lt, or } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { appVersions, runSteps, runs } from '@/db/schema';
import { badInput, DomainError, notFound } from '@/server/errors';
import type { WorkflowDefinition } from '@/workflows/dsl/definition';
import { referencedSecretNames } from '@/workflows/dsl/references';
import { validateDefinition } from '@/workflows/dsl/validate';
import { EngineError } from '@/workflows/engines/embedded/engine';
import type { RunEngine } from '@/workflows/engines/run-engine';
import type { Json, RunStatus } from '@/workflows/interpreter/types';
import { nodeCatalog } from '@/workflows/nodes';
import { reviewDecisionSchema } from '@/workflows/nodes/human-review';
import { validateRunInputs } from '@/workflows/nodes/start';
import { onAppChanged, PUBLISHED_API_CACHE_TTL_MS, TtlCache } from './app-changes';
import { getApp } from './app-service';
import { decideReview, decisionFromSignal, reviewForStep } from './review-service';
import type { Role } from './roles';
import { listSecretNames } from './secret-service';

export type RunSource = { kind: 'draft' } | { kind: 'version'; versionId: string };

function translateEngineError(error: unknown): never {
  if (error instanceof EngineError) {
    if (error.code === 'run_not_found') throw notFound('Run');
    if (error.code === 'engine_unavailable') throw new DomainError('SERVICE_UNAVAILABLE', error.message);
    throw new DomainError('CONFLICT', error.message);
  }
  throw error;
}

async function definitionToRun(db: Db, workspaceId: string, appId: string, source: RunSource) {
  const [row] = await db
    .select({
      id: appVersions.id,
      definition: appVersions.definition,
      versionNumber: appVersions.versionNumber,
    })
    .from(appVersions)
    .where(
      and(
        eq(appVersions.appId, appId),
        eq(appVersions.workspaceId, workspaceId),
        source.kind === 'draft' ? eq(appVersions.isDraft, true) : eq(appVersions.id, source.versionId),
        source.kind === 'version' ? eq(appVersions.isDraft, false) : undefined,
      ),
    );
  if (!row) throw notFound(source.kind === 'draft' ? 'App' : 'Version');
  return row;
}

type CheckedVersion = { id: string; versionNumber: number | null; definition: WorkflowDefinition };

/**
 * Published versions never change, so their checked definitions are kept for a few seconds (the
 * published API starts many runs of one version); deleting the app drops them in this process.
 * Keyed by `workspaceId:appId:versionId`.
 */
const checkedVersions = new TtlCache<string, CheckedVersion>(PUBLISHED_API_CACHE_TTL_MS, 1_000);
onAppChanged((appId) => checkedVersions.invalidate((key) => key.split(':')[1] === appId));

async function checkDefinition(
  db: Db,
  workspaceId: string,
  appId: string,
  source: RunSource,
): Promise<CheckedVersion> {
  const version = await definitionToRun(db, workspaceId, appId, source);
  const checked = validateDefinition(version.definition, nodeCatalog);
  if (!checked.ok || !checked.definition) {
    const problems = checked.problems.map((p) => ({
      message: p.message,
      path: p.path.join('.'),
      ...(p.nodeId ? { nodeId: p.nodeId } : {}),
    }));
    throw new DomainError(
      'BAD_REQUEST',
      `The workflow has ${problems.length} problem${problems.length === 1 ? '' : 's'}: ${problems
        .map((p) => (p.nodeId ? `${p.nodeId}: ${p.message}` : p.message))
        .join('; ')}`,
      'definition',
      problems,
    );
  }
  return { id: version.id, versionNumber: version.versionNumber, definition: checked.definition };
}

async function checkedDefinition(
  db: Db,
  workspaceId: string,
  appId: string,
  source: RunSource,
): Promise<CheckedVersion> {
  if (source.kind === 'draft') return checkDefinition(db, workspaceId, appId, source);
  return checkedVersions.getOrLoad(`${workspaceId}:${appId}:${source.versionId}`, () =>
    checkDefinition(db, workspaceId, appId, source),
  );
}

export async function startRun(
  db: Db,
  engine: RunEngine,
  /** The studio user starting the run; null for runs started through the published API. */
  actorId: string | null,
  workspaceId: string,
  input: { appId: string; source: RunSource; inputs: Record<string, unknown> },
) {
  const version = await checkedDefinition(db, workspaceId, input.appId, input.source);
  const definition: WorkflowDefinition = version.definition;
  const referenced = new Set(referencedSecretNames(definition.nodes.map((n) => n.config)));
  // Only a workflow that uses secrets pays for looking them up.
  const known =
    referenced.size > 0
      ? new Set((await listSecretNames(db, workspaceId)).map((s) => s.name))
      : new Set<string>();
  const missing = [...referenced].filter((name) => !known.has(name));
  if (missing.length > 0)
    throw new DomainError(
      'BAD_REQUEST',
      `The workflow uses secrets this workspace does not have: ${missing.join(', ')}`,
      'definition',
      missing.map((name) => ({ message: `secret ${name} is not defined`, path: `secrets.${name}` })),
    );
  const startNode = definition.nodes.find((n) => n.type === 'start' && !n.parentId);
  const inputs = validateRunInputs(startNode?.config as never, input.inputs);
  if (!inputs.ok) {
    const first = inputs.problems[0];
    throw new DomainError(
      'BAD_REQUEST',
      inputs.problems.map((p) => `inputs.${p.field}: ${p.message}`).join('; '),
      `inputs.${first?.field ?? ''}`,
      inputs.problems.map((p) => ({ message: p.message, path: `inputs.${p.field}` })),
    );
  }
  return engine
    .start({
      workspaceId,
      appId: input.appId,
      appVersionId: input.source.kind === 'version' ? version.id : null,
      versionNumber: version.versionNumber,
      definition,
      inputs: inputs.values,
      createdBy: actorId,
    })
    .catch(translateEngineError);
}

type UsageTotals = { promptTokens: number; completionTokens: number; cost: number };

/** Adds a step's model calls (stored as a list) to a node's totals. */
function addUsage(totals: UsageTotals | null, stepUsage: unknown): UsageTotals | null {
  const calls = Array.isArray(stepUsage) ? (stepUsage as UsageTotals[]) : [];
  if (calls.length === 0) return totals;
  return calls.reduce(
    (sum, u) => ({
      promptTokens: sum.promptTokens + u.promptTokens,
      completionTokens: sum.completionTokens + u.completionTokens,
      cost: sum.cost + u.cost,
    }),
    totals ?? { promptTokens: 0, completionTokens: 0, cost: 0 },
  );
}

export async function getRun(db: Db, workspaceId: string, runId: string) {
  const [run] = await db
    .select()
    .from(runs)
    .where(and(eq(runs.id, runId), eq(runs.workspaceId, workspaceId)));
  if (!run) throw notFound('Run');
  const steps = await db
    .select()
    .from(runSteps)
    .where(and(eq(runSteps.runId, runId), eq(runSteps.workspaceId, workspaceId)))
    .orderBy(asc(runSteps.startedAt), asc(runSteps.stepKey));
  // Per node: the latest attempt decides its status; attempts and total time are summed.
  const nodes: Record<
    string,
    {
      nodeId: string;
      nodeType: string;
      status: string;
      attempts: number;
      input: Json;
      output: Json;
      error: Json;
      logs: Json;
      /** Model calls over all attempts: tokens and cost. */
      usage: { promptTokens: number; completionTokens: number; cost: number } | null;
      startedAt: Date;
      finishedAt: Date;
      durationMs: number;
    }
  > = {};
  for (const step of steps) {
    if (step.nodeType === 'human-review.request') continue;
    const existing = nodes[step.nodeId];
    const isAttempt = /#\d+$/.test(step.stepKey);
    if (!existing) {
      nodes[step.nodeId] = {
        nodeId: step.nodeId,
        nodeType: step.nodeType,
        status: step.status,
        attempts: isAttempt ? 1 : 0,
        input: (step.input ?? null) as Json,
        output: (step.output ?? null) as Json,
        error: (step.error ?? null) as Json,
        logs: (step.logs ?? null) as Json,
        usage: addUsage(null, step.usage),
        startedAt: step.startedAt,
        finishedAt: step.finishedAt,
        durationMs: step.finishedAt.getTime() - step.startedAt.getTime(),
      };
      continue;
    }
    existing.attempts += isAttempt ? 1 : 0;
    existing.finishedAt = new Date(Math.max(step.finishedAt.getTime(), existing.finishedAt.getTime()));
    existing.durationMs = existing.finishedAt.getTime() - existing.startedAt.getTime();
    existing.status = step.status;
    if (step.input !== null && isAttempt) existing.input = step.input as Json;
    existing.output = (step.output ?? existing.output) as Json;
    existing.error = (step.error ?? null) as Json;
    existing.usage = addUsage(existing.usage, step.usage);
  }
  const { definition, leaseOwner: _lease, leaseExpiresAt: _expires, ...rest } = run;
  return {
    ...rest,
    definition: definition as WorkflowDefinition,
    nodes,
    steps: steps.map((s) => ({
      stepKey: s.stepKey,
      nodeId: s.nodeId,
      nodeType: s.nodeType,
      attempt: s.attempt,
      status: s.status,
      output: (s.output ?? null) as Json,
      error: (s.error ?? null) as Json,
      startedAt: s.startedAt,
      finishedAt: s.finishedAt,
    })),
  };
}

export async function listRuns(
  db: Db,
  workspaceId: string,
  input: { appId: string; statuses?: RunStatus[]; cursor?: { createdAt: Date; id: string }; limit: number },
) {
  await getApp(db, workspaceId, input.appId);
  const rows = await db
    .select({
      id: runs.id,
      status: runs.status,
      versionNumber: runs.versionNumber,
      createdAt: runs.createdAt,
      startedAt: runs.startedAt,
      finishedAt: runs.finishedAt,
      error: runs.error,
    })
    .from(runs)
    .where(
      and(
        eq(runs.workspaceId, workspaceId),
        eq(runs.appId, input.appId),
        input.statuses?.length ? inArray(runs.status, input.statuses) : undefined,
        input.cursor
          ? or(
              lt(runs.createdAt, input.cursor.createdAt),
              and(eq(runs.createdAt, input.cursor.createdAt), lt(runs.id, input.cursor.id)),
            )
          : undefined,
      ),
    )
    .orderBy(desc(runs.createdAt), desc(runs.id))
    .limit(input.limit + 1);
  const page = rows.slice(0, input.limit);
  const last = page[page.length - 1];
  return {
    runs: page,
    nextCursor: rows.length > input.limit && last ? { createdAt: last.createdAt, id: last.id } : null,
  };
}

export async function cancelRun(engine: RunEngine, workspaceId: string, runId: string) {
  return engine.cancel(workspaceId, runId).catch(translateEngineError);
}

export async function signalRun(
  db: Db,
  engine: RunEngine,
  actor: { userId: string; role: Role; name: string },
  workspaceId: string,
  input: { runId: string; name: string; payload: unknown },
) {
  let payload = input.payload as Json;
  if (input.name.startsWith('review:')) {
    const decision = reviewDecisionSchema.safeParse(input.payload);
    if (!decision.success)
      throw badInput(
        'payload',
        decision.error.issues.map((i) => `${i.path.join('.') || 'decision'}: ${i.message}`).join('; '),
      );
    // A review with an inbox task is decided through it, so it is audited and decided once.
    const review = await reviewForStep(db, workspaceId, input.runId, input.name.slice('review:'.length));
    if (review) {
      const member = { kind: 'member' as const, ...actor };
      await decideReview(db, engine, member, workspaceId, review.id, decisionFromSignal(decision.data));
      return { ok: true };
    }
    payload = decision.data as Json;
  }
  await engine
    .signal(workspaceId, input.runId, input.name, payload, actor.userId)
    .catch(translateEngineError);
  return { ok: true };
}
