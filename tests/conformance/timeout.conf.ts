// Node timeouts: an attempt that runs longer than the node's error.timeoutMs is aborted and fails
// with the retryable code 'timeout', so a retry policy tries it again; after the last attempt the
// run fails, or continues through onError. Nobody waits for the slow remote side. The same on
// both engines.
import { describe, expect, it } from 'vitest';
import type { ErrorHandling } from '@/workflows/dsl/definition';
import { conformanceEngines, engineSuite } from '../support/conformance-engines';
import { workflow } from '../support/engine-harness';

const SLOW_MS = 6_000;
/** Runs must end well before the slow answer would (with retries: the Temporal dev server fires
 * short backoff timers after about a second). */
const WELL_UNDER_SLOW_MS = 3_000;

describe.each(conformanceEngines())('timeout on $name', ({ name }) => {
  const suite = engineSuite(name);

  const definition = (path: string, error: ErrorHandling) =>
    workflow(
      [
        { id: 'start', type: 'start', config: { inputs: [] } },
        { id: 'slow', type: 'http', config: { method: 'GET', url: `${suite.api.url}${path}` }, error },
        { id: 'end', type: 'end', config: { outputs: { status: '{{slow.status}}' } } },
      ],
      [
        ['start', 'slow'],
        ['slow', 'end'],
      ],
    );

  /** Starts a run, waits for it and says how long that took in all. */
  const timedRun = async (path: string, error: ErrorHandling) => {
    const began = Date.now();
    const runId = await suite.engine.start(definition(path, error));
    const run = await suite.engine.waitFor(runId);
    return { runId, run, tookMs: Date.now() - began };
  };

  it('fails a node that exceeds its timeout, without waiting for it', async () => {
    suite.api.behave('/to/once', { delayMs: SLOW_MS });
    const { runId, run, tookMs } = await timedRun('/to/once', { timeoutMs: 200, onError: 'fail' });
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ nodeId: 'slow', code: 'timeout', retryable: true });
    expect(tookMs).toBeLessThan(WELL_UNDER_SLOW_MS);
    expect(suite.api.counts('/to/once')).toBe(1);

    const steps = await suite.engine.steps(runId);
    expect(Object.fromEntries(steps.map((s) => [s.stepKey, s.status]))).toEqual({
      start: 'succeeded',
      'slow#1': 'failed',
      slow: 'failed',
    });
    const attempt = steps.find((s) => s.stepKey === 'slow#1');
    expect(attempt?.error).toMatchObject({ code: 'timeout', retryable: true });
    // The attempt was cut off at about its timeout.
    const ran = (attempt?.finishedAt.getTime() ?? 0) - (attempt?.startedAt.getTime() ?? 0);
    expect(ran).toBeGreaterThanOrEqual(190);
    expect(ran).toBeLessThan(1_000);
    const events = await suite.engine.events(runId);
    expect(events.at(-1)).toMatchObject({ type: 'run_finished', data: { status: 'failed' } });
  });

  it('retries a timed-out attempt under the retry policy', async () => {
    suite.api.behave('/to/retried', { delayMs: SLOW_MS });
    const { runId, run, tookMs } = await timedRun('/to/retried', {
      timeoutMs: 200,
      retry: { maxAttempts: 2, initialMs: 50, multiplier: 1, maxMs: 50 },
      onError: 'fail',
    });
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ nodeId: 'slow', code: 'timeout' });
    expect(tookMs).toBeLessThan(WELL_UNDER_SLOW_MS);
    expect(suite.api.counts('/to/retried')).toBe(2);

    const steps = await suite.engine.steps(runId);
    const attempts = steps.filter((s) => s.stepKey.startsWith('slow#')).sort((a, b) => a.attempt - b.attempt);
    expect(attempts.map((s) => [s.stepKey, s.attempt, s.status])).toEqual([
      ['slow#1', 1, 'failed'],
      ['slow#2', 2, 'failed'],
    ]);
    for (const a of attempts) expect(a.error).toMatchObject({ code: 'timeout', retryable: true });
    expect(
      (attempts[1]?.startedAt.getTime() ?? 0) - (attempts[0]?.finishedAt.getTime() ?? 0),
    ).toBeGreaterThanOrEqual(50);
    const events = await suite.engine.events(runId);
    expect(
      events
        .filter((e) => e.type === 'node_retry')
        .map((e) => [e.nodeId, (e.data as { attempt: number }).attempt]),
    ).toEqual([['slow', 2]]);
  });

  it('succeeds when a retry answers within the timeout', async () => {
    // The first request hangs; once it has arrived, later ones are answered at once.
    suite.api.behave('/to/second', { delayMs: SLOW_MS });
    const switched = suite.api
      .reached('/to/second', 1)
      .then(() => suite.api.behave('/to/second', { delayMs: 0 }));
    const { runId, run, tookMs } = await timedRun('/to/second', {
      timeoutMs: 200,
      retry: { maxAttempts: 3, initialMs: 50, multiplier: 1, maxMs: 50 },
      onError: 'fail',
    });
    await switched;
    expect(run.status).toBe('succeeded');
    expect(run.outputs).toEqual({ status: 200 });
    expect(tookMs).toBeLessThan(WELL_UNDER_SLOW_MS);
    expect(suite.api.counts('/to/second')).toBe(2);
    const steps = (await suite.engine.steps(runId)).filter((s) => s.nodeId === 'slow');
    expect(Object.fromEntries(steps.map((s) => [s.stepKey, s.status]))).toEqual({
      'slow#1': 'failed',
      'slow#2': 'succeeded',
    });
  });

  it('continues through onError after a timeout', async () => {
    suite.api.behave('/to/handled', { delayMs: SLOW_MS });
    const { runId, run, tookMs } = await timedRun('/to/handled', {
      timeoutMs: 200,
      onError: 'default-value',
      defaultValue: { status: 504 },
    });
    expect(run.status).toBe('partially_succeeded');
    expect(run.outputs).toEqual({ status: 504 });
    expect(tookMs).toBeLessThan(WELL_UNDER_SLOW_MS);
    const settled = (await suite.engine.steps(runId)).find((s) => s.stepKey === 'slow');
    expect(settled).toMatchObject({
      status: 'succeeded',
      output: { status: 504 },
      error: { code: 'timeout' },
    });
  });
});
