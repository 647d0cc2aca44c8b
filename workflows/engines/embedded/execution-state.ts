// The moving parts of one run's execution: steps in flight, waits (in memory, or blocked so the run
// can be handed back), cancellation, and the decision to suspend once nothing is left to do here.
import { setMaxListeners } from 'node:events';
import { type Json, RunCancelledError } from '@/workflows/interpreter/types';

export interface Wait {
  kind: 'signal' | 'timer';
  name: string;
  fireAt?: number;
  /** A blocked wait lets the run suspend; an in-memory one keeps it here. */
  blocked: boolean;
  resolve(value: Json | undefined): void;
  reject(error: unknown): void;
  timer?: NodeJS.Timeout;
}

export class ExecutionState {
  readonly waits = new Set<Wait>();
  private readonly abort = new AbortController();
  private active = 0;
  private cancelled = false;
  private ended = false;
  private checkScheduled = false;

  constructor(
    /** Waits shorter than this stay in memory; longer ones suspend the run. */
    private readonly inMemoryWaitMs: number,
    /** Called once nothing executes and some wait is blocked. */
    private readonly onQuiescent: () => void,
  ) {
    // Every node in flight listens for cancellation: a wide fan-out is many listeners, not a leak.
    setMaxListeners(0, this.abort.signal);
  }

  /** Aborted when the run is cancelled or abandoned. */
  get abortSignal(): AbortSignal {
    return this.abort.signal;
  }

  get isCancelled(): boolean {
    return this.cancelled;
  }

  end(): void {
    this.ended = true;
  }

  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.abort.abort(new RunCancelledError());
    for (const wait of this.waits) {
      if (wait.timer) clearTimeout(wait.timer);
      wait.reject(new RunCancelledError());
    }
    this.waits.clear();
  }

  /** Stops in-flight work without cancelling the run (the lease was lost). */
  abandon(): void {
    this.abort.abort(new RunCancelledError());
  }

  throwIfCancelled(): void {
    if (this.cancelled) throw new RunCancelledError();
  }

  /** Counts `work` as executing while it runs. */
  async track<T>(work: () => Promise<T>): Promise<T> {
    this.active++;
    try {
      return await work();
    } finally {
      this.active--;
      this.maybeSuspend();
    }
  }

  wait(kind: Wait['kind'], name: string, fireAt: number | undefined): Promise<Json | undefined> {
    return new Promise((resolve, reject) => {
      const remaining = fireAt === undefined ? Number.POSITIVE_INFINITY : fireAt - Date.now();
      const entry: Wait = {
        kind,
        name,
        fireAt,
        blocked: remaining > this.inMemoryWaitMs,
        resolve: (value) => {
          if (entry.timer) clearTimeout(entry.timer);
          this.waits.delete(entry);
          resolve(value);
        },
        reject,
      };
      // Node's timers may fire a moment before the wall clock reaches fireAt: a durable timer never
      // fires early (a retry's backoff is at least its delay), so an early call waits out the rest.
      const fire = () => {
        const left = (fireAt ?? 0) - Date.now();
        if (left > 0) entry.timer = setTimeout(fire, left);
        else entry.resolve(undefined);
      };
      if (!entry.blocked) entry.timer = setTimeout(fire, Math.max(0, remaining));
      this.waits.add(entry);
      this.maybeSuspend();
    });
  }

  /** What the run waits for when it is handed back: signal names and the earliest wake-up. */
  blockedWaits(): { signals: string[]; wakeAt: Date | null } {
    const blocked = [...this.waits].filter((w) => w.blocked);
    const fireTimes = blocked.map((w) => w.fireAt).filter((t): t is number => t !== undefined);
    return {
      signals: blocked.filter((w) => w.kind === 'signal').map((w) => w.name),
      wakeAt: fireTimes.length > 0 ? new Date(Math.min(...fireTimes)) : null,
    };
  }

  /** Forgets every wait (the run is being handed back; nothing will resolve them). */
  dropWaits(): void {
    for (const w of this.waits) if (w.timer) clearTimeout(w.timer);
    this.waits.clear();
  }

  // The check runs after pending microtasks, when the interpreter has issued everything it can.
  private maybeSuspend(): void {
    if (this.checkScheduled || this.ended) return;
    this.checkScheduled = true;
    setImmediate(() => {
      this.checkScheduled = false;
      if (!this.ended && !this.cancelled && this.active === 0 && [...this.waits].some((w) => w.blocked))
        this.onQuiescent();
    });
  }
}
