// Paused runs hold no memory in the worker: 1,000 runs waiting for a review leave the worker with no
// runs in flight and the heap within a small bound of where it started.
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@/db/client';
import { testDatabases } from '../support/databases';
import { type EngineHarness, startEngineHarness, workflow } from '../support/engine-harness';

v8.setFlagsFromString('--expose_gc');
const gc = vm.runInNewContext('gc') as () => void;

function heapAfterGc(): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

const pausingFlow = workflow(
  [
    { id: 'start', type: 'start', config: { inputs: [{ name: 'n', type: 'number' }] } },
    { id: 'prepare', type: 'template', config: { template: 'item {{start.n}} '.repeat(20) } },
    { id: 'review', type: 'human-review', config: { data: { text: '{{prepare.text}}' } } },
    { id: 'end', type: 'end', config: { outputs: { decision: '{{review.decision}}' } } },
  ],
  [
    ['start', 'prepare'],
    ['prepare', 'review'],
    ['review', 'end', 'approved'],
  ],
);

// PGlite only: the bound is about the worker's heap, which the database kind does not change, and
// 1,000 runs on the in-process database keep this test short.
describe.each(testDatabases().filter((d) => d.name === 'pglite'))('paused runs on $name', ({ open }) => {
  let database: Database;
  let h: EngineHarness;
  beforeAll(async () => {
    database = await open();
    h = await startEngineHarness(database, { concurrency: 50 });
  });
  afterAll(async () => {
    await h.close();
    await database.close();
  });

  async function pauseRuns(count: number) {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) ids.push(await h.start(pausingFlow, { n: i }));
    for (const id of ids) await h.waitFor(id, ['paused'], 120_000);
    return ids;
  }

  it('1,000 paused runs keep no per-run memory in the worker', async () => {
    await pauseRuns(50); // warm up code paths and caches before measuring
    const before = heapAfterGc();
    await pauseRuns(1000);
    expect(h.worker.activeRuns).toBe(0);
    const after = heapAfterGc();
    const perRun = (after - before) / 1000;
    console.log(
      `heap before ${(before / 1e6).toFixed(1)} MB, after ${(after / 1e6).toFixed(1)} MB, ${perRun.toFixed(0)} B/run`,
    );
    // Holding each run's interpreter, journal and definition would cost tens of KB per run.
    expect(perRun).toBeLessThan(4096);
  }, 300_000);
});
