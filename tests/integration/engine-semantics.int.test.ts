// Workflow semantics on the real embedded engine (database journal, worker, events): sequence,
// parallel join, branching with skip propagation, loops, retries, error handling, timeout, cancel.
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@/db/client';
import { runSteps, runTimers } from '@/db/schema';
import { type CountingServer, startCountingServer } from '../support/counting-server';
import { testDatabases } from '../support/databases';
import { type EngineHarness, startEngineHarness, workflow } from '../support/engine-harness';

const start = (inputs: { name: string; type: string }[] = []) => ({
  id: 'start',
  type: 'start',
  config: { inputs },
});
const end = (outputs: Record<string, unknown>) => ({ id: 'end', type: 'end', config: { outputs } });

describe.each(testDatabases())('engine semantics on $name', ({ open }) => {
  let database: Database;
  let h: EngineHarness;
  let api: CountingServer;
  const http = (id: string, path: string, extra: Record<string, unknown> = {}) => ({
    id,
    type: 'http',
    config: { method: 'GET', url: `${api.url}${path}` },
    ...extra,
  });
  const nodeStatuses = async (runId: string) => {
    const rows = await database.db.select().from(runSteps).where(eq(runSteps.runId, runId));
    return Object.fromEntries(rows.filter((r) => !r.stepKey.includes('#')).map((r) => [r.stepKey, r.status]));
  };

  beforeAll(async () => {
    process.env.WEFT_HTTP_ALLOWLIST = '127.0.0.1';
    database = await open();
    h = await startEngineHarness(database);
    api = await startCountingServer();
  });
  afterAll(async () => {
    await h.close();
    await api.close();
    await database.close();
  });

  it('runs a sequence, passing typed values along, with gapless events', async () => {
    const runId = await h.start(
      workflow(
        [
          start([
            { name: 'name', type: 'string' },
            { name: 'n', type: 'number' },
          ]),
          { id: 'greet', type: 'template', config: { template: 'Hello {{start.name}}' } },
          {
            id: 'vars',
            type: 'variable-assign',
            config: { assignments: [{ name: 'twice', value: '{{start.n}}' }] },
          },
          end({ text: '{{greet.text}}', n: '{{vars.twice}}' }),
        ],
        [
          ['start', 'greet'],
          ['greet', 'vars'],
          ['vars', 'end'],
        ],
      ),
      { name: 'Ada', n: 21 },
    );
    const run = await h.waitFor(runId);
    expect(run.status).toBe('succeeded');
    expect(run.outputs).toEqual({ text: 'Hello Ada', n: 21 });
    const events = await h.events(runId);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events[0]?.type).toBe('run_queued');
    expect(events.at(-1)?.type).toBe('run_finished');
    expect(events.filter((e) => e.type === 'node_finished').map((e) => e.nodeId)).toEqual([
      'start',
      'greet',
      'vars',
      'end',
    ]);
  });

  it('gives a reader that follows a run from its start the events as stored, from memory', async () => {
    api.behave('/slow-follow', { delayMs: 150 });
    const runId = await h.start(
      workflow(
        [start(), http('fetch', '/slow-follow'), end({ status: '{{fetch.status}}' })],
        [
          ['start', 'fetch'],
          ['fetch', 'end'],
        ],
      ),
    );
    // Right after the start, this process holds the run's first event: nothing to read back.
    const held = h.runtime.bus.recentEvents(runId, 0);
    expect(held?.map((e) => e.type)).toEqual(['run_queued']);
    const followed = [];
    for await (const event of h.runtime.engine.events(runId, 0)) followed.push(event);
    const stored = await h.events(runId);
    const shape = (e: { seq: number; type: string; nodeId: string | null; data: unknown }) => ({
      seq: e.seq,
      type: e.type,
      nodeId: e.nodeId,
      data: e.data,
    });
    expect(followed.map(shape)).toEqual(stored.map(shape));
    expect(followed.at(-1)?.type).toBe('run_finished');
    // run_queued carries the run's own creation time (workflow_started reports it).
    const run = await h.waitFor(runId);
    expect(followed[0]?.createdAt.getTime()).toBe(stored[0]?.createdAt.getTime());
    expect(followed[0]?.createdAt.getTime()).toBe(run.createdAt.getTime());
  });

  it("stores a side effect's row before the next side effect starts, the last one with the run's end", async () => {
    api.behave('/effect-b', { delayMs: 40 });
    const runId = await h.start(
      workflow(
        [
          start(),
          http('a', '/effect-a'),
          http('b', '/effect-b'),
          end({ a: '{{a.status}}', b: '{{b.status}}' }),
        ],
        [
          ['start', 'a'],
          ['a', 'b'],
          ['b', 'end'],
        ],
      ),
    );
    const run = await h.waitFor(runId);
    expect(run.status).toBe('succeeded');
    const events = await h.events(runId);
    const finished = (nodeId: string) =>
      events.find((e) => e.type === 'node_finished' && e.nodeId === nodeId)?.createdAt.getTime();
    const [bArrived] = api.arrivals('/effect-b');
    // a's row was stored (its statement had begun: created_at is its now()) before b's request left.
    expect(finished('a')).toBeLessThanOrEqual(bArrived ?? 0);
    // b's row, with nothing after it but pure work, went out in the run's final statement.
    expect(finished('b')).toBe(events.at(-1)?.createdAt.getTime());
    expect(events.at(-1)?.type).toBe('run_finished');
    const rows = await database.db.select().from(runSteps).where(eq(runSteps.runId, runId));
    expect(rows.filter((r) => r.nodeId === 'a' || r.nodeId === 'b').map((r) => r.status)).toEqual([
      'succeeded',
      'succeeded',
    ]);
  });

  it('runs parallel branches concurrently into a join', async () => {
    api.behave('/par/a', { delayMs: 250 });
    api.behave('/par/b', { delayMs: 250 });
    const runId = await h.start(
      workflow(
        [
          start(),
          http('a', '/par/a'),
          http('b', '/par/b'),
          {
            id: 'join',
            type: 'join',
            config: { mode: 'all', values: { a: '{{a.status}}', b: '{{b.body.path}}' } },
          },
          end({ joined: '{{join}}' }),
        ],
        [
          ['start', 'a'],
          ['start', 'b'],
          ['a', 'join'],
          ['b', 'join'],
          ['join', 'end'],
        ],
      ),
    );
    const run = await h.waitFor(runId);
    expect(run.status).toBe('succeeded');
    expect(run.outputs).toEqual({ joined: { a: 200, b: '/par/b' } });
    expect(api.maxInFlight('/par')).toBe(2);
  });

  it('follows if / else-if / else and propagates skips down untaken branches', async () => {
    const def = workflow(
      [
        start([{ name: 'n', type: 'number' }]),
        {
          id: 'check',
          type: 'condition',
          config: {
            cases: [
              { id: 'big', logic: 'and', conditions: [{ left: '{{start.n}}', operator: 'gt', right: 10 }] },
              { id: 'mid', logic: 'and', conditions: [{ left: '{{start.n}}', operator: 'gt', right: 5 }] },
            ],
          },
        },
        { id: 'bigText', type: 'template', config: { template: 'big' } },
        { id: 'midText', type: 'template', config: { template: 'mid' } },
        { id: 'smallText', type: 'template', config: { template: 'small' } },
        { id: 'smallMore', type: 'template', config: { template: '{{smallText.text}}!' } },
        {
          id: 'pick',
          type: 'join',
          config: {
            mode: 'first',
            values: { a: '{{bigText.text}}', b: '{{midText.text}}', c: '{{smallMore.text}}' },
          },
        },
        end({ size: '{{pick.value}}' }),
      ],
      [
        ['start', 'check'],
        ['check', 'bigText', 'big'],
        ['check', 'midText', 'mid'],
        ['check', 'smallText', 'else'],
        ['smallText', 'smallMore'],
        ['bigText', 'pick'],
        ['midText', 'pick'],
        ['smallMore', 'pick'],
        ['pick', 'end'],
      ],
    );
    const results: Record<number, unknown> = {};
    for (const n of [20, 7, 1]) {
      const runId = await h.start(def, { n });
      const run = await h.waitFor(runId);
      results[n] = run.outputs;
      if (n === 7) {
        const statuses = await nodeStatuses(runId);
        expect(statuses).toMatchObject({ bigText: 'skipped', smallText: 'skipped', smallMore: 'skipped' });
      }
    }
    expect(results).toEqual({ 20: { size: 'big' }, 7: { size: 'mid' }, 1: { size: 'small!' } });
  });

  it('runs nested for-each loops and honours the concurrency limit', async () => {
    api.behave('/loop/item', { delayMs: 60 });
    const runId = await h.start(
      workflow(
        [
          start([{ name: 'matrix', type: 'array' }]),
          {
            id: 'rows',
            type: 'loop',
            config: {
              mode: 'for-each',
              items: '{{start.matrix}}',
              concurrency: 2,
              output: '{{cells.results}}',
            },
          },
          {
            id: 'cells',
            type: 'loop',
            parentId: 'rows',
            config: {
              mode: 'for-each',
              items: '{{rows.item}}',
              concurrency: 1,
              output: '{{call.body.count}}',
            },
          },
          { ...http('call', '/loop/item'), parentId: 'cells' },
          end({ results: '{{rows.results}}', count: '{{rows.count}}' }),
        ],
        [
          ['start', 'rows'],
          ['rows', 'end'],
        ],
      ),
      { matrix: [[1, 2], [3], [4, 5, 6], [7]] },
    );
    const run = await h.waitFor(runId);
    expect(run.status).toBe('succeeded');
    const outputs = run.outputs as { results: number[][]; count: number };
    expect(outputs.count).toBe(4);
    expect(outputs.results.map((r) => r.length)).toEqual([2, 1, 3, 1]);
    expect(api.counts('/loop/item')).toBe(7);
    expect(api.maxInFlight('/loop')).toBe(2);
  });

  it('stops a while loop at its max count', async () => {
    const runId = await h.start(
      workflow(
        [
          start(),
          {
            id: 'again',
            type: 'loop',
            config: {
              mode: 'while',
              condition: {
                logic: 'and',
                conditions: [{ left: '{{again.index}}', operator: 'lt', right: 1000 }],
              },
              maxIterations: 5,
              output: '{{again.index}}',
            },
          },
          { id: 'tick', type: 'template', parentId: 'again', config: { template: 'tick {{again.index}}' } },
          end({ results: '{{again.results}}' }),
        ],
        [
          ['start', 'again'],
          ['again', 'end'],
        ],
      ),
    );
    const run = await h.waitFor(runId);
    expect(run.status).toBe('succeeded');
    expect(run.outputs).toEqual({ results: [0, 1, 2, 3, 4] });
  });

  it('retries with exponential backoff on durable timers, then succeeds', async () => {
    api.behave('/flaky', { statuses: [503, 503, 200] });
    const runId = await h.start(
      workflow(
        [
          start(),
          http('flaky', '/flaky', {
            error: { retry: { maxAttempts: 3, initialMs: 40, multiplier: 2, maxMs: 1000 }, onError: 'fail' },
          }),
          end({ status: '{{flaky.status}}' }),
        ],
        [
          ['start', 'flaky'],
          ['flaky', 'end'],
        ],
      ),
    );
    const run = await h.waitFor(runId);
    expect(run.status).toBe('succeeded');
    expect(api.counts('/flaky')).toBe(3);
    const events = await h.events(runId);
    expect(
      events.filter((e) => e.type === 'node_retry').map((e) => (e.data as { attempt: number }).attempt),
    ).toEqual([2, 3]);
    const timers = await database.db.select().from(runTimers).where(eq(runTimers.runId, runId));
    expect(timers.map((t) => t.timerKey).sort()).toEqual(['flaky#1/backoff', 'flaky#2/backoff']);
  });

  it('when retries run out: fail, default-value and error-branch', async () => {
    const failing = (
      onError: 'fail' | 'default-value' | 'error-branch',
      extra: Record<string, unknown> = {},
    ) => ({
      ...http('down', '/down'),
      error: { retry: { maxAttempts: 2, initialMs: 10, multiplier: 1, maxMs: 10 }, onError, ...extra },
    });
    api.behave('/down', { statuses: Array(20).fill(500) });
    const failRun = await h.start(
      workflow(
        [start(), failing('fail'), end({})],
        [
          ['start', 'down'],
          ['down', 'end'],
        ],
      ),
    );
    const failed = await h.waitFor(failRun);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatchObject({ nodeId: 'down', code: 'http_status' });
    // An unhandled failure stops the run: nothing downstream is started.
    expect(await nodeStatuses(failRun)).toEqual({ start: 'succeeded', down: 'failed' });

    const defRun = await h.start(
      workflow(
        [
          start(),
          failing('default-value', { defaultValue: { status: 0 } }),
          end({ status: '{{down.status}}' }),
        ],
        [
          ['start', 'down'],
          ['down', 'end'],
        ],
      ),
    );
    const defaulted = await h.waitFor(defRun);
    expect(defaulted.status).toBe('partially_succeeded');
    expect(defaulted.outputs).toEqual({ status: 0 });

    const branchRun = await h.start(
      workflow(
        [
          start(),
          failing('error-branch'),
          { id: 'fallback', type: 'template', config: { template: 'fell back: {{down.error.code}}' } },
          { id: 'normal', type: 'template', config: { template: 'fine' } },
          {
            id: 'pick',
            type: 'join',
            config: { mode: 'first', values: { f: '{{fallback.text}}', n: '{{normal.text}}' } },
          },
          end({ text: '{{pick.value}}' }),
        ],
        [
          ['start', 'down'],
          ['down', 'fallback', 'error'],
          ['down', 'normal'],
          ['fallback', 'pick'],
          ['normal', 'pick'],
          ['pick', 'end'],
        ],
      ),
    );
    const branched = await h.waitFor(branchRun);
    expect(branched.status).toBe('partially_succeeded');
    expect(branched.outputs).toEqual({ text: 'fell back: http_status' });
    expect((await nodeStatuses(branchRun)).normal).toBe('skipped');
  });

  it('sleeps durably in a delay node', async () => {
    const began = Date.now();
    const runId = await h.start(
      workflow(
        [start(), { id: 'wait', type: 'delay', config: { ms: 300 } }, end({ slept: '{{wait.sleptMs}}' })],
        [
          ['start', 'wait'],
          ['wait', 'end'],
        ],
      ),
    );
    const run = await h.waitFor(runId);
    expect(run.outputs).toEqual({ slept: 300 });
    expect(Date.now() - began).toBeGreaterThanOrEqual(300);
    const [timer] = await database.db.select().from(runTimers).where(eq(runTimers.runId, runId));
    expect(timer?.timerKey).toBe('wait');
  });

  it('fails a node that exceeds its timeout', async () => {
    api.behave('/slow', { delayMs: 1500 });
    const runId = await h.start(
      workflow(
        [start(), http('slow', '/slow', { error: { timeoutMs: 150, onError: 'fail' } }), end({})],
        [
          ['start', 'slow'],
          ['slow', 'end'],
        ],
      ),
    );
    const run = await h.waitFor(runId);
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ code: 'timeout', nodeId: 'slow' });
  });

  it('cancels a run in the middle: the node in flight is aborted and later nodes never run', async () => {
    for (const p of ['/c/1', '/c/2', '/c/3']) api.behave(p, { delayMs: 400 });
    const runId = await h.start(
      workflow(
        [start(), http('one', '/c/1'), http('two', '/c/2'), http('three', '/c/3'), end({})],
        [
          ['start', 'one'],
          ['one', 'two'],
          ['two', 'three'],
          ['three', 'end'],
        ],
      ),
    );
    await api.reached('/c/2');
    const began = Date.now();
    await h.runtime.engine.cancel(h.owner.workspaceId, runId);
    const run = await h.waitFor(runId, ['cancelled', 'succeeded', 'failed']);
    expect(run.status).toBe('cancelled');
    expect(Date.now() - began).toBeLessThan(1500);
    await new Promise((r) => setTimeout(r, 500));
    expect(api.counts('/c/3')).toBe(0);
    const events = await h.events(runId);
    expect(events.at(-1)).toMatchObject({ type: 'run_finished', data: { status: 'cancelled' } });
    const steps = await database.db
      .select()
      .from(runSteps)
      .where(and(eq(runSteps.runId, runId), eq(runSteps.nodeId, 'two')));
    expect(steps.filter((s) => s.status === 'succeeded')).toEqual([]);
  });
});
