// A Weft run in the shape of Dify's workflow run (`data` of a blocking POST /workflows/run, of
// workflow_finished and of GET /workflows/run/{id}): times in Unix seconds, elapsed time in
// seconds, the error as a string, Dify's status names.
import { and, eq, ne, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { runSteps, runs } from '@/db/schema';
import type { FinishedRun } from '@/workflows/engines/embedded/event-bus';
import { ApiError } from './errors';

export type DifyRunStatus = 'running' | 'paused' | 'succeeded' | 'partial-succeeded' | 'failed' | 'stopped';

export interface DifyWorkflowRunData {
  id: string;
  workflow_id: string;
  status: DifyRunStatus;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown> | null;
  error: string | null;
  elapsed_time: number;
  total_tokens: number;
  total_steps: number;
  created_at: number;
  finished_at: number | null;
}

const STATUS: Record<string, DifyRunStatus> = {
  queued: 'running',
  running: 'running',
  paused: 'paused',
  succeeded: 'succeeded',
  partially_succeeded: 'partial-succeeded',
  failed: 'failed',
  cancelled: 'stopped',
};

export const difyRunStatus = (status: string): DifyRunStatus => STATUS[status] ?? 'running';

export const unixSeconds = (at: Date) => Math.floor(at.getTime() / 1000);

/** A Weft error value ({ message, code } or a string) as Dify's error string. */
export function errorText(error: unknown): string | null {
  if (error === null || error === undefined) return null;
  if (typeof error === 'string') return error;
  if (typeof error === 'object' && typeof (error as { message?: unknown }).message === 'string')
    return (error as { message: string }).message;
  return JSON.stringify(error);
}

/** Outputs as an object, as Dify's clients expect; a bare value is wrapped as { value }. */
export function outputsObject(outputs: unknown): Record<string, unknown> | null {
  if (outputs === null || outputs === undefined) return null;
  if (typeof outputs === 'object' && !Array.isArray(outputs)) return outputs as Record<string, unknown>;
  return { value: outputs };
}

export function totalTokens(usage: unknown): number {
  if (!usage || typeof usage !== 'object') return 0;
  const u = usage as { promptTokens?: unknown; completionTokens?: unknown };
  return Number(u.promptTokens ?? 0) + Number(u.completionTokens ?? 0);
}

const elapsedSeconds = (from: Date, to: Date) => Math.max(0, (to.getTime() - from.getTime()) / 1000);

/**
 * The run `runId` of the caller's app, or a 404 (a run of another app or workspace looks the same
 * as none). `workflow_id` is the published version the run executed.
 */
export async function loadWorkflowRun(
  db: Db,
  scope: { workspaceId: string; appId: string },
  runId: string,
): Promise<DifyWorkflowRunData> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(runId)) throw runNotFound();
  const [run] = await db
    .select({
      id: runs.id,
      appId: runs.appId,
      appVersionId: runs.appVersionId,
      status: runs.status,
      inputs: runs.inputs,
      outputs: runs.outputs,
      error: runs.error,
      usage: runs.usage,
      createdAt: runs.createdAt,
      startedAt: runs.startedAt,
      finishedAt: runs.finishedAt,
      // The steps that ran, in the same statement.
      steps: sql<number>`(select count(*) from ${runSteps} where ${and(
        eq(runSteps.runId, runs.id),
        eq(runSteps.workspaceId, runs.workspaceId),
        ne(runSteps.status, 'skipped'),
        sql`${runSteps.nodeType} <> 'human-review.request'`,
      )})`,
    })
    .from(runs)
    .where(and(eq(runs.id, runId), eq(runs.workspaceId, scope.workspaceId), eq(runs.appId, scope.appId)));
  if (!run) throw runNotFound();
  return difyRunData({ ...run, steps: Number(run.steps ?? 0) });
}

type RunColumns = {
  id: string;
  appId: string;
  appVersionId: string | null;
  status: string;
  inputs: unknown;
  outputs: unknown;
  error: unknown;
  usage: unknown;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  steps: number;
};

function difyRunData(run: RunColumns): DifyWorkflowRunData {
  const status = difyRunStatus(run.status);
  const finished = run.finishedAt && status !== 'running' && status !== 'paused';
  return {
    id: run.id,
    workflow_id: run.appVersionId ?? run.appId,
    status,
    inputs: (run.inputs ?? {}) as Record<string, unknown>,
    outputs: outputsObject(run.outputs) ?? (finished ? {} : null),
    error: errorText(run.error),
    elapsed_time: elapsedSeconds(run.startedAt ?? run.createdAt, run.finishedAt ?? new Date()),
    total_tokens: totalTokens(run.usage),
    total_steps: run.steps,
    created_at: unixSeconds(run.createdAt),
    finished_at: run.finishedAt ? unixSeconds(run.finishedAt) : null,
  };
}

/**
 * The run as loadWorkflowRun would read it, from the engine's notice that it finished (this
 * process finished it): null when the notice lacks the row or the run is not the scope's.
 */
export function finishedRunData(
  scope: { workspaceId: string; appId: string },
  runId: string,
  finished: FinishedRun | undefined,
): DifyWorkflowRunData | null {
  const detail = finished?.detail;
  if (!finished || !detail || detail.workspaceId !== scope.workspaceId || detail.appId !== scope.appId)
    return null;
  return difyRunData({
    id: runId,
    appId: detail.appId,
    appVersionId: detail.appVersionId,
    status: finished.status,
    inputs: detail.inputs,
    outputs: finished.outputs,
    error: finished.error,
    usage: finished.usage,
    createdAt: detail.createdAt,
    startedAt: detail.startedAt,
    finishedAt: detail.finishedAt,
    steps: detail.totalSteps,
  });
}

export const runNotFound = () => new ApiError(404, 'not_found', 'Workflow run not found');

/** The run's number among its app's runs (Dify's sequence_number), counting from 1. */
export { runSequenceNumber } from './run-sequence';
