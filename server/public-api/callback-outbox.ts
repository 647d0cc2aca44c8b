// The durable side of async-run callbacks: a callback is stored (run_callbacks) when its run is
// accepted, and delivered from there once the run has finished, by whichever web process finds it
// first. So a callback survives a restart, or the loss, of the process that accepted the run.
//
// Each web process runs one outbox. It sweeps every few seconds for pending callbacks of finished
// runs, claims a few (`claimed_until`, with SKIP LOCKED, so two processes never take the same
// one), and delivers them with deliverCallback's retries. A delivery given up is tried again on
// later sweeps with a growing pause, up to MAX_ROUNDS rounds, then marked failed. A run that
// finishes in this process kicks the outbox at once rather than waiting for the next sweep.
import { eq, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { runCallbacks } from '@/db/schema';
import { config } from '@/server/config';
import { FINISHED } from '@/workflows/engines/embedded/engine';
import { rowsOf } from '@/workflows/engines/embedded/sql-rows';
import { callbackSecret, type DeliveryOptions, deliverCallback } from './callbacks';
import { loadWorkflowRun } from './workflow-run-data';

/** Delivery rounds (each with deliverCallback's own retries) before a callback is marked failed. */
export const MAX_ROUNDS = 3;

export interface OutboxOptions {
  sweepMs?: number;
  /** How long a claim keeps other processes off a callback being delivered. */
  claimMs?: number;
  /** The pause before round n + 1 is `roundPauseMs * 4^(n - 1)`. */
  roundPauseMs?: number;
  /** Callbacks delivered at once by this process. */
  parallel?: number;
  delivery?: DeliveryOptions;
  appSecret?: () => string;
}

/** Stores the callback of an accepted async run (to be delivered once the run finishes). */
export async function enqueueCallback(
  db: Db,
  callback: { runId: string; workspaceId: string; apiKeyId: string; url: string },
): Promise<void> {
  await db.insert(runCallbacks).values(callback).onConflictDoNothing();
}

interface ClaimedCallback {
  run_id: string;
  workspace_id: string;
  app_id: string;
  api_key_id: string;
  url: string;
  delivery_id: string;
  attempts: number;
}

export class CallbackOutbox {
  private timer: NodeJS.Timeout | null = null;
  private sweeping: Promise<void> | null = null;
  private again = false;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly sweepMs: number;
  private readonly claimMs: number;
  private readonly roundPauseMs: number;
  private readonly parallel: number;

  constructor(
    private readonly db: Db,
    private readonly options: OutboxOptions = {},
  ) {
    this.sweepMs = options.sweepMs ?? 5_000;
    this.claimMs = options.claimMs ?? 120_000;
    this.roundPauseMs = options.roundPauseMs ?? 60_000;
    this.parallel = options.parallel ?? 8;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.kick(), this.sweepMs);
    this.timer.unref();
    this.kick();
  }

  /** Stops sweeping and waits for the deliveries under way. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.sweeping;
    await Promise.all(this.inFlight);
  }

  /** Sweeps soon; a kick during a sweep runs one more sweep after it. */
  kick(): void {
    if (this.sweeping) {
      this.again = true;
      return;
    }
    this.sweeping = this.sweep()
      .catch((error: unknown) => console.error('callback outbox: sweep failed:', error))
      .finally(() => {
        this.sweeping = null;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Resolves when nothing is being swept or delivered (for tests). */
  async idle(): Promise<void> {
    while (this.sweeping || this.inFlight.size > 0) {
      await this.sweeping;
      await Promise.all(this.inFlight);
    }
  }

  private async sweep(): Promise<void> {
    const room = this.parallel - this.inFlight.size;
    if (room <= 0) return;
    const finished = sql.join(
      FINISHED.map((s) => sql`${s}`),
      sql`, `,
    );
    const result = await this.db.execute(sql`
      update run_callbacks c
         set claimed_until = now() + ${this.claimMs} * interval '1 millisecond', attempts = c.attempts + 1
        from runs r
       where r.id = c.run_id
         and c.run_id in (
           select c2.run_id from run_callbacks c2 join runs r2 on r2.id = c2.run_id
            where c2.status = 'pending' and r2.status in (${finished})
              and (c2.claimed_until is null or c2.claimed_until < now())
            order by c2.created_at
            limit ${room}
            for update of c2 skip locked)
      returning c.run_id, c.workspace_id, r.app_id, c.api_key_id, c.url, c.delivery_id, c.attempts`);
    for (const claimed of rowsOf<ClaimedCallback>(result)) {
      const delivery: Promise<void> = this.deliver(claimed)
        .catch((error: unknown) => console.error(`callback of run ${claimed.run_id} failed:`, error))
        .finally(() => this.inFlight.delete(delivery));
      this.inFlight.add(delivery);
    }
  }

  private async deliver(claimed: ClaimedCallback): Promise<void> {
    const runId = claimed.run_id;
    const data = await loadWorkflowRun(
      this.db,
      { workspaceId: claimed.workspace_id, appId: claimed.app_id },
      runId,
    );
    const secret = callbackSecret(this.options.appSecret?.() ?? config().APP_SECRET, claimed.api_key_id);
    const delivered = await deliverCallback(
      new URL(claimed.url),
      { event: 'workflow_finished', task_id: runId, workflow_run_id: runId, data },
      secret,
      { ...this.options.delivery, deliveryId: claimed.delivery_id },
    );
    if (delivered) {
      await this.db
        .update(runCallbacks)
        .set({ status: 'delivered', finishedAt: new Date(), claimedUntil: null, lastError: null })
        .where(eq(runCallbacks.runId, runId));
      return;
    }
    const lastError = `not delivered after ${claimed.attempts} round(s)`;
    if (claimed.attempts >= MAX_ROUNDS) {
      await this.db
        .update(runCallbacks)
        .set({ status: 'failed', finishedAt: new Date(), claimedUntil: null, lastError })
        .where(eq(runCallbacks.runId, runId));
      return;
    }
    // Left pending; the claim now marks when the next round may start.
    const pauseMs = this.roundPauseMs * 4 ** (claimed.attempts - 1);
    await this.db
      .update(runCallbacks)
      .set({ claimedUntil: new Date(Date.now() + pauseMs), lastError })
      .where(eq(runCallbacks.runId, runId));
  }
}

/** The callback of `runId`, for the run's owner to inspect (and for tests). */
export async function callbackState(db: Db, runId: string) {
  const [row] = await db
    .select({
      status: runCallbacks.status,
      attempts: runCallbacks.attempts,
      lastError: runCallbacks.lastError,
      deliveryId: runCallbacks.deliveryId,
    })
    .from(runCallbacks)
    .where(eq(runCallbacks.runId, runId));
  return row ?? null;
}

const holder = globalThis as typeof globalThis & { __weftCallbackOutbox?: CallbackOutbox };

/** This process's outbox, started on first use (instrumentation.ts starts it at boot). */
export function processCallbackOutbox(db: Db): CallbackOutbox {
  if (!holder.__weftCallbackOutbox) {
    holder.__weftCallbackOutbox = new CallbackOutbox(db);
    holder.__weftCallbackOutbox.start();
  }
  return holder.__weftCallbackOutbox;
}
