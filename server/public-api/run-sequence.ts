// Dify's sequence_number: a run's position (1, 2, …) among its app's runs by creation time.
// Counting every earlier run on each stream grows with the app's history (and sits before a stream's
// first event), so each process keeps a mark per app: how many runs were created up to a moment
// SETTLE_MS back (runs are inserted in one statement, committed within moments of their created_at).
// A run after the mark counts only the runs since; the same statement moves the mark forward. Each
// count reads every run of the last SETTLE_MS, so that window is kept short: at 10 s and 240 runs a
// second this statement took as much database time as the one storing the run's steps and events.
import { sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { executeText, SqlText } from '@/db/sql-text';
import { rowsOf } from '@/workflows/engines/embedded/sql-rows';

const SETTLE_MS = 2_000;
/** A mark is recounted from scratch this often (it drifts only if runs were deleted meanwhile). */
const MARK_MAX_AGE_MS = 10 * 60_000;
const MAX_APPS = 1_000;

interface Mark {
  /** Runs of the app created at or before `at` (the database's clock, as text). */
  at: string;
  count: number;
  madeAt: number;
}

const marks = new Map<string, Mark>();

export async function runSequenceNumber(db: Db, appId: string, runId: string): Promise<number> {
  const held = marks.get(appId);
  const mark = held && Date.now() - held.madeAt < MARK_MAX_AGE_MS ? held : undefined;
  const q = new SqlText();
  const [run, app, from] = [
    q.param(runId),
    q.param(appId),
    `${q.param(mark?.at ?? '-infinity')}::timestamptz`,
  ];
  q.add(`
    with r as (select created_at from runs where id = ${run}::uuid),
         settled as (select now() - ${q.param(SETTLE_MS)} * interval '1 millisecond' as at)
    select
      (select count(*) from runs where app_id = ${app}::uuid and created_at > ${from}
         and created_at <= (select created_at from r)) as since_mark,
      (select created_at from r) > ${from} as after_mark,
      (select count(*) from runs where app_id = ${app}::uuid and created_at > ${from}
         and created_at <= (select at from settled)) as settled_since_mark,
      (select at from settled)::text as settled_at,
      (select at from settled) > ${from} as mark_moves`);
  const row = (
    await executeText<{
      since_mark: string | number;
      after_mark: boolean | null;
      settled_since_mark: string | number;
      settled_at: string;
      mark_moves: boolean;
    }>(db, q)
  )[0];
  if (!row) return 1;
  const base = mark?.count ?? 0;
  if (row.mark_moves) {
    marks.delete(appId);
    marks.set(appId, {
      at: row.settled_at,
      count: base + Number(row.settled_since_mark),
      madeAt: mark?.madeAt ?? Date.now(),
    });
    while (marks.size > MAX_APPS) {
      const oldest = marks.keys().next();
      if (oldest.done) break;
      marks.delete(oldest.value);
    }
  }
  // A run from before the mark (a stream re-attached long after): counted in full.
  if (mark && row.after_mark === false) return fullCount(db, appId, runId);
  return Math.max(1, base + Number(row.since_mark));
}

async function fullCount(db: Db, appId: string, runId: string): Promise<number> {
  const result = await db.execute(sql`
    select count(*) as n from runs
    where app_id = ${appId}::uuid and created_at <= (select created_at from runs where id = ${runId}::uuid)`);
  return Math.max(1, Number(rowsOf<{ n: string | number }>(result)[0]?.n ?? 1));
}
