// onError 'error-branch': when a node fails for good, the run follows the node's error handle
// instead of its normal edges; the error is the node's output, the normal branch is skipped and the
// run ends partially succeeded. When the node succeeds, the error branch is the one skipped. The
// same on both engines.
import { describe, expect, it } from 'vitest';
import { ERROR_HANDLE } from '@/workflows/dsl/definition';
import { conformanceEngines, engineSuite } from '../support/conformance-engines';
import { workflow } from '../support/engine-harness';

describe.each(conformanceEngines())('error branch on $name', ({ name }) => {
  const suite = engineSuite(name);

  // call ─(normal)→ normal → normalCall (http) → pick;  call ─(error)→ fallback → pick → end
  const definition = (path: string) =>
    workflow(
      [
        { id: 'start', type: 'start', config: { inputs: [] } },
        {
          id: 'call',
          type: 'http',
          config: { method: 'GET', url: `${suite.api.url}${path}` },
          error: {
            retry: { maxAttempts: 2, initialMs: 20, multiplier: 1, maxMs: 20 },
            onError: 'error-branch',
          },
        },
        { id: 'fallback', type: 'template', config: { template: 'fell back: {{call.error.code}}' } },
        { id: 'normal', type: 'template', config: { template: 'fine: {{call.status}}' } },
        {
          id: 'normalCall',
          type: 'http',
          config: { method: 'GET', url: `${suite.api.url}/eb/after-normal` },
        },
        {
          id: 'pick',
          type: 'join',
          config: {
            mode: 'first',
            values: { f: '{{fallback.text}}', n: '{{normal.text}}' },
            order: ['f', 'n'],
          },
        },
        { id: 'end', type: 'end', config: { outputs: { text: '{{pick.value}}', from: '{{pick.from}}' } } },
      ],
      [
        ['start', 'call'],
        ['call', 'fallback', ERROR_HANDLE],
        ['call', 'normal'],
        ['normal', 'normalCall'],
        ['normalCall', 'pick'],
        ['fallback', 'pick'],
        ['pick', 'end'],
      ],
    );

  it('routes a failed node to its error handle and skips the normal branch', async () => {
    suite.api.behave('/eb/broken', { statuses: Array(20).fill(500) });
    const before = suite.api.counts('/eb/after-normal');
    const runId = await suite.engine.start(definition('/eb/broken'));
    const run = await suite.engine.waitFor(runId);
    expect(run.status).toBe('partially_succeeded');
    expect(run.outputs).toEqual({ text: 'fell back: http_status', from: 'f' });
    expect(run.error).toBeNull();
    expect(suite.api.counts('/eb/broken')).toBe(2);
    expect(suite.api.counts('/eb/after-normal') - before).toBe(0);

    const steps = await suite.engine.steps(runId);
    const rows = Object.fromEntries(steps.map((s) => [s.stepKey, s]));
    expect(Object.fromEntries(steps.map((s) => [s.stepKey, s.status]))).toEqual({
      start: 'succeeded',
      'call#1': 'failed',
      'call#2': 'failed',
      // The node itself is settled: handled, with the error as its output.
      call: 'succeeded',
      'fallback#1': 'succeeded',
      normal: 'skipped',
      normalCall: 'skipped',
      'pick#1': 'succeeded',
      'end#1': 'succeeded',
    });
    expect(rows.call?.output).toEqual({
      error: { code: 'http_status', message: expect.stringContaining('500') },
    });
    expect(rows.call?.error).toMatchObject({ code: 'http_status', retryable: true });
    expect(rows['fallback#1']?.output).toEqual({ text: 'fell back: http_status' });

    const events = await suite.engine.events(runId);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(
      events
        .filter((e) => e.type === 'node_skipped')
        .map((e) => e.nodeId)
        .sort(),
    ).toEqual(['normal', 'normalCall']);
    expect(events.filter((e) => e.type === 'node_retry').map((e) => e.nodeId)).toEqual(['call']);
    // The settled node's event carries the handled error.
    const settled = events.filter(
      (e) => e.type === 'node_finished' && (e.data as { stepKey: string }).stepKey === 'call',
    );
    expect(settled).toHaveLength(1);
    expect(settled[0]?.data).toMatchObject({ status: 'succeeded', error: { code: 'http_status' } });
    expect(events.at(-1)).toMatchObject({ type: 'run_finished', data: { status: 'partially_succeeded' } });
  });

  it('skips the error branch when the node succeeds', async () => {
    const before = suite.api.counts('/eb/after-normal');
    const runId = await suite.engine.start(definition('/eb/fine'));
    const run = await suite.engine.waitFor(runId);
    expect(run.status).toBe('succeeded');
    expect(run.outputs).toEqual({ text: 'fine: 200', from: 'n' });
    expect(suite.api.counts('/eb/fine')).toBe(1);
    expect(suite.api.counts('/eb/after-normal') - before).toBe(1);
    const statuses = Object.fromEntries((await suite.engine.steps(runId)).map((s) => [s.stepKey, s.status]));
    expect(statuses).toEqual({
      start: 'succeeded',
      'call#1': 'succeeded',
      fallback: 'skipped',
      'normal#1': 'succeeded',
      'normalCall#1': 'succeeded',
      'pick#1': 'succeeded',
      'end#1': 'succeeded',
    });
    const events = await suite.engine.events(runId);
    expect(events.filter((e) => e.type === 'node_skipped').map((e) => e.nodeId)).toEqual(['fallback']);
  });
});
