// Writes for runs whose steps execute in several worker processes at once. Each write takes a
// per-run advisory lock and numbers its events after the last one stored, so event numbers stay
// gapless and in commit order for readers following `seq`, whichever process wrote them.
import { inArray, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '@/db/client';
import { runSteps } from '@/db/schema';
import { executeText, SqlText } from '@/db/sql-text';
import { journalWriteCtes, type NewEvent, type StepRow } from '@/workflows/engines/embedded/journal';
import { recordWrites } from '@/workflows/engines/embedded/journaled-step';
import type { BatchStore } from '@/workflows/engines/embedded/run-writer';
import { rowsOf } from '@/workflows/engines/embedded/sql-rows';
import type { PendingRecord } from './contract';

const FINISHED = ['succeeded', 'partially_succeeded', 'failed', 'cancelled'];

/** What a locked write sees: the run's last stored event and whether the run has finished. */
export interface LockedRun {
  lastSeq: number;
  finished: boolean;
}

/** Runs `work` in a transaction holding the run's lock. */
export async function withRunLock<T>(
  db: Db,
  runId: string,
  work: (tx: DbOrTx, run: LockedRun) => Promise<T>,
): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${runId}, 7))`);
    const result = await tx.execute(sql`
      select (select coalesce(max(seq), 0)::int from run_events where run_id = ${runId}::uuid) as last,
             (select status from runs where id = ${runId}::uuid) as status`);
    const row = rowsOf<{ last: number; status: string | null }>(result)[0];
    return work(tx, { lastSeq: Number(row?.last ?? 0), finished: FINISHED.includes(row?.status ?? '') });
  });
}

/** Stores steps and events numbered after the last stored event; returns the new last number. */
export async function writeNumbered(
  tx: DbOrTx,
  runId: string,
  workspaceId: string,
  lastSeq: number,
  events: NewEvent[],
  steps: StepRow[],
): Promise<number> {
  const q = new SqlText();
  const ctes = journalWriteCtes(q, runId, workspaceId, lastSeq + 1, events, steps);
  if (ctes.length > 0) await executeText(tx, q.add(`with ${ctes.join(', ')} select 1`));
  return lastSeq + events.length;
}

/**
 * A RunWriter store for a run shared between processes. Once the run has finished (e.g. it was
 * cancelled while a node was still running elsewhere) nothing more is stored: run_finished stays
 * the last event.
 */
export function lockedBatchStore(db: Db, runId: string, workspaceId: string): BatchStore {
  return (_lastSeq, events, steps) =>
    withRunLock(db, runId, (tx, run) =>
      run.finished
        ? Promise.resolve(run.lastSeq)
        : writeNumbered(tx, runId, workspaceId, run.lastSeq, events, steps),
    );
}

/**
 * The writes of recorded steps not stored yet. A retried activity brings the same records again;
 * those whose row exists are left out, so their events are not repeated.
 */
export async function unstoredRecordWrites(
  tx: DbOrTx,
  runId: string,
  records: PendingRecord[],
): Promise<{ events: NewEvent[]; steps: StepRow[] }> {
  if (records.length === 0) return { events: [], steps: [] };
  const existing = await tx
    .select({ key: runSteps.stepKey })
    .from(runSteps)
    .where(
      sql`${runSteps.runId} = ${runId}::uuid and ${inArray(
        runSteps.stepKey,
        records.map((r) => r.stepKey),
      )}`,
    );
  const stored = new Set(existing.map((e) => e.key));
  // Stamped when stored: the workflow's clock stands still through a workflow task, so a loop's row
  // would seem to end before the body steps run as local activities in that same task.
  const now = new Date();
  const events: NewEvent[] = [];
  const steps: StepRow[] = [];
  for (const record of records) {
    if (stored.has(record.stepKey)) continue;
    const { event, row } = recordWrites(record.stepKey, record.step, now);
    events.push(event);
    steps.push(row);
  }
  return { events, steps };
}
