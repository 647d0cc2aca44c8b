// Retries: a node whose attempt fails with a retryable error is tried again after an exponential
// backoff (initialMs · multiplier^(attempt−1)), each attempt its own step row `key#attempt`; when
// attempts run out the run fails with the last error. Non-retryable errors are not retried. The
// same on both engines.
import { describe, expect, it } from 'vitest';
import type { RetryPolicy } from '@/workflows/dsl/definition';
import { conformanceEngines, engineSuite } from '../support/conformance-engines';
import { workflow } from '../support/engine-harness';

const start = { id: 'start', type: 'start', config: { inputs: [] } };

describe.each(conformanceEngines())('retry with backoff on $name', ({ name }) => {
  const suite = engineSuite(name);
  const callWithRetry = (path: string, retry: RetryPolicy) =>
    workflow(
      [
        start,
        {
          id: 'call',
          type: 'http',
          config: { method: 'GET', url: `${suite.api.url}${path}` },
          error: { retry, onError: 'fail' },
        },
        {
          id: 'end',
          type: 'end',
          config: { outputs: { status: '{{call.status}}', count: '{{call.body.count}}' } },
        },
      ],
      [
        ['start', 'call'],
        ['call', 'end'],
      ],
    );

  it('retries a failing call with exponential backoff until it succeeds', async () => {
    suite.api.behave('/flaky', { statuses: [503, 502, 200] });
    const runId = await suite.engine.start(
      callWithRetry('/flaky', { maxAttempts: 3, initialMs: 150, multiplier: 2, maxMs: 1_000 }),
    );
    const run = await suite.engine.waitFor(runId);
    expect(run.status).toBe('succeeded');
    expect(run.outputs).toEqual({ status: 200, count: 3 });
    expect(suite.api.counts('/flaky')).toBe(3);
    // One operation as far as the remote side can tell: the same idempotency key on every attempt.
    expect(suite.api.idempotencyKeys('/flaky')).toEqual([`${runId}:call`, `${runId}:call`, `${runId}:call`]);

    const steps = (await suite.engine.steps(runId)).filter((s) => s.nodeId === 'call');
    expect(steps.map((s) => [s.stepKey, s.attempt, s.status])).toEqual([
      ['call#1', 1, 'failed'],
      ['call#2', 2, 'failed'],
      ['call#3', 3, 'succeeded'],
    ]);
    expect(steps[0]?.error).toMatchObject({ code: 'http_status', retryable: true });
    expect(steps[0]?.error).toMatchObject({ message: expect.stringContaining('503') });
    expect(steps[1]?.error).toMatchObject({ code: 'http_status', retryable: true });
    expect(steps[1]?.error).toMatchObject({ message: expect.stringContaining('502') });
    expect(steps[2]?.output).toMatchObject({ status: 200, body: { count: 3 } });
    // The waits between attempts last at least the backoff: 150 ms, then 300 ms. (Not much more on
    // the embedded engine; the Temporal dev server fires such short timers after about a second.)
    const gap = (i: number) =>
      (steps[i + 1]?.startedAt.getTime() ?? 0) - (steps[i]?.finishedAt.getTime() ?? 0);
    expect(gap(0)).toBeGreaterThanOrEqual(150);
    expect(gap(1)).toBeGreaterThanOrEqual(300);
    expect(gap(1)).toBeLessThan(3_000);

    const events = await suite.engine.events(runId);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    const retries = events.filter((e) => e.type === 'node_retry');
    expect(retries.map((e) => [e.nodeId, (e.data as { attempt: number }).attempt])).toEqual([
      ['call', 2],
      ['call', 3],
    ]);
    expect(retries.map((e) => (e.data as { stepKey: string }).stepKey)).toEqual(['call#2', 'call#3']);
    const finished = events.filter((e) => e.type === 'node_finished' && e.nodeId === 'call');
    expect(finished.map((e) => (e.data as { status: string; attempt: number }).status)).toEqual([
      'failed',
      'failed',
      'succeeded',
    ]);
    expect(events.at(-1)).toMatchObject({ type: 'run_finished', data: { status: 'succeeded' } });
  });

  it('fails the run with the last error when the attempts run out', async () => {
    suite.api.behave('/down', { statuses: Array(20).fill(500) });
    const runId = await suite.engine.start(
      callWithRetry('/down', { maxAttempts: 3, initialMs: 50, multiplier: 2, maxMs: 1_000 }),
    );
    const run = await suite.engine.waitFor(runId);
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ nodeId: 'call', code: 'http_status', retryable: true });
    expect((run.error as { message: string }).message).toContain('500');
    expect(suite.api.counts('/down')).toBe(3);

    const steps = await suite.engine.steps(runId);
    // The attempts, then the node's own row failed; nothing downstream started.
    expect(Object.fromEntries(steps.map((s) => [s.stepKey, s.status]))).toEqual({
      start: 'succeeded',
      'call#1': 'failed',
      'call#2': 'failed',
      'call#3': 'failed',
      call: 'failed',
    });
    expect(steps.find((s) => s.stepKey === 'call')?.error).toMatchObject({ code: 'http_status' });
    const attempts = steps.filter((s) => s.stepKey.startsWith('call#'));
    attempts.sort((a, b) => a.attempt - b.attempt);
    const gap = (i: number) =>
      (attempts[i + 1]?.startedAt.getTime() ?? 0) - (attempts[i]?.finishedAt.getTime() ?? 0);
    expect(gap(0)).toBeGreaterThanOrEqual(50);
    expect(gap(1)).toBeGreaterThanOrEqual(100);

    const events = await suite.engine.events(runId);
    expect(
      events.filter((e) => e.type === 'node_retry').map((e) => (e.data as { attempt: number }).attempt),
    ).toEqual([2, 3]);
    expect(events.some((e) => e.nodeId === 'end')).toBe(false);
    expect(events.at(-1)).toMatchObject({ type: 'run_finished', data: { status: 'failed' } });
  });

  it('does not retry an error that is not retryable', async () => {
    suite.api.behave('/missing', { statuses: Array(20).fill(404) });
    const runId = await suite.engine.start(
      callWithRetry('/missing', { maxAttempts: 3, initialMs: 50, multiplier: 2, maxMs: 1_000 }),
    );
    const run = await suite.engine.waitFor(runId);
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ nodeId: 'call', code: 'http_status', retryable: false });
    expect(suite.api.counts('/missing')).toBe(1);
    const keys = (await suite.engine.steps(runId)).map((s) => s.stepKey).sort();
    expect(keys).toEqual(['call', 'call#1', 'start']);
    const events = await suite.engine.events(runId);
    expect(events.filter((e) => e.type === 'node_retry')).toEqual([]);
  });
});
