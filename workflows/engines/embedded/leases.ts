// Run ownership: claiming due runs (FOR UPDATE SKIP LOCKED, so several workers can share one
// database), renewing a lease while working, and handing a run back — suspended until a timer or
// signal, or finished. Lease times use the database clock, shared by every process.
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '@/db/client';
import { executeText, SqlText } from '@/db/sql-text';
import type { Json, RunOutcome } from '@/workflows/interpreter/types';
import type { TokenUsage } from '@/workflows/nodes/node-spec';
import type { FinishedRun } from './event-bus';
import { journalWriteCtes, type NewEvent, type StepRow } from './journal';
import { rowsOf } from './sql-rows';

export interface ClaimedRun {
  id: string;
  previousStatus: string;
  workspaceId: string;
  definition: unknown;
  inputs: unknown;
  cancelRequested: boolean;
  /**
   * Set when the run was handed to this process's worker while its row was still being inserted
   * (direct dispatch): settles once the row is stored. Nothing that needs the row may touch the
   * database before; a rejection means the run never existed.
   */
  rowStored?: Promise<void>;
}

/** Takes up to `limit` due runs: new, woken (timer, signal), or abandoned by a dead worker. */
export async function claimDueRuns(
  db: DbOrTx,
  workerId: string,
  limit: number,
  leaseMs: number,
): Promise<ClaimedRun[]> {
  const result = await db.execute(sql`
    -- Two index-friendly halves (runs_due_idx, runs_lease_idx) instead of one OR over the table.
    with fresh as (
      select id, status from runs
      where lease_owner is null and wake_at is not null and wake_at <= now()
        and status in ('queued', 'running', 'paused')
      order by wake_at
      limit ${limit}
      for update skip locked
    ), abandoned as (
      select id, status from runs
      where lease_owner is not null and lease_expires_at < now() and status in ('queued', 'running', 'paused')
      limit ${limit}
      for update skip locked
    ), due as (
      select id, status from fresh union all select id, status from abandoned limit ${limit}
    )
    update runs r
    set lease_owner = ${workerId}, lease_expires_at = now() + ${leaseMs} * interval '1 millisecond',
        status = 'running', started_at = coalesce(r.started_at, now()), wake_at = null
    from due where r.id = due.id
    returning r.id, due.status as previous_status, r.workspace_id, r.definition, r.inputs, r.cancel_requested`);
  return rowsOf<{
    id: string;
    previous_status: string;
    workspace_id: string;
    definition: unknown;
    inputs: unknown;
    cancel_requested: boolean;
  }>(result).map((r) => ({
    id: r.id,
    previousStatus: r.previous_status,
    workspaceId: r.workspace_id,
    definition: typeof r.definition === 'string' ? JSON.parse(r.definition) : r.definition,
    inputs: typeof r.inputs === 'string' ? JSON.parse(r.inputs) : r.inputs,
    cancelRequested: r.cancel_requested,
  }));
}

/** Extends the lease; null when it was lost (another worker took the run over). */
export async function renewLease(
  db: DbOrTx,
  runId: string,
  workerId: string,
  leaseMs: number,
): Promise<{ cancelRequested: boolean } | null> {
  const result = await db.execute(sql`
    update runs set lease_expires_at = now() + ${leaseMs} * interval '1 millisecond'
    where id = ${runId}::uuid and lease_owner = ${workerId}
    returning cancel_requested`);
  const row = rowsOf<{ cancel_requested: boolean }>(result)[0];
  return row ? { cancelRequested: row.cancel_requested } : null;
}

/**
 * Hands the run back until it is due again. A signal that arrived while we decided to wait makes it
 * due at once (checked in the same statement, so no wake-up is lost).
 */
export async function suspendRun(
  db: DbOrTx,
  runId: string,
  workerId: string,
  wait: { signals: string[]; wakeAt: Date | null },
): Promise<boolean> {
  const status = wait.signals.length > 0 ? 'paused' : 'running';
  const result = await db.execute(sql`
    update runs set lease_owner = null, lease_expires_at = null, status = ${status},
      wake_at = case
        when exists (select 1 from run_signals s where s.run_id = runs.id
                     and s.name in (select jsonb_array_elements_text(${JSON.stringify(wait.signals)}::jsonb)))
          then now()
        else ${wait.wakeAt ? sql`${wait.wakeAt.toISOString()}::timestamptz` : sql`null`}
      end
    where id = ${runId}::uuid and lease_owner = ${workerId}
    returning id`);
  return rowsOf(result).length > 0;
}

/**
 * The run_finished event after the remaining writes, as CTEs (values taken into `q`) for the run's
 * last statement.
 */
export function finishingWrites(
  q: SqlText,
  run: { id: string; workspaceId: string },
  outcome: RunOutcome,
  remaining: { events: NewEvent[]; steps: StepRow[]; firstSeq: number },
): { error: Json; writes: string[]; finished: NewEvent } {
  const error: Json = outcome.error ? { ...outcome.error } : null;
  const finished: NewEvent = {
    type: 'run_finished',
    data: { runId: run.id, status: outcome.status, outputs: outcome.outputs, error },
  };
  const writes = journalWriteCtes(
    q,
    run.id,
    run.workspaceId,
    remaining.firstSeq,
    [...remaining.events, finished],
    remaining.steps,
  );
  return { error, writes, finished };
}

