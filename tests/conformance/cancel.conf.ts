// Cancellation: a run cancelled through the runs API while a slow HTTP node is in flight, or while
// it waits at a human review, ends as cancelled promptly, records a cancelled run_finished event and
// runs nothing after that point; a finished run cannot be cancelled (CONFLICT) on either suite.engine.
import { beforeAll, describe, expect, it } from 'vitest';
import { conformanceEngines, engineSuite, FINISHED } from '../support/conformance-engines';
import { workflow } from '../support/engine-harness';
import { errorOf } from '../support/trpc-harness';

const SLOW_MS = 3_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(conformanceEngines())('cancel on $name', ({ name }) => {
  const suite = engineSuite(name);
  beforeAll(async () => {
    suite.api.behave('/slow', { delayMs: SLOW_MS });
  });

  const http = (id: string, path: string) => ({
    id,
    type: 'http',
    config: { method: 'GET', url: `${suite.api.url}${path}` },
  });

  it('cancels a run while a slow node is in flight: later nodes never run', async () => {
    const runId = await suite.engine.start(
      workflow(
        [
          { id: 'start', type: 'start', config: { inputs: [] } },
          http('first', '/first'),
          http('slow', '/slow'),
          http('after', '/after'),
          { id: 'end', type: 'end', config: { outputs: { path: '{{after.body.path}}' } } },
        ],
        [
          ['start', 'first'],
          ['first', 'slow'],
          ['slow', 'after'],
          ['after', 'end'],
        ],
      ),
    );
    await suite.api.reached('/slow');
    const slowStarted = Date.now();

    const answer = await suite.engine.cancel(runId);
    expect(['cancelled', 'cancelling']).toContain(answer.status);
    const run = await suite.engine.waitFor(runId, FINISHED, 10_000);
    const tookMs = Date.now() - slowStarted;
    expect(run.status).toBe('cancelled');
    // Well before the slow request would have answered.
    expect(tookMs).toBeLessThan(SLOW_MS - 500);

    // Give the slow node time to have finished had it not been stopped: nothing after it ran.
    await sleep(SLOW_MS - tookMs + 700);
    expect(suite.api.counts('/first')).toBe(1);
    expect(suite.api.counts('/slow')).toBe(1);
    expect(suite.api.counts('/after')).toBe(0);
    expect((await suite.engine.waitFor(runId)).status).toBe('cancelled');

    const events = await suite.engine.events(runId);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    const finished = events.filter((e) => e.type === 'run_finished');
    expect(finished).toHaveLength(1);
    expect(finished[0]).toMatchObject({ data: { status: 'cancelled' } });
    expect(events.at(-1)?.type).toBe('run_finished');

    const steps = await suite.engine.steps(runId);
    expect(steps.filter((s) => s.nodeId === 'first').map((s) => s.status)).toEqual(['succeeded']);
    expect(steps.filter((s) => s.nodeId === 'slow' && s.status === 'succeeded')).toEqual([]);
    expect(steps.filter((s) => s.nodeId === 'after' || s.nodeId === 'end')).toEqual([]);

    // Cancelling it again: the run has already finished.
    const again = await errorOf(suite.engine.cancel(runId));
    expect(again.code).toBe('CONFLICT');
    expect(again.message).toMatch(/already finished/);
  });

  it('refuses to cancel a run that has finished', async () => {
    const runId = await suite.engine.start(
      workflow(
        [
          { id: 'start', type: 'start', config: { inputs: [] } },
          { id: 'end', type: 'end', config: { outputs: { done: 'yes' } } },
        ],
        [['start', 'end']],
      ),
    );
    const run = await suite.engine.waitFor(runId);
    expect(run.status).toBe('succeeded');
    const error = await errorOf(suite.engine.cancel(runId));
    expect(error.code).toBe('CONFLICT');
    expect(error.message).toMatch(/already finished \(succeeded\)/);
    expect((await suite.engine.waitFor(runId)).status).toBe('succeeded');
  });

  it('cancels a run paused at a human review', async () => {
    const runId = await suite.engine.start(
      workflow(
        [
          { id: 'start', type: 'start', config: { inputs: [] } },
          http('before', '/review/before'),
          { id: 'review', type: 'human-review', config: { instructions: 'Check', data: { text: 'x' } } },
          http('after', '/review/after'),
          { id: 'rejected', type: 'template', config: { template: 'rejected' } },
          { id: 'end', type: 'end', config: { outputs: { decision: '{{review.decision}}' } } },
        ],
        [
          ['start', 'before'],
          ['before', 'review'],
          ['review', 'after', 'approved'],
          ['review', 'rejected', 'rejected'],
          ['after', 'end'],
        ],
      ),
    );
    await suite.engine.waitFor(runId, ['paused']);
    const began = Date.now();
    const answer = await suite.engine.cancel(runId);
    expect(['cancelled', 'cancelling']).toContain(answer.status);
    const run = await suite.engine.waitFor(runId, FINISHED, 10_000);
    expect(run.status).toBe('cancelled');
    expect(Date.now() - began).toBeLessThan(5_000);

    const events = await suite.engine.events(runId);
    expect(events.map((e) => e.type)).toContain('review_requested');
    const finished = events.filter((e) => e.type === 'run_finished');
    expect(finished).toHaveLength(1);
    expect(finished[0]).toMatchObject({ data: { status: 'cancelled' } });
    expect(events.at(-1)?.type).toBe('run_finished');
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));

    // A decision after the cancel is refused, and nothing past the review ran.
    const late = await errorOf(suite.engine.signal(runId, 'review:review', { decision: 'approve' }));
    expect(late.code).toBe('CONFLICT');
    await sleep(300);
    expect(suite.api.counts('/review/before')).toBe(1);
    expect(suite.api.counts('/review/after')).toBe(0);
    const steps = await suite.engine.steps(runId);
    expect(steps.filter((s) => ['after', 'rejected', 'end'].includes(s.nodeId))).toEqual([]);
    expect((await errorOf(suite.engine.cancel(runId))).code).toBe('CONFLICT');
  });
});
