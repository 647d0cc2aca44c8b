// A worker never runs more than its concurrency limit at once; runs beyond it wait in the queue and
// are picked up as slots free.
import { randomUUID } from 'node:crypto';
import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@/db/client';
import { reviews, runEvents, runTimers } from '@/db/schema';
import { type CountingServer, startCountingServer } from '../support/counting-server';
import { testDatabases } from '../support/databases';
import { type EngineHarness, runInputFor, startEngineHarness, workflow } from '../support/engine-harness';

/** A database, a worker of `concurrency` slots and an HTTP server answering after `delayMs`, for one suite. */
function workerSuite(open: () => Promise<Database>, concurrency: number, delayMs: number) {
  const suite = {} as { database: Database; h: EngineHarness; api: CountingServer };
  beforeAll(async () => {
    process.env.WEFT_HTTP_ALLOWLIST = '127.0.0.1';
    suite.database = await open();
    suite.h = await startEngineHarness(suite.database, { concurrency });
    suite.api = await startCountingServer({ delayMs });
  });
  afterAll(async () => {
    await suite.h.close();
    await suite.api.close();
    await suite.database.close();
  });
  return suite;
}

describe.each(testDatabases())('worker concurrency on $name', ({ open }) => {
  const suite = workerSuite(open, 2, 150);

  const slowCall = () =>
    workflow(
      [
        { id: 'start', type: 'start', config: { inputs: [] } },
        { id: 'call', type: 'http', config: { url: `${suite.api.url}/work/slow` } },
        { id: 'end', type: 'end', config: { outputs: { status: '{{call.status}}' } } },
      ],
      [
        ['start', 'call'],
        ['call', 'end'],
      ],
    );

  it('runs at most `concurrency` runs at a time and finishes them all', async () => {
    const slow = slowCall();
    const ids = await Promise.all(Array.from({ length: 6 }, () => suite.h.start(slow)));
    const runs = await Promise.all(ids.map((id) => suite.h.waitFor(id)));
    expect(runs.map((r) => r.status)).toEqual(Array(6).fill('succeeded'));
    expect(suite.api.counts('/work/slow')).toBe(6);
    expect(suite.api.maxInFlight('/work')).toBe(2);
  });

  // Runs started one after another while the slots are full are queued; none of them may take a
  // slot that was never given back.
  it('keeps the limit when runs are started one by one while it is full', async () => {
    const before = suite.api.counts('/work/slow');
    const first = await Promise.all([suite.h.start(slowCall()), suite.h.start(slowCall())]);
    const later: string[] = [];
    for (let i = 0; i < 4; i += 1) later.push(await suite.h.start(slowCall()));
    const runs = await Promise.all([...first, ...later].map((id) => suite.h.waitFor(id)));
    expect(runs.map((r) => r.status)).toEqual(Array(6).fill('succeeded'));
    expect(suite.api.counts('/work/slow') - before).toBe(6);
    expect(suite.api.maxInFlight('/work')).toBe(2);
  });
});

// A run is handed to the local worker while its row is still being inserted. A review opened at
// once waits for the row (its task refers to the run); when the insert fails, the start fails, the
// execution stores nothing and ends, and its slot is free again.
describe.each(testDatabases())('direct dispatch on $name', ({ open }) => {
  const suite = workerSuite(open, 1, 20);

  const eventCount = async () => (await suite.database.db.select({ n: count() }).from(runEvents))[0]?.n ?? 0;

  it('stops the execution when the run row cannot be inserted', async () => {
    const before = await eventCount();
    const input = runInputFor(
      suite.h.owner,
      workflow(
        [
          { id: 'start', type: 'start', config: { inputs: [] } },
          { id: 'call', type: 'http', config: { url: `${suite.api.url}/orphan` } },
          { id: 'end', type: 'end', config: { outputs: { status: '{{call.status}}' } } },
        ],
        [
          ['start', 'call'],
          ['call', 'end'],
        ],
      ),
    );
    // An app that does not exist: the insert breaks its foreign key.
    await expect(suite.h.runtime.engine.start({ ...input, appId: randomUUID() })).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(suite.h.worker.activeRuns).toBe(0);
    expect(suite.h.worker.stats.lost).toBe(1);
    expect(suite.h.worker.stats.failed).toBe(0);
    expect(await eventCount()).toBe(before);
  });

  it('opens a review at the start of a run only once the run row exists', async () => {
    const id = await suite.h.start(
      workflow(
        [
          { id: 'start', type: 'start', config: { inputs: [] } },
          { id: 'review', type: 'human-review', config: { instructions: 'Check' } },
          { id: 'end', type: 'end', config: { outputs: { decision: '{{review.decision}}' } } },
        ],
        [
          ['start', 'review'],
          ['review', 'end', 'approved'],
        ],
      ),
    );
    const paused = await suite.h.waitFor(id, ['paused', 'failed']);
    expect(paused.error).toBeNull();
    expect(paused.status).toBe('paused');
    const opened = await suite.database.db.select().from(reviews).where(eq(reviews.runId, id));
    expect(opened).toHaveLength(1);
  });

  it('sets a timer at the start of a run only once the run row exists', async () => {
    const id = await suite.h.start(
      workflow(
        [
          { id: 'start', type: 'start', config: { inputs: [] } },
          { id: 'wait', type: 'delay', config: { ms: 50 } },
          { id: 'end', type: 'end', config: { outputs: { slept: '{{wait.sleptMs}}' } } },
        ],
        [
          ['start', 'wait'],
          ['wait', 'end'],
        ],
      ),
    );
    const run = await suite.h.waitFor(id);
    expect(run.error).toBeNull();
    expect(run.outputs).toEqual({ slept: 50 });
    const [timer] = await suite.database.db.select().from(runTimers).where(eq(runTimers.runId, id));
    expect(timer?.timerKey).toBe('wait');
  });
});
