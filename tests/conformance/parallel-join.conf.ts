// Parallel branches: nodes fanned out from one node run at the same time, and a join waits for every
// incoming branch before it runs; 'all' gathers the branches' values, 'first' picks the first one
// present in its order. The same on both engines.
import { describe, expect, it } from 'vitest';
import { conformanceEngines, engineSuite } from '../support/conformance-engines';
import { workflow } from '../support/engine-harness';

const start = { id: 'start', type: 'start', config: { inputs: [] } };
const end = (outputs: Record<string, unknown>) => ({ id: 'end', type: 'end', config: { outputs } });

describe.each(conformanceEngines())('parallel join on $name', ({ name }) => {
  const suite = engineSuite(name);
  const http = (id: string, path: string) => ({
    id,
    type: 'http',
    config: { method: 'GET', url: `${suite.api.url}${path}` },
  });
  /** The step row of a node's first (only) attempt. */
  const attemptRow = async (runId: string, nodeId: string) => {
    const row = (await suite.engine.steps(runId)).find((s) => s.stepKey === `${nodeId}#1`);
    if (!row) throw new Error(`no step row ${nodeId}#1 on ${name}`);
    return row;
  };

  it("runs fanned-out branches concurrently and joins them with 'all'", async () => {
    suite.api.behave('/par/a', { delayMs: 400 });
    suite.api.behave('/par/b', { delayMs: 400 });
    const runId = await suite.engine.start(
      workflow(
        [
          start,
          http('a', '/par/a'),
          http('b', '/par/b'),
          { id: 'after', type: 'template', config: { template: 'a said {{a.body.count}}' } },
          {
            id: 'join',
            type: 'join',
            config: {
              mode: 'all',
              values: { a: '{{a.status}}', b: '{{b.body.path}}', after: '{{after.text}}' },
            },
          },
          end({ joined: '{{join}}' }),
        ],
        [
          ['start', 'a'],
          ['start', 'b'],
          ['a', 'after'],
          ['after', 'join'],
          ['b', 'join'],
          ['join', 'end'],
        ],
      ),
    );
    const run = await suite.engine.waitFor(runId);
    expect(run.status).toBe('succeeded');
    expect(run.outputs).toEqual({ joined: { a: 200, b: '/par/b', after: 'a said 1' } });

    // Both requests were in flight at once.
    expect(suite.api.counts('/par/a')).toBe(1);
    expect(suite.api.counts('/par/b')).toBe(1);
    expect(suite.api.maxInFlight('/par')).toBe(2);
    const a = await attemptRow(runId, 'a');
    const b = await attemptRow(runId, 'b');
    expect(a.startedAt.getTime()).toBeLessThan(b.finishedAt.getTime());
    expect(b.startedAt.getTime()).toBeLessThan(a.finishedAt.getTime());
    // The two 400 ms calls together took about one delay, not two.
    const span =
      Math.max(a.finishedAt.getTime(), b.finishedAt.getTime()) -
      Math.min(a.startedAt.getTime(), b.startedAt.getTime());
    expect(span).toBeGreaterThanOrEqual(400);
    expect(span).toBeLessThan(700);

    // The join ran once, after every branch had finished.
    const join = await attemptRow(runId, 'join');
    const after = await attemptRow(runId, 'after');
    expect(join.startedAt.getTime()).toBeGreaterThanOrEqual(b.finishedAt.getTime());
    expect(join.startedAt.getTime()).toBeGreaterThanOrEqual(after.finishedAt.getTime());

    const events = await suite.engine.events(runId);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    const index = (type: string, nodeId: string) =>
      events.findIndex((e) => e.type === type && e.nodeId === nodeId);
    // Both branches were announced as started before either finished.
    const firstBranchFinish = Math.min(index('node_finished', 'a'), index('node_finished', 'b'));
    expect(index('node_started', 'a')).toBeGreaterThanOrEqual(0);
    expect(index('node_started', 'b')).toBeGreaterThanOrEqual(0);
    expect(index('node_started', 'a')).toBeLessThan(firstBranchFinish);
    expect(index('node_started', 'b')).toBeLessThan(firstBranchFinish);
    expect(index('node_finished', 'join')).toBeGreaterThan(index('node_finished', 'after'));
    expect(index('node_finished', 'join')).toBeGreaterThan(index('node_finished', 'b'));
    expect(events.filter((e) => e.type === 'node_finished' && e.nodeId === 'join')).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({ type: 'run_finished', data: { status: 'succeeded' } });
  });

  it("joins with 'first': waits for every branch, then picks the first value in its order", async () => {
    suite.api.behave('/first/slow', { delayMs: 300 });
    suite.api.behave('/first/fast', { delayMs: 10 });
    const definition = (order?: string[]) =>
      workflow(
        [
          start,
          http('slow', '/first/slow'),
          http('fast', '/first/fast'),
          {
            id: 'pick',
            type: 'join',
            config: {
              mode: 'first',
              values: { slow: '{{slow.body.path}}', fast: '{{fast.body.path}}' },
              ...(order ? { order } : {}),
            },
          },
          end({ value: '{{pick.value}}', from: '{{pick.from}}' }),
        ],
        [
          ['start', 'slow'],
          ['start', 'fast'],
          ['slow', 'pick'],
          ['fast', 'pick'],
          ['pick', 'end'],
        ],
      );

    // An explicit order: the slow branch's value wins although the fast one finished long before.
    const ordered = await suite.engine.start(definition(['slow', 'fast']));
    const orderedRun = await suite.engine.waitFor(ordered);
    expect(orderedRun.status).toBe('succeeded');
    expect(orderedRun.outputs).toEqual({ value: '/first/slow', from: 'slow' });
    const pick = (await suite.engine.steps(ordered)).find((s) => s.stepKey === 'pick#1');
    const slow = (await suite.engine.steps(ordered)).find((s) => s.stepKey === 'slow#1');
    expect(pick?.status).toBe('succeeded');
    expect(pick?.startedAt.getTime()).toBeGreaterThanOrEqual(slow?.finishedAt.getTime() ?? Number.NaN);

    // Without an order the names are tried alphabetically: 'fast' before 'slow'.
    const alphabetical = await suite.engine.start(definition());
    const alphabeticalRun = await suite.engine.waitFor(alphabetical);
    expect(alphabeticalRun.status).toBe('succeeded');
    expect(alphabeticalRun.outputs).toEqual({ value: '/first/fast', from: 'fast' });

    expect(suite.api.counts('/first/slow')).toBe(2);
    expect(suite.api.counts('/first/fast')).toBe(2);
    const statuses = (await suite.engine.steps(alphabetical)).map((s) => [s.stepKey, s.status]).sort();
    expect(statuses).toEqual([
      ['end#1', 'succeeded'],
      ['fast#1', 'succeeded'],
      ['pick#1', 'succeeded'],
      ['slow#1', 'succeeded'],
      ['start', 'succeeded'],
    ]);
  });
});
