// RecentEvents: what a reader may take from memory instead of reading the table, and when it must
// read after all (a gap, a notice without events, too many events, a run finished or idle a while).
import { describe, expect, it } from 'vitest';
import type { RunEvent } from './engine';
import { RecentEvents } from './recent-events';

const ev = (seq: number, type = 'node_started'): RunEvent => ({
  seq,
  type,
  nodeId: null,
  data: { seq },
  createdAt: new Date(0),
});
const seqs = (events: RunEvent[] | null) => events?.map((e) => e.seq) ?? null;

describe('RecentEvents', () => {
  it('hands over an unbroken run from its first event, after any point', () => {
    const recent = new RecentEvents();
    recent.note('r', 1, [ev(1, 'run_queued')]);
    expect(seqs(recent.after('r', 0))).toEqual([1]);
    recent.note('r', 3, [ev(2), ev(3)]);
    // Events announced ahead and then stored come twice: kept once.
    recent.note('r', 4, [ev(2), ev(3), ev(4)]);
    expect(seqs(recent.after('r', 0))).toEqual([1, 2, 3, 4]);
    expect(seqs(recent.after('r', 3))).toEqual([4]);
    expect(seqs(recent.after('r', 4))).toEqual([]);
    expect(recent.after('other', 0)).toBeNull();
  });

  it('keeps nothing for a run whose first event it did not see', () => {
    const recent = new RecentEvents();
    recent.note('r', 3, [ev(2), ev(3)]);
    expect(recent.after('r', 0)).toBeNull();
  });

  it('drops a run on a gap or on a notice of events it was not given', () => {
    const recent = new RecentEvents();
    recent.note('gap', 1, [ev(1)]);
    recent.note('gap', 4, [ev(4)]);
    expect(recent.after('gap', 0)).toBeNull();

    recent.note('remote', 1, [ev(1)]);
    recent.note('remote', 1); // a notice of what it holds already changes nothing
    expect(seqs(recent.after('remote', 0))).toEqual([1]);
    recent.note('remote', 2); // another process stored event 2
    expect(recent.after('remote', 0)).toBeNull();
  });

  it('drops a run with more events than it keeps, and the oldest runs beyond its count', () => {
    const recent = new RecentEvents({ perRun: 3, runs: 2 });
    recent.note('long', 4, [ev(1), ev(2), ev(3), ev(4)]);
    expect(recent.after('long', 0)).toBeNull();
    recent.note('a', 1, [ev(1)]);
    recent.note('b', 1, [ev(1)]);
    recent.note('a', 2, [ev(2)]); // a written last: b is now the oldest
    recent.note('c', 1, [ev(1)]);
    expect(recent.after('b', 0)).toBeNull();
    expect(seqs(recent.after('a', 0))).toEqual([1, 2]);
    expect(recent.size).toBe(2);
  });

  it('forgets a finished or paused run soon and an idle one later', () => {
    let now = 0;
    const recent = new RecentEvents({ afterFinishMs: 1_000, idleMs: 30_000 }, () => now);
    recent.note('done', 2, [ev(1), ev(2, 'run_finished')]);
    recent.note('paused', 2, [ev(1), ev(2, 'paused')]);
    recent.note('sleeping', 1, [ev(1)]);
    now = 999;
    expect(seqs(recent.after('done', 0))).toEqual([1, 2]);
    expect(seqs(recent.after('paused', 0))).toEqual([1, 2]);
    now = 1_500;
    expect(recent.after('done', 0)).toBeNull();
    expect(recent.after('paused', 0)).toBeNull();
    expect(seqs(recent.after('sleeping', 0))).toEqual([1]);
    now = 31_000;
    expect(recent.after('sleeping', 0)).toBeNull();
  });
});
