// Loops: a for-each runs its body once per item, at most `concurrency` at a time, and collects the
// outputs in item order whatever order the iterations finish in; a while loop stops at its
// condition or its max count. A long loop on Temporal continues as new without losing anything.
// The same on both engines.
import { Client } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { conformanceEngines, engineSuite } from '../support/conformance-engines';
import { workflow } from '../support/engine-harness';

const start = (inputs: { name: string; type: string }[] = []) => ({
  id: 'start',
  type: 'start',
  config: { inputs },
});
const end = (outputs: Record<string, unknown>) => ({ id: 'end', type: 'end', config: { outputs } });

describe.each(conformanceEngines())('loops on $name', ({ name }) => {
  const suite = engineSuite(name);

  it('runs a for-each with a concurrency limit and collects outputs in item order', async () => {
    // The first item is by far the slowest: the ones after it finish first, two at a time.
    const delays: Record<string, number> = { a: 400, b: 20, c: 60, d: 10, e: 30 };
    for (const [item, delayMs] of Object.entries(delays)) suite.api.behave(`/loop/${item}`, { delayMs });
    const items = Object.keys(delays);
    const runId = await suite.engine.start(
      workflow(
        [
          start([{ name: 'items', type: 'array' }]),
          {
            id: 'each',
            type: 'loop',
            config: {
              mode: 'for-each',
              items: '{{start.items}}',
              concurrency: 2,
              output: '{{call.body.path}}',
            },
          },
          {
            id: 'call',
            type: 'http',
            parentId: 'each',
            config: { method: 'GET', url: `${suite.api.url}/loop/{{each.item}}` },
          },
          {
            id: 'label',
            type: 'template',
            parentId: 'each',
            config: { template: '{{each.index}}:{{each.item}}:{{call.status}}' },
          },
          end({ results: '{{each.results}}', count: '{{each.count}}' }),
        ],
        [
          ['start', 'each'],
          ['each', 'end'],
          ['call', 'label'],
        ],
      ),
      { items },
    );
    const run = await suite.engine.waitFor(runId);
    expect(run.status).toBe('succeeded');
    expect(run.outputs).toEqual({ results: items.map((i) => `/loop/${i}`), count: items.length });
    for (const item of items) expect(suite.api.counts(`/loop/${item}`)).toBe(1);
    // Never more than two iterations in flight, and two at once did happen.
    expect(suite.api.maxInFlight('/loop')).toBe(2);

    const steps = await suite.engine.steps(runId);
    const rows = Object.fromEntries(steps.map((s) => [s.stepKey, s]));
    expect(Object.keys(rows).sort()).toEqual(
      [
        'start',
        'each',
        'end#1',
        ...items.flatMap((_, i) => [`each[${i}]/call#1`, `each[${i}]/label#1`]),
      ].sort(),
    );
    expect(rows.each).toMatchObject({ status: 'succeeded', input: { count: items.length } });
    items.forEach((item, i) => {
      expect(rows[`each[${i}]/call#1`]).toMatchObject({ nodeId: 'call', status: 'succeeded', attempt: 1 });
      expect(rows[`each[${i}]/label#1`]).toMatchObject({
        nodeId: 'label',
        status: 'succeeded',
        output: { text: `${i}:${item}:200` },
      });
    });
    // The iterations finished out of order (the slow first item after the second, which started
    // with it), yet the results follow item order.
    const finished = (i: number) => rows[`each[${i}]/call#1`]?.finishedAt.getTime() ?? Number.NaN;
    expect(finished(0)).toBeGreaterThan(finished(1));
    // The loop finished after its last iteration.
    const events = await suite.engine.events(runId);
    const loopFinished = events.findIndex((e) => e.type === 'node_finished' && e.nodeId === 'each');
    const bodyFinished = events.flatMap((e, i) =>
      e.type === 'node_finished' && (e.nodeId === 'call' || e.nodeId === 'label') ? [i] : [],
    );
    expect(bodyFinished).toHaveLength(2 * items.length);
    expect(loopFinished).toBeGreaterThan(Math.max(...bodyFinished));
    // And the run view's timing says so too.
    const bodyEnds = Object.values(rows)
      .filter((r) => r.nodeId === 'call' || r.nodeId === 'label')
      .map((r) => r.finishedAt.getTime());
    expect(rows.each?.finishedAt.getTime()).toBeGreaterThanOrEqual(Math.max(...bodyEnds));
  });

  it('stops a while loop at its max count', async () => {
    const runId = await suite.engine.start(
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
              output: '{{tick.text}}',
            },
          },
          { id: 'tick', type: 'template', parentId: 'again', config: { template: 'tick {{again.index}}' } },
          end({ results: '{{again.results}}', count: '{{again.count}}' }),
        ],
        [
          ['start', 'again'],
          ['again', 'end'],
        ],
      ),
    );
    const run = await suite.engine.waitFor(runId);
    expect(run.status).toBe('succeeded');
    expect(run.outputs).toEqual({ results: [0, 1, 2, 3, 4].map((i) => `tick ${i}`), count: 5 });
    const keys = (await suite.engine.steps(runId)).map((s) => s.stepKey).sort();
    expect(keys).toEqual(
      ['again', 'end#1', 'start', ...[0, 1, 2, 3, 4].map((i) => `again[${i}]/tick#1`)].sort(),
    );
  });

  it('stops a while loop when its condition no longer holds, seeing the previous output', async () => {
    const runId = await suite.engine.start(
      workflow(
        [
          start(),
          {
            id: 'again',
            type: 'loop',
            config: {
              mode: 'while',
              // previous is null before the first iteration, then the last iteration's output.
              condition: {
                logic: 'and',
                conditions: [{ left: '{{again.previous}}', operator: 'ne', right: 'tick 2' }],
              },
              maxIterations: 50,
              output: '{{tick.text}}',
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
    const run = await suite.engine.waitFor(runId);
    expect(run.status).toBe('succeeded');
    expect(run.outputs).toEqual({ results: ['tick 0', 'tick 1', 'tick 2'] });
    const ticks = (await suite.engine.steps(runId)).filter((s) => s.nodeId === 'tick');
    expect(ticks.map((s) => s.stepKey).sort()).toEqual([
      'again[0]/tick#1',
      'again[1]/tick#1',
      'again[2]/tick#1',
    ]);
  });
});

// Pure nodes (template) run as Temporal local activities, one marker event each: 60 of them stay
// under 150 history events. The body therefore also calls the counting server (a regular activity,
// about six history events per call), so the first execution's history passes 150 events part way.
describe.each(conformanceEngines())('a long loop on $name (continue-as-new on Temporal)', ({ name }) => {
  const suite = engineSuite(name, { continueAsNewAfterEvents: 150 });

  it('runs 60 iterations to the end, each once, with every output in order', async () => {
    const items = Array.from({ length: 60 }, (_, i) => `item-${i}`);
    const runId = await suite.engine.start(
      workflow(
        [
          start([{ name: 'items', type: 'array' }]),
          {
            id: 'long',
            type: 'loop',
            config: { mode: 'for-each', items: '{{start.items}}', concurrency: 1, output: '{{say.text}}' },
          },
          {
            id: 'call',
            type: 'http',
            parentId: 'long',
            config: { method: 'GET', url: `${suite.api.url}/long/{{long.item}}` },
          },
          {
            id: 'say',
            type: 'template',
            parentId: 'long',
            config: { template: '{{long.index}}={{long.item}} ({{call.body.count}})' },
          },
          end({ results: '{{long.results}}', count: '{{long.count}}' }),
        ],
        [
          ['start', 'long'],
          ['long', 'end'],
          ['call', 'say'],
        ],
      ),
      { items },
    );
    const run = await suite.engine.waitFor(runId, undefined, 60_000);
    expect(run.status).toBe('succeeded');
    expect(run.outputs).toEqual({ results: items.map((item, i) => `${i}=${item} (1)`), count: 60 });
    // No iteration's side effect was repeated by a continued execution.
    for (const item of items) expect(suite.api.counts(`/long/${item}`)).toBe(1);

    // Every iteration ran exactly once: one step row per body node, none repeated.
    const steps = await suite.engine.steps(runId);
    for (const nodeId of ['call', 'say']) {
      const rows = steps.filter((s) => s.nodeId === nodeId);
      expect(rows.map((s) => s.stepKey).sort()).toEqual(items.map((_, i) => `long[${i}]/${nodeId}#1`).sort());
      expect(rows.every((s) => s.status === 'succeeded' && s.attempt === 1)).toBe(true);
    }
    expect(steps.find((s) => s.stepKey === 'long')).toMatchObject({
      status: 'succeeded',
      input: { count: 60 },
    });
    const events = await suite.engine.events(runId);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.filter((e) => e.type === 'run_started')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'run_finished')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'node_finished' && e.nodeId === 'say')).toHaveLength(60);
    expect(events.filter((e) => e.type === 'node_finished' && e.nodeId === 'call')).toHaveLength(60);
    expect(events.at(-1)).toMatchObject({ type: 'run_finished', data: { status: 'succeeded' } });

    if (name !== 'temporal') return;
    // Temporal really continued as new: the latest execution is not the first, and the first one's
    // history ends in a continued-as-new event.
    const connection = suite.engine.runtime.temporal?.connection;
    if (!connection) throw new Error('no Temporal connection');
    const client = new Client({ connection, namespace: 'default' });
    // The run row is final just before the workflow's last task completes: wait for the workflow.
    await client.workflow.getHandle(runId).result();
    const latest = await client.workflow.getHandle(runId).describe();
    const firstRunId = latest.raw.workflowExecutionInfo?.firstRunId ?? '';
    expect(firstRunId).not.toBe('');
    expect(latest.runId).not.toBe(firstRunId);
    expect(latest.status.name).toBe('COMPLETED');
    const firstHistory = await client.workflow.getHandle(runId, firstRunId).fetchHistory();
    const lastEvent = firstHistory.events?.at(-1);
    expect(lastEvent?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId).toBeTruthy();
    // The first execution stopped soon after passing the threshold.
    expect(firstHistory.events?.length).toBeGreaterThanOrEqual(150);
  });
});
