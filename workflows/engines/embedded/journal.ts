// Reads a run's journal (completed steps, timers, signals, last event number) so an executor can
// replay the interpreter against it, and writes steps together with their events in one statement.
import { and, eq, max, sql } from 'drizzle-orm';
import type { DbOrTx } from '@/db/client';
import { runEvents, runSignals, runSteps, runTimers } from '@/db/schema';
import { executeText, SqlText } from '@/db/sql-text';
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
 * The data-modifying CTEs that store step rows and events numbered from `firstSeq`, their values
 * taken into `q`, to be combined into one statement (a plain write, or the run's final update). Rows
 * go in as VALUES lists of parameters: on PGlite that plans in well under half the time of unpacking
 * one JSON document.
 */
export function journalWriteCtes(
  q: SqlText,
  runId: string,
  workspaceId: string,
  firstSeq: number,
  events: NewEvent[],
  steps: StepRow[],
): string[] {
  const ctes: string[] = [];
  if (steps.length > 0) {
    const run = q.param(runId);
    const workspace = q.param(workspaceId);
    const rows = steps.map(
      (
        s,
      ) => `(${run}::uuid, ${q.param(s.stepKey)}, ${workspace}::uuid, ${q.param(s.nodeId)}, ${q.param(s.nodeType)},
        ${q.param(s.attempt)}::int, ${q.param(s.status)}, ${q.jsonb(s.input)}, ${q.jsonb(s.output)}, ${q.jsonb(s.error)},
        ${q.jsonb(s.logs?.length ? s.logs : null)}, ${q.jsonb(s.usage?.length ? s.usage : null)},
        ${q.param(s.startedAt.toISOString())}::timestamptz, ${q.param(s.finishedAt.toISOString())}::timestamptz)`,
    );
    ctes.push(`new_steps as (
      insert into run_steps (run_id, step_key, workspace_id, node_id, node_type, attempt, status, input, output,
                             error, logs, usage, started_at, finished_at)
      values ${rows.join(', ')}
      on conflict do nothing
      returning status, node_type
    )`);
  }
  if (events.length > 0) {
    const run = q.param(runId);
    const workspace = q.param(workspaceId);
    const rows = events.map(
      (e, i) => `(${run}::uuid, ${q.param(firstSeq + i)}::int, ${workspace}::uuid, ${q.param(e.type)},
        ${q.param(e.nodeId ?? null)}, ${q.param(JSON.stringify(e.data === undefined ? null : e.data))}::jsonb)`,
    );
    ctes.push(`new_events as (
      insert into run_events (run_id, seq, workspace_id, type, node_id, data)
      values ${rows.join(', ')}
    )`);
  }
  return ctes;
}

/**
 * One statement: the step rows (if any) and the events numbered from `firstSeq`. Returns when the
 * events were stored (their created_at: the statement's now()), or null when there was nothing.
 */
export async function writeStepsAndEvents(
  db: DbOrTx,
  runId: string,
  workspaceId: string,
  firstSeq: number,
  events: NewEvent[],
  steps: StepRow[],
): Promise<Date | null> {
  const q = new SqlText();
  const ctes = journalWriteCtes(q, runId, workspaceId, firstSeq, events, steps);
  if (ctes.length === 0) return null;
  q.add(`with ${ctes.join(', ')} select now() as at`);
  const at = (await executeText<{ at: string | Date }>(db, q))[0]?.at;
  return at ? new Date(at) : new Date();
}
