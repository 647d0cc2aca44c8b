// onError 'default-value': when a node fails for good, its output becomes the configured default
// value, downstream nodes run with it, and the run ends partially succeeded. The same on both
// engines.
import { describe, expect, it } from 'vitest';
import type { RetryPolicy } from '@/workflows/dsl/definition';
import { conformanceEngines, engineSuite } from '../support/conformance-engines';
import { workflow } from '../support/engine-harness';

const defaultValue = { status: 0, body: { fallback: true, note: 'cached' } };

describe.each(conformanceEngines())('default value on $name', ({ name }) => {
  const suite = engineSuite(name);

  const definition = (path: string, retry?: RetryPolicy) =>
    workflow(
      [
        { id: 'start', type: 'start', config: { inputs: [] } },
        {
          id: 'call',
          type: 'http',
          config: { method: 'GET', url: `${suite.api.url}${path}` },
          error: { ...(retry ? { retry } : {}), onError: 'default-value', defaultValue },
        },
        { id: 'use', type: 'template', config: { template: 'status {{call.status}}, {{call.body.note}}' } },
        {
          id: 'report',
          type: 'http',
          config: { method: 'GET', url: `${suite.api.url}/dv/report/{{call.status}}` },
        },
        {
          id: 'end',
          type: 'end',
          config: {
            outputs: {
              text: '{{use.text}}',
              fallback: '{{call.body.fallback}}',
              reported: '{{report.body.path}}',
            },
          },
        },
      ],
      [
        ['start', 'call'],
        ['call', 'use'],
        ['use', 'report'],
        ['report', 'end'],
      ],
    );

  it('replaces a failed output with the default value after the retries', async () => {
    suite.api.behave('/dv/down', { statuses: Array(20).fill(503) });
    const runId = await suite.engine.start(
      definition('/dv/down', { maxAttempts: 2, initialMs: 20, multiplier: 1, maxMs: 20 }),
    );
    const run = await suite.engine.waitFor(runId);
    expect(run.status).toBe('partially_succeeded');
    expect(run.outputs).toEqual({ text: 'status 0, cached', fallback: true, reported: '/dv/report/0' });
    expect(run.error).toBeNull();
    expect(suite.api.counts('/dv/down')).toBe(2);
    // Downstream ran (once) with the default value.
    expect(suite.api.counts('/dv/report/0')).toBe(1);

    const steps = await suite.engine.steps(runId);
    expect(Object.fromEntries(steps.map((s) => [s.stepKey, s.status]))).toEqual({
      start: 'succeeded',
      'call#1': 'failed',
      'call#2': 'failed',
      call: 'succeeded',
      'use#1': 'succeeded',
      'report#1': 'succeeded',
      'end#1': 'succeeded',
    });
    const settled = steps.find((s) => s.stepKey === 'call');
    expect(settled?.output).toEqual(defaultValue);
    expect(settled?.error).toMatchObject({ code: 'http_status', retryable: true });
    expect(steps.find((s) => s.stepKey === 'use#1')?.input).toEqual({ template: 'status 0, cached' });

    const events = await suite.engine.events(runId);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.filter((e) => e.type === 'node_retry').map((e) => e.nodeId)).toEqual(['call']);
    expect(events.filter((e) => e.type === 'node_skipped')).toEqual([]);
    const settledEvent = events.find(
      (e) => e.type === 'node_finished' && (e.data as { stepKey: string }).stepKey === 'call',
    );
    expect(settledEvent?.data).toMatchObject({
      status: 'succeeded',
      output: defaultValue,
      error: { code: 'http_status' },
    });
    expect(events.at(-1)).toMatchObject({ type: 'run_finished', data: { status: 'partially_succeeded' } });
  });

  it('uses the default value at once for a failure that is not retried', async () => {
    suite.api.behave('/dv/gone', { statuses: Array(20).fill(404) });
    const before = suite.api.counts('/dv/report/0');
    const runId = await suite.engine.start(
      definition('/dv/gone', { maxAttempts: 3, initialMs: 20, multiplier: 1, maxMs: 20 }),
    );
    const run = await suite.engine.waitFor(runId);
    expect(run.status).toBe('partially_succeeded');
    expect(run.outputs).toEqual({ text: 'status 0, cached', fallback: true, reported: '/dv/report/0' });
    expect(suite.api.counts('/dv/gone')).toBe(1);
    expect(suite.api.counts('/dv/report/0') - before).toBe(1);
    const keys = (await suite.engine.steps(runId)).map((s) => s.stepKey).sort();
    expect(keys).toEqual(['call', 'call#1', 'end#1', 'report#1', 'start', 'use#1']);
  });

  it('keeps the real output when the node succeeds', async () => {
    const runId = await suite.engine.start(definition('/dv/up'));
    const run = await suite.engine.waitFor(runId);
    expect(run.status).toBe('succeeded');
    expect(run.outputs).toEqual({ text: 'status 200, ', fallback: null, reported: '/dv/report/200' });
    const keys = (await suite.engine.steps(runId)).map((s) => s.stepKey).sort();
    expect(keys).toEqual(['call#1', 'end#1', 'report#1', 'start', 'use#1']);
  });
});