/**
 * The `set` list of a finished run (values taken into `q`): status, outputs, error, no lease, and
 * usage totals over its stored steps plus `pendingSteps` (null: no step used a model, skip the sum).
 */
export function finalRunColumns(
  q: SqlText,
  runId: string,
  outcome: RunOutcome,
  error: Json,
  pendingSteps: StepRow[] | null,
): string {
  const pending = (pendingSteps ?? []).flatMap((s) => s.usage ?? []);
  const add = (pick: (u: TokenUsage) => number) => pending.reduce((sum, u) => sum + pick(u), 0);
  const usage = pendingSteps
    ? `(
        select jsonb_build_object(
          'promptTokens', coalesce(sum((u->>'promptTokens')::bigint), 0) + ${q.param(add((u) => u.promptTokens))}::bigint,
          'completionTokens', coalesce(sum((u->>'completionTokens')::bigint), 0) + ${q.param(add((u) => u.completionTokens))}::bigint,
          'cost', coalesce(sum((u->>'cost')::numeric), 0) + ${q.param(add((u) => u.cost))}::numeric)
        from run_steps s, jsonb_array_elements(coalesce(s.usage, '[]'::jsonb)) u
        where s.run_id = ${q.param(runId)}::uuid)`
    : 'null';
  return `status = ${q.param(outcome.status)}, outputs = ${q.param(JSON.stringify(outcome.outputs))}::jsonb,
      error = ${q.param(JSON.stringify(error))}::jsonb, finished_at = now(), lease_owner = null, lease_expires_at = null,
      wake_at = null, usage = ${usage}`;
}

/**
 * The run's last statement: the final status, with the steps and events still queued and the
 * run_finished event. Returns the run as stored with when it was stored and its run_finished event,
 * or null when the lease was lost (another worker owns the run).
 */
export async function finishRun(
  db: DbOrTx,
  run: { id: string; workspaceId: string },
  workerId: string,
  outcome: RunOutcome,
  remaining: { events: NewEvent[]; steps: StepRow[]; firstSeq: number },
  sumUsage: boolean,
): Promise<{ run: FinishedRun; at: Date; finished: NewEvent } | null> {
  const q = new SqlText();
  const { error, writes, finished } = finishingWrites(q, run, outcome, remaining);
  // Steps that ran: those stored before (this statement does not see its own inserts in run_steps)
  // and those it inserts now (new_steps' RETURNING).
  const counted = `s.status <> 'skipped' and s.node_type <> 'human-review.request'`;
  const newSteps = remaining.steps.length > 0 ? ` + (select count(*) from new_steps s where ${counted})` : '';
  const columns = finalRunColumns(q, run.id, outcome, error, sumUsage ? remaining.steps : null);
  q.add(`
    with ${writes.join(', ')}
    update runs set ${columns}
    where id = ${q.param(run.id)}::uuid and lease_owner = ${q.param(workerId)}
    returning status, outputs, error, usage, now() as at, workspace_id, app_id, app_version_id, inputs,
      created_at, started_at, finished_at,
      (select count(*) from run_steps s where s.run_id = runs.id and ${counted})${newSteps} as total_steps`);
  const row = (
    await executeText<{
      status: string;
      outputs: unknown;
      error: unknown;
      usage: unknown;
      at: string | Date;
      workspace_id: string;
      app_id: string;
      app_version_id: string | null;
      inputs: unknown;
      created_at: string | Date;
      started_at: string | Date | null;
      finished_at: string | Date;
      total_steps: string | number;
    }>(db, q)
  )[0];
  if (!row) return null;
  const json = (value: unknown) => (typeof value === 'string' ? JSON.parse(value) : value);
  return {
    run: {
      status: row.status,
      outputs: json(row.outputs),
      error: json(row.error),
      usage: json(row.usage),
      detail: {
        workspaceId: row.workspace_id,
        appId: row.app_id,
        appVersionId: row.app_version_id,
        inputs: json(row.inputs),
        createdAt: new Date(row.created_at),
        startedAt: row.started_at === null ? null : new Date(row.started_at),
        finishedAt: new Date(row.finished_at),
        totalSteps: Number(row.total_steps),
      },
    },
    at: new Date(row.at),
    finished,
  };
}

/** Gives up a run without changing its state (worker stopping); it is due again at once. */
export async function releaseRun(db: DbOrTx, runId: string, workerId: string): Promise<void> {
  await db.execute(sql`
    update runs set lease_owner = null, lease_expires_at = null, wake_at = now()
    where id = ${runId}::uuid and lease_owner = ${workerId}`);
}

/**
 * On an embedded (single-process) database every lease not held by a live worker of this process is
 * stale: its process is gone. Releasing them at boot recovers at once instead of after expiry.
 */
export async function releaseForeignLeases(db: DbOrTx, liveWorkerIds: string[]): Promise<void> {
  await db.execute(sql`
    update runs set lease_owner = null, lease_expires_at = null, wake_at = now()
    where lease_owner is not null
      and lease_owner not in (select jsonb_array_elements_text(${JSON.stringify(liveWorkerIds)}::jsonb))`);
}

/** Whether any run is due or held by a worker (used by a worker told to exit when idle). */
export async function hasPendingWork(db: DbOrTx): Promise<boolean> {
  const result = await db.execute(sql`
    select 1 from runs
    where status in ('queued', 'running', 'paused') and (lease_owner is not null or wake_at <= now())
    limit 1`);
  return rowsOf(result).length > 0;
}
