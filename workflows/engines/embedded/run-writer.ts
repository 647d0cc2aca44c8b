// Serialises everything one executor writes for one run, so event numbers are assigned in the
// order rows are stored and a reader following `seq` never sees a gap that fills in later. Writes
// queued while one is in flight go out together in the next statement (group commit), which is
// what keeps the per-node cost of a durable step low. Two kinds of writes wait a moment for company
// (see gather): `lazy` ones nothing waits on yet (a step's row, run_started), and streamed model
// output (llm_delta), which arrives in many small pieces. Model output is also shown to this
// process's readers as soon as it is queued (see announceAhead), so a streamed answer reaches its
// reader without waiting for the statement that stores it.
import type { DbOrTx } from '@/db/client';
import type { RunEvent } from './engine';
import type { RunEventBus } from './event-bus';
import { type NewEvent, type StepRow, writeStepsAndEvents } from './journal';
import { noRedaction, type Redactor } from './redact';

/**
 * Stores one batch after the event numbered `lastSeq` and returns the number of the last event now
 * stored. The default numbers from `lastSeq`; a store shared by several processes numbers under a
 * lock and may return more than `lastSeq + events.length`.
 */
export type BatchStore = (lastSeq: number, events: NewEvent[], steps: StepRow[]) => Promise<number>;

interface Pending {
  events: NewEvent[];
  step?: StepRow;
  /** When it was queued (performance.now()). */
  at: number;
  kind: 'lazy' | 'delta' | 'now';
  /** Its events were shown to this process's readers before being stored (announceAhead). */
  shown: boolean;
  resolve(): void;
  reject(error: unknown): void;
}

/** A lazy write waits at most this long for another write to share its statement. */
const LAZY_MS = 25;
/**
 * At most one statement of model output per run in this many milliseconds, the first piece at once:
 * for readers that see model output only once it is stored (a store shared by several processes).
 */
const DELTA_PACE_MS = 50;
/**
 * When every queued piece was already shown to this process's readers (announceAhead), storing it
 * is only for other processes and for the record: it waits this long from its first piece for
 * company, usually the model step's own row, so a short answer costs no statement of its own.
 */
const SHOWN_DELTA_PACE_MS = 200;

export class RunWriter {
  private queue: Pending[] = [];
  private flushing: Promise<void> | null = null;
  private failure: unknown;
  /** Settles once the run's row exists (see holdUntil); nothing is stored before. */
  private rowStored: Promise<void> | null = null;
  /** Set by takeRemaining: queued writes are left for the caller's final statement. */
  private closing = false;
  /** When model output (llm_delta) was last stored; see DELTA_PACE_MS. */
  private lastDeltaWrite = 0;
  /** Set while someone waits for everything to be stored (idle): nothing waits for company. */
  private urgent = 0;
  /** Ends gather's wait so it looks at the queue again. */
  private hurry: () => void = () => {};
  /** The number of the last event queued; events are stored in queue order, numbered on. */
  private queuedSeq: number;
  /** The number of the last event this process's readers were told of (stored or ahead). */
  private announcedSeq: number;

  constructor(
    private readonly db: DbOrTx,
    private readonly bus: RunEventBus,
    private readonly runId: string,
    private readonly workspaceId: string,
    private lastSeq: number,
    /** Applied to everything before it is stored (secret values out). */
    private readonly redact: Redactor = noRedaction,
    private readonly store?: BatchStore,
    /**
     * Whether model output may be shown before it is stored (announceAhead): only when `store`
     * numbers events in queue order, as the default store does.
     */
    private readonly aheadAllowed = store === undefined,
  ) {
    this.queuedSeq = lastSeq;
    this.announcedSeq = lastSeq;
  }

