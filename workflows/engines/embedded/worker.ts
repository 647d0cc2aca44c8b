// The embedded worker: claims due runs up to its concurrency limit and executes them. It wakes on
// in-process (or LISTEN/NOTIFY) notices and otherwise polls, which is also how timers come due.
import { randomUUID } from 'node:crypto';
import type { Db } from '@/db/client';
import type { NodeServices } from '@/workflows/nodes/node-spec';
import type { RunEventBus } from './event-bus';
import { type ClaimedRun, claimDueRuns, releaseForeignLeases, releaseRun } from './leases';
import { type EngineNodeSpec, executeRun } from './run-executor';

export interface WorkerOptions {
  db: Db;
  bus: RunEventBus;
  catalog: Record<string, EngineNodeSpec>;
  /** Runs executed at once by this worker. */
  concurrency?: number;
  leaseMs?: number;
  pollMs?: number;
  inMemoryWaitMs?: number;
  /** Embedded database: leases of other workers are stale at boot (their process is gone). */
  singleProcessDatabase?: boolean;
  /** The workspace's secret values, for {{secrets.NAME}} (see run-executor). */
  secretsFor?: (workspaceId: string) => Promise<Record<string, string>>;
  /** Model providers and other services for node run functions (see run-executor). */
  servicesFor?: (workspaceId: string) => NodeServices;
}

const liveWorkers = new Set<string>();

export class EmbeddedWorker {
  readonly id = `worker-${randomUUID()}`;
  private readonly inFlight = new Map<string, Promise<void>>();
  private running = false;
  private loopDone: Promise<void> = Promise.resolve();
  /** Set when a wake-up arrives while the loop is busy, so the next wait returns at once. */
  private wakePending = false;
  /** The last claim filled every free slot, so more runs may be due when a slot frees up. */
  private backlog = false;
  private wakeLoop: () => void = () => {
    this.wakePending = true;
  };
  private offWake: () => void = () => {};
  private readonly concurrency: number;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly inMemoryWaitMs: number;
  /** Counts of how executions ended, for tests and diagnostics. */
  readonly stats = { finished: 0, suspended: 0, lost: 0, failed: 0 };

  constructor(private readonly opts: WorkerOptions) {
    this.concurrency = opts.concurrency ?? 20;
    this.leaseMs = opts.leaseMs ?? 15_000;
    this.pollMs = opts.pollMs ?? 250;
    this.inMemoryWaitMs = opts.inMemoryWaitMs ?? 2_000;
  }

  get activeRuns(): number {
    return this.inFlight.size;
  }

  private reserved = 0;

  /**
   * Direct dispatch: a run started in this process goes straight to this worker when it has a free
   * slot, leased to it from the start, skipping the queue and the claim. Returns the lease to write
   * with the new run, or null (then the run is queued as usual).
   */
  reserveSlot(): { workerId: string; leaseMs: number } | null {
    if (!this.running || this.inFlight.size + this.reserved >= this.concurrency) return null;
    this.reserved += 1;
    return { workerId: this.id, leaseMs: this.leaseMs };
  }

  /** Executes a run inserted with this worker's lease (after reserveSlot), or frees the slot. */
  dispatch(run: ClaimedRun | null): void {
    this.reserved -= 1;
    if (run) this.launch(run);
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    liveWorkers.add(this.id);
    if (this.opts.singleProcessDatabase) await releaseForeignLeases(this.opts.db, [...liveWorkers]);
    this.offWake = this.opts.bus.onWake(() => this.wakeLoop());
    this.loopDone = this.loop();
  }

  /** Stops claiming; runs in flight are handed back to the database, due at once. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.offWake();
    this.wakeLoop();
    await this.loopDone;
    await Promise.all(
      [...this.inFlight.keys()].map((runId) => releaseRun(this.opts.db, runId, this.id).catch(() => {})),
    );
    liveWorkers.delete(this.id);
  }

  private async loop(): Promise<void> {
    while (this.running) {
      this.wakePending = false;
      // Slots reserved for direct dispatch are taken, and the slots being claimed stay reserved
      // while the claim is awaited, so a run started meanwhile cannot push past the limit.
      const free = this.concurrency - this.inFlight.size - this.reserved;
      let claimedAll = false;
      if (free > 0) {
        this.reserved += free;
        try {
          const claimed = await claimDueRuns(this.opts.db, this.id, free, this.leaseMs);
          this.reserved -= free;
          for (const run of claimed) this.launch(run);
          claimedAll = claimed.length === free;
          this.backlog = claimedAll;
        } catch (error) {
          this.reserved -= free;
          if (this.running) console.error('Weft worker: claiming runs failed:', error);
        }
      }
      if (!this.running) break;
      if (claimedAll) continue;
      if (this.wakePending) {
        this.wakePending = false;
        continue;
      }
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.wakeLoop = () => {
            this.wakePending = true;
          };
          resolve();
        };
        const timer = setTimeout(done, this.pollMs);
        this.wakeLoop = done;
      });
    }
  }

  private launch(run: ClaimedRun) {
    const execution = executeRun(
      {
        db: this.opts.db,
        bus: this.opts.bus,
        catalog: this.opts.catalog,
        workerId: this.id,
        leaseMs: this.leaseMs,
        inMemoryWaitMs: this.inMemoryWaitMs,
        secretsFor: this.opts.secretsFor,
        servicesFor: this.opts.servicesFor,
      },
      run,
    )
      .then((end) => {
        this.stats[end] += 1;
      })
      .catch((error: unknown) => {
        this.stats.failed += 1;
        if (this.running) console.error(`Weft worker: run ${run.id} crashed:`, error);
      })
      .finally(() => {
        this.inFlight.delete(run.id);
        // Only look for more work when some was left behind; new work announces itself.
        if (this.backlog) this.wakeLoop();
      });
    this.inFlight.set(run.id, execution);
  }
}
