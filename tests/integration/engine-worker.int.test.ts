// A worker never runs more than its concurrency limit at once; runs beyond it wait in the queue and
// are picked up as slots free.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@/db/client';
import { type CountingServer, startCountingServer } from '../support/counting-server';
import { testDatabases } from '../support/databases';
import { type EngineHarness, startEngineHarness, workflow } from '../support/engine-harness';

describe.each(testDatabases())('worker concurrency on $name', ({ open }) => {
  let database: Database;
  let h: EngineHarness;
  let api: CountingServer;
  beforeAll(async () => {
    process.env.WEFT_HTTP_ALLOWLIST = '127.0.0.1';
    database = await open();
    h = await startEngineHarness(database, { concurrency: 2 });
    api = await startCountingServer({ delayMs: 150 });
  });
  afterAll(async () => {
    await h.close();
    await api.close();
    await database.close();
  });

  const slowCall = () =>
    workflow(
      [
        { id: 'start', type: 'start', config: { inputs: [] } },
        { id: 'call', type: 'http', config: { url: `${api.url}/work/slow` } },
        { id: 'end', type: 'end', config: { outputs: { status: '{{call.status}}' } } },
      ],
      [
        ['start', 'call'],
        ['call', 'end'],
      ],
    );

  it('runs at most `concurrency` runs at a time and finishes them all', async () => {
    const slow = slowCall();
    const ids = await Promise.all(Array.from({ length: 6 }, () => h.start(slow)));
    const runs = await Promise.all(ids.map((id) => h.waitFor(id)));
    expect(runs.map((r) => r.status)).toEqual(Array(6).fill('succeeded'));
    expect(api.counts('/work/slow')).toBe(6);
    expect(api.maxInFlight('/work')).toBe(2);
  });

  // Runs started one after another while the slots are full are queued; none of them may take a
  // slot that was never given back.
  it('keeps the limit when runs are started one by one while it is full', async () => {
    const before = api.counts('/work/slow');
    const first = await Promise.all([h.start(slowCall()), h.start(slowCall())]);
    const later: string[] = [];
    for (let i = 0; i < 4; i += 1) later.push(await h.start(slowCall()));
    const runs = await Promise.all([...first, ...later].map((id) => h.waitFor(id)));
    expect(runs.map((r) => r.status)).toEqual(Array(6).fill('succeeded'));
    expect(api.counts('/work/slow') - before).toBe(6);
    expect(api.maxInFlight('/work')).toBe(2);
  });
});