  /**
   * Stores a batch; returns the number of the last event now stored and, with the default store,
   * the events as stored (for this process's readers, who then need not read them back).
   */
  private async storeBatch(
    events: NewEvent[],
    steps: StepRow[],
  ): Promise<{ lastSeq: number; stored?: RunEvent[] }> {
    if (this.store) return { lastSeq: await this.store(this.lastSeq, events, steps) };
    const firstSeq = this.lastSeq + 1;
    const at = await writeStepsAndEvents(this.db, this.runId, this.workspaceId, firstSeq, events, steps);
    return { lastSeq: this.lastSeq + events.length, stored: at ? storedEvents(events, firstSeq, at) : [] };
  }

  /**
   * Queues the write; resolves once it is stored (rejects if it, or an earlier write, failed).
   * `lazy`: nothing waits on it, so it may wait a moment (LAZY_MS) to share a later statement.
   */
  append(events: NewEvent[], step?: StepRow, opts: { lazy?: boolean } = {}): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    const kind = opts.lazy
      ? 'lazy'
      : !step && events.length > 0 && events.every((e) => e.type === 'llm_delta')
        ? 'delta'
        : 'now';
    const redacted = this.redact(events);
    const firstSeq = this.queuedSeq + 1;
    this.queuedSeq += events.length;
    const shown = kind === 'delta' && this.announceAhead(redacted, firstSeq);
    const stored = new Promise<void>((resolve, reject) =>
      this.queue.push({
        events: redacted,
        step: step && this.redact(step),
        at: performance.now(),
        kind,
        shown,
        resolve,
        reject,
      }),
    );
    if (!this.flushing) this.flushing = this.flush();
    else this.hurry();
    return stored;
  }

  /**
   * Shows model output to this process's readers before it is stored, when its numbers are certain:
   * only the default store numbers events in queue order (a shared store numbers under a lock and
   * may skip), and only when every event queued before it was announced already, so readers get an
   * unbroken sequence. Should the statement storing it fail, the run is left to recovery, which
   * streams the model's output again; the chat stream then replaces the answer it showed.
   */
  private announceAhead(events: NewEvent[], firstSeq: number): boolean {
    if (!this.aheadAllowed || this.announcedSeq !== firstSeq - 1 || events.length === 0) return false;
    this.announcedSeq = firstSeq + events.length - 1;
    this.bus.eventsAhead(this.runId, this.announcedSeq, storedEvents(events, firstSeq, new Date()));
    return true;
  }

  /** Tells this process's readers (and other processes) that events up to `seq` are stored. */
  private announceStored(seq: number, events?: RunEvent[]) {
    this.announcedSeq = Math.max(this.announcedSeq, seq);
    this.bus.eventsStored(this.runId, seq, events);
  }

  /**
   * Stops writing and hands over what is still queued, numbered from `firstSeq`, so the caller can
   * store it in its own final statement; `settle` reports how that went: an error, or when it was
   * stored (the statement's now()) with the events the caller added after the queued ones.
   */
  async takeRemaining(): Promise<{
    events: NewEvent[];
    steps: StepRow[];
    firstSeq: number;
    settle(error?: unknown, stored?: { at: Date; added: NewEvent[] }): void;
  }> {
    this.closing = true;
    this.hurry();
    while (this.flushing) await this.flushing;
    if (this.rowStored) await this.awaitRow();
    if (this.failure) throw this.failure;
    const batch = this.queue;
    this.queue = [];
    const events = batch.flatMap((p) => p.events);
    return {
      events,
      steps: batch.flatMap((p) => (p.step ? [p.step] : [])),
      firstSeq: this.lastSeq + 1,
      settle: (error, stored) => {
        if (error) {
          this.failure ??= error;
          for (const p of batch) p.reject(error);
          return;
        }
        const all = [...events, ...(stored?.added ?? [])];
        const firstSeq = this.lastSeq + 1;
        this.lastSeq += all.length;
        this.queuedSeq = Math.max(this.queuedSeq, this.lastSeq);
        if (all.length > 0)
          this.announceStored(this.lastSeq, stored && storedEvents(all, firstSeq, stored.at));
        for (const p of batch) p.resolve();
      },
    };
  }

  /**
   * Holds every statement back until `rowStored` settles: the run was handed over while its row
   * was still being inserted. If it rejects, so does every write.
   */
  holdUntil(rowStored: Promise<void>): void {
    this.rowStored = rowStored;
  }

  /** Waits for the run's row (holdUntil); a missing row becomes this writer's failure. */
  private async awaitRow(): Promise<void> {
    try {
      await this.rowStored;
      this.rowStored = null;
    } catch (error) {
      this.failure ??= error;
    }
  }

  /** Resolves when everything queued so far is stored; rejects if a write failed. */
  async idle(): Promise<void> {
    this.urgent += 1;
    this.hurry();
    try {
      while (this.flushing) await this.flushing;
    } finally {
      this.urgent -= 1;
    }
    if (this.failure) throw this.failure;
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      // Give the interpreter a turn before each statement: on PGlite a statement holds the one
      // thread, so writing at once would leave batches of one step while the run waits.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.closing) break;
      await this.gather();
      if (this.rowStored) await this.awaitRow();
      if (this.closing) break;
      const batch = this.queue;
      this.queue = [];
      const events = batch.flatMap((p) => p.events);
      const steps = batch.flatMap((p) => (p.step ? [p.step] : []));
      try {
        if (this.failure) throw this.failure;
        if (events.some((e) => e.type === 'llm_delta')) this.lastDeltaWrite = performance.now();
        const { lastSeq, stored } = await this.storeBatch(events, steps);
        this.lastSeq = lastSeq;
        // A shared store may number past what was queued here.
        this.queuedSeq = Math.max(this.queuedSeq, lastSeq);
        if (events.length > 0) this.announceStored(this.lastSeq, stored);
        for (const p of batch) p.resolve();
      } catch (error) {
        this.failure ??= error;
        for (const p of batch) p.reject(error);
      }
    }
    this.flushing = null;
  }

  /**
   * Lets the queue wait a moment for company when nothing in it is pressing: lazy writes up to
   * LAZY_MS after they were queued; model output (llm_delta) until DELTA_PACE_MS after the last
   * stored piece, so a streamed answer costs one statement per moment rather than per piece (the
   * first piece goes out at once), or, when this process's readers were shown all of it already,
   * SHOWN_DELTA_PACE_MS from its first piece. Any other write, idle() or the run's end cuts the wait
   * short.
   */
  private async gather(): Promise<void> {
    for (;;) {
      const wait = this.waitFor(performance.now());
      if (wait <= 0 || this.closing) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, wait);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.hurry = done;
      });
      this.hurry = () => {};
    }
  }

  /** How long the queue may still wait (<= 0: store it now): until the soonest entry is due. */
  private waitFor(now: number): number {
    if (this.urgent > 0 || this.queue.length === 0) return 0;
    let due = Number.POSITIVE_INFINITY;
    for (const p of this.queue) {
      if (p.kind === 'now') return 0;
      if (p.kind === 'lazy') due = Math.min(due, p.at + LAZY_MS);
      // Shown to this process's readers already: storing it is for other processes and the record.
      else if (p.shown) due = Math.min(due, Math.max(this.lastDeltaWrite, p.at) + SHOWN_DELTA_PACE_MS);
      else due = Math.min(due, this.lastDeltaWrite + DELTA_PACE_MS);
    }
    return due - now;
  }
}

/**
 * The events of a batch as a reader would read them back: numbered from `firstSeq`, stamped with
 * the statement's now() (run_events.created_at), data as JSON (a copy, as stored).
 */
function storedEvents(events: NewEvent[], firstSeq: number, at: Date): RunEvent[] {
  return events.map((e, i) => ({
    seq: firstSeq + i,
    type: e.type,
    nodeId: e.nodeId ?? null,
    data: JSON.parse(JSON.stringify(e.data === undefined ? null : e.data)),
    createdAt: at,
  }));
}
