// Reads a run's journal (completed steps, timers, signals, last event number) so an executor can
// replay the interpreter against it, and writes steps together with their events in one statement.
import { and, eq, max, type SQL, sql } from 'drizzle-orm';
import type { DbOrTx } from '@/db/client';
import { runEvents, runSignals, runSteps, runTimers } from '@/db/schema';
import type { Json, StepErrorData } from '@/workflows/interpreter/types';
import type { TokenUsage } from '@/workflows/nodes/node-spec';
import { rowsOf } from './sql-rows';

export interface JournaledStep {
  status: string;
  output: Json;
  error: StepErrorData | null;
}

export interface JournalState {
  steps: Map<string, JournaledStep>;
  timers: Map<string, number>;
  signals: Map<string, Json>;
  lastSeq: number;
}

export async function loadJournal(db: DbOrTx, runId: string): Promise<JournalState> {
  const [steps, timers, signals, seq] = await Promise.all([
    db
      .select({
        key: runSteps.stepKey,
        status: runSteps.status,
        output: runSteps.output,
        error: runSteps.error,
      })
      .from(runSteps)
      .where(eq(runSteps.runId, runId)),
    db.select().from(runTimers).where(eq(runTimers.runId, runId)),
    db
      .select({ name: runSignals.name, payload: runSignals.payload })
      .from(runSignals)
      .where(eq(runSignals.runId, runId)),
    db
      .select({ last: max(runEvents.seq) })
      .from(runEvents)
      .where(eq(runEvents.runId, runId)),
  ]);
  return {
    steps: new Map(
      steps.map((s) => [
        s.key,
        { status: s.status, output: (s.output ?? null) as Json, error: s.error as StepErrorData | null },
      ]),
    ),
    timers: new Map(timers.map((t) => [t.timerKey, t.fireAt.getTime()])),
    signals: new Map(signals.map((s) => [s.name, (s.payload ?? null) as Json])),
    lastSeq: seq[0]?.last ?? 0,
  };
}

export async function readSignal(db: DbOrTx, runId: string, name: string): Promise<{ payload: Json } | null> {
  const [row] = await db
    .select({ payload: runSignals.payload })
    .from(runSignals)
    .where(and(eq(runSignals.runId, runId), eq(runSignals.name, name)));
  return row ? { payload: (row.payload ?? null) as Json } : null;
}

/** Inserts a timer unless it exists, returning the fire time that holds (the first one set). */
export async function ensureTimer(
  db: DbOrTx,
  runId: string,
  workspaceId: string,
  key: string,
  fireAt: Date,
): Promise<number> {
  const result = await db.execute(sql`
    with ins as (
      insert into run_timers (run_id, timer_key, workspace_id, fire_at)
      values (${runId}::uuid, ${key}, ${workspaceId}::uuid, ${fireAt.toISOString()}::timestamptz)
      on conflict do nothing
      returning fire_at
    )
    select fire_at from ins
    union all
    select fire_at from run_timers where run_id = ${runId}::uuid and timer_key = ${key}
    limit 1`);
  const value = rowsOf<{ fire_at: string | Date }>(result)[0]?.fire_at;
  return value ? new Date(value).getTime() : fireAt.getTime();
}

export interface NewEvent {
  type: string;
  nodeId?: string | null;
  data: Json;
}

export interface StepRow {
  stepKey: string;
  nodeId: string;
  nodeType: string;
  attempt: number;
  status: string;
  input?: Json;
  output?: Json;
  error?: StepErrorData | null;
  logs?: string[] | null;
  usage?: TokenUsage[] | null;
  startedAt: Date;
  finishedAt: Date;
}

/**
 * The data-modifying CTEs that store step rows and events numbered from `firstSeq`, to be combined
 * into one statement (a plain write, or the run's final update).
 */
export function journalWriteCtes(
  runId: string,
  workspaceId: string,
  firstSeq: number,
  events: NewEvent[],
  steps: StepRow[],
): SQL[] {
  const ctes: SQL[] = [];
  if (steps.length > 0) {
    const stepRows = steps.map((s) => ({
      step_key: s.stepKey,
      node_id: s.nodeId,
      node_type: s.nodeType,
      attempt: s.attempt,
      status: s.status,
      input: s.input ?? null,
      output: s.output ?? null,
      error: s.error ?? null,
      logs: s.logs?.length ? s.logs : null,
      usage: s.usage?.length ? s.usage : null,
      started_at: s.startedAt.toISOString(),
      finished_at: s.finishedAt.toISOString(),
    }));
    ctes.push(sql`new_steps as (
      insert into run_steps (run_id, step_key, workspace_id, node_id, node_type, attempt, status, input, output,
                             error, logs, usage, started_at, finished_at)
      select ${runId}::uuid, x.step_key, ${workspaceId}::uuid, x.node_id, x.node_type, x.attempt, x.status, x.input,
             x.output, nullif(x.error, 'null'::jsonb), nullif(x.logs, 'null'::jsonb), nullif(x.usage, 'null'::jsonb),
             x.started_at, x.finished_at
      from jsonb_to_recordset(${JSON.stringify(stepRows)}::jsonb) as x(step_key text, node_id text, node_type text,
           attempt int, status text, input jsonb, output jsonb, error jsonb, logs jsonb, usage jsonb,
           started_at timestamptz, finished_at timestamptz)
      on conflict do nothing
    )`);
  }
  if (events.length > 0) {
    const eventRows = events.map((e, i) => ({
      seq: firstSeq + i,
      type: e.type,
      node_id: e.nodeId ?? null,
      data: e.data,
    }));
    ctes.push(sql`new_events as (
      insert into run_events (run_id, seq, workspace_id, type, node_id, data)
      select ${runId}::uuid, x.seq, ${workspaceId}::uuid, x.type, x.node_id, x.data
      from jsonb_to_recordset(${JSON.stringify(eventRows)}::jsonb) as x(seq int, type text, node_id text, data jsonb)
    )`);
  }
  return ctes;
}

/** One statement: the step rows (if any) and the events numbered from `firstSeq`. */
export async function writeStepsAndEvents(
  db: DbOrTx,
  runId: string,
  workspaceId: string,
  firstSeq: number,
  events: NewEvent[],
  steps: StepRow[],
): Promise<void> {
  const ctes = journalWriteCtes(runId, workspaceId, firstSeq, events, steps);
  if (ctes.length === 0) return;
  await db.execute(sql`with ${sql.join(ctes, sql`, `)} select 1`);
}
