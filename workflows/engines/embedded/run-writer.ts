// Serialises everything one executor writes for one run, so event numbers are assigned in the
// order rows are stored and a reader following `seq` never sees a gap that fills in later. Writes
// queued while one is in flight go out together in the next statement (group commit), which is
// what keeps the per-node cost of a durable step low.
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
  resolve(): void;
  reject(error: unknown): void;
}

export class RunWriter {
  private queue: Pending[] = [];
  private flushing: Promise<void> | null = null;
  private failure: unknown;
  /** Set by takeRemaining: queued writes are left for the caller's final statement. */
  private closing = false;

  constructor(
    private readonly db: DbOrTx,
    private readonly bus: RunEventBus,
    private readonly runId: string,
    private readonly workspaceId: string,
    private lastSeq: number,
    /** Applied to everything before it is stored (secret values out). */
    private readonly redact: Redactor = noRedaction,
    private readonly store?: BatchStore,
  ) {}

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

  /** Queues the write; resolves once it is stored (rejects if it, or an earlier write, failed). */
  append(events: NewEvent[], step?: StepRow): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    const stored = new Promise<void>((resolve, reject) =>
      this.queue.push({ events: this.redact(events), step: step && this.redact(step), resolve, reject }),
    );
    if (!this.flushing) this.flushing = this.flush();
    return stored;
  }

  /**
   * Stops writing and hands over what is still queued, numbered from `firstSeq`, so the caller can
   * store it in its own final statement; `settle` reports how that went.
   */
  async takeRemaining(): Promise<{
    events: NewEvent[];
    steps: StepRow[];
    firstSeq: number;
    settle(error?: unknown): void;
  }> {
    this.closing = true;
    while (this.flushing) await this.flushing;
    if (this.failure) throw this.failure;
    const batch = this.queue;
    this.queue = [];
    const events = batch.flatMap((p) => p.events);
    return {
      events,
      steps: batch.flatMap((p) => (p.step ? [p.step] : [])),
      firstSeq: this.lastSeq + 1,
      settle: (error) => {
        if (error) {
          this.failure ??= error;
          for (const p of batch) p.reject(error);
          return;
        }
        this.lastSeq += events.length;
        if (events.length > 0) this.bus.eventsStored(this.runId, this.lastSeq);
        for (const p of batch) p.resolve();
      },
    };
  }

  /** Resolves when everything queued so far is stored; rejects if a write failed. */
  async idle(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.failure) throw this.failure;
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      // Give the interpreter a turn before each statement: on PGlite a statement holds the one
      // thread, so writing at once would leave batches of one step while the run waits.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.closing) break;
      const batch = this.queue;
      this.queue = [];
      const events = batch.flatMap((p) => p.events);
      const steps = batch.flatMap((p) => (p.step ? [p.step] : []));
      try {
        if (this.failure) throw this.failure;
        const { lastSeq, stored } = await this.storeBatch(events, steps);
        this.lastSeq = lastSeq;
        if (events.length > 0) this.bus.eventsStored(this.runId, this.lastSeq, stored);
        for (const p of batch) p.resolve();
      } catch (error) {
        this.failure ??= error;
        for (const p of batch) p.reject(error);
      }
    }
    this.flushing = null;
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
