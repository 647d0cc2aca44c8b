// The events of runs this process is writing, kept in memory for a moment so that a reader that
// starts following a run just after it began (an API stream opened by the request that started the
// run) gets them without reading the run's events back from the table. Only an unbroken sequence
// from the run's first event is kept; a notice without its events (another process wrote them),
// a gap, or too many events drop the run, and its readers read the table as before. A run is
// forgotten soon after it finishes or pauses, and any run after a while without events.

import type { RunEvent } from './engine';

export interface RecentEventsLimits {
  /** Events kept per run; a longer run is dropped (its readers read the table). */
  perRun: number;
  /** Runs kept at most; the least recently written are dropped first. */
  runs: number;
  /** How long the events of a run that finished or paused stay. */
  afterFinishMs: number;
  /** How long a run's events stay after its last one (a paused run, a crashed executor). */
  idleMs: number;
}

/** Events after which the run leaves this process's executor for a while or for good. */
const LEAVING = new Set(['paused', 'run_finished']);

const DEFAULT_LIMITS: RecentEventsLimits = {
  perRun: 2_000,
  runs: 500,
  afterFinishMs: 1_000,
  idleMs: 30_000,
};

interface Entry {
  events: RunEvent[];
  /** Date.now() of the last event. */
  touched: number;
  /** Its last event was one after which the run leaves this process (LEAVING). */
  leaving: boolean;
}

export class RecentEvents {
  private readonly entries = new Map<string, Entry>();
  private readonly limits: RecentEventsLimits;
  private lastSweep = 0;

  constructor(
    limits: Partial<RecentEventsLimits> = {},
    private readonly now: () => number = Date.now,
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }

  /**
   * Events of `runId` numbered up to `seq` were stored (or announced ahead). `events` are the newest
   * of them, as a reader would see them; without them, only the table has them.
   */
  note(runId: string, seq: number, events?: RunEvent[]): void {
    const now = this.now();
    this.sweep(now);
    const entry = this.entries.get(runId);
    const lastSeq = entry?.events.at(-1)?.seq ?? 0;
    if (!events || events.length === 0) {
      if (entry && lastSeq < seq) this.entries.delete(runId);
      return;
    }
    const first = events[0]?.seq ?? 0;
    if (first > lastSeq + 1 || (!entry && first !== 1)) {
      this.entries.delete(runId);
      return;
    }
    const kept = entry?.events ?? [];
    for (const event of events) if (event.seq > (kept.at(-1)?.seq ?? 0)) kept.push(event);
    if (kept.length > this.limits.perRun) {
      this.entries.delete(runId);
      return;
    }
    // Re-inserted so the map stays ordered by last write (oldest first).
    this.entries.delete(runId);
    this.entries.set(runId, { events: kept, touched: now, leaving: LEAVING.has(kept.at(-1)?.type ?? '') });
    if (this.entries.size > this.limits.runs) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }

  /**
   * The run's events after `afterSeq`, when every one of them is held (possibly none yet); null when
   * the table must be read.
   */
  after(runId: string, afterSeq: number): RunEvent[] | null {
    this.sweep(this.now());
    const entry = this.entries.get(runId);
    if (!entry) return null;
    const first = entry.events[0]?.seq ?? 1;
    if (first > afterSeq + 1) return null;
    return entry.events.filter((e) => e.seq > afterSeq);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Drops finished and idle runs; at most once a second, as writes come in. */
  private sweep(now: number) {
    if (now - this.lastSweep < 1_000) return;
    this.lastSweep = now;
    for (const [runId, entry] of this.entries) {
      const ttl = entry.leaving ? this.limits.afterFinishMs : this.limits.idleMs;
      if (now - entry.touched >= ttl) this.entries.delete(runId);
    }
  }
}
