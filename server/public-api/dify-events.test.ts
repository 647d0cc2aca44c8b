import { describe, expect, it } from 'vitest';
import type { WorkflowDefinition } from '@/workflows/dsl/definition';
import type { RunEvent } from '@/workflows/engines/embedded/engine';
import { DifyEventTranslator } from './dify-events';
import { parseFormToken } from './human-input-form';

const pos = { x: 0, y: 0 };
const definition = {
  schemaVersion: 1,
  nodes: [
    { id: 'start', type: 'start', title: 'Start', config: { inputs: [] }, position: pos },
    {
      id: 'fetch',
      type: 'http',
      title: 'Fetch',
      config: { url: 'https://example.test' },
      position: pos,
      error: { retry: { maxAttempts: 2, initialMs: 10, multiplier: 2, maxMs: 100 }, onError: 'fail' },
    },
    { id: 'end', type: 'end', title: 'End', config: { outputs: {} }, position: pos },
  ],
  edges: [],
} as unknown as WorkflowDefinition;

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
let seq = 0;
const ev = (type: string, nodeId: string | null, data: Record<string, unknown>, s = 0): RunEvent => ({
  seq: ++seq,
  type,
  nodeId,
  data: data as RunEvent['data'],
  createdAt: at(s),
});

const translator = () =>
  new DifyEventTranslator({
    runId: 'run-1',
    workflowId: 'version-1',
    sequenceNumber: 7,
    definition,
  });

describe('DifyEventTranslator', () => {
  it('starts with workflow_started and numbers node executions', () => {
    const t = translator();
    const out = [
      ...t.translate(ev('run_queued', null, { runId: 'run-1', inputs: { a: 1 } })),
      ...t.translate(ev('run_started', null, {})),
      ...t.translate(ev('node_started', 'start', { nodeType: 'start', stepKey: 'start' }, 1)),
      ...t.translate(
        ev(
          'node_finished',
          'start',
          { nodeType: 'start', status: 'succeeded', output: { a: 1 }, elapsedMs: 1500 },
          2,
        ),
      ),
    ];
    expect(out.map((e) => e.event)).toEqual(['workflow_started', 'node_started', 'node_finished']);
    expect(out[0]).toEqual({
      event: 'workflow_started',
      task_id: 'run-1',
      workflow_run_id: 'run-1',
      data: {
        id: 'run-1',
        workflow_id: 'version-1',
        sequence_number: 7,
        inputs: { a: 1 },
        created_at: at(0).getTime() / 1000,
      },
    });
    expect(out[1]?.data).toMatchObject({ node_id: 'start', node_type: 'start', title: 'Start', index: 1 });
    expect(out[2]?.data).toMatchObject({
      id: out[1]?.data.id,
      index: 1,
      status: 'succeeded',
      outputs: { a: 1 },
      error: null,
      elapsed_time: 1.5,
      execution_metadata: { total_tokens: 0, total_price: 0 },
    });
  });

  it('reports a failed attempt that will be retried as node_retry, then one node_finished', () => {
    const t = translator();
    const retryable = { message: 'HTTP 503', code: 'http_503', retryable: true };
    const out = [
      ...t.translate(ev('node_started', 'fetch', { nodeType: 'http', stepKey: 'fetch#1', attempt: 1 })),
      ...t.translate(
        ev('node_finished', 'fetch', { nodeType: 'http', status: 'failed', attempt: 1, error: retryable }),
      ),
      ...t.translate(ev('node_retry', 'fetch', { nodeType: 'http', stepKey: 'fetch#2', attempt: 2 })),
      ...t.translate(
        ev('node_finished', 'fetch', {
          nodeType: 'http',
          status: 'failed',
          attempt: 2,
          error: retryable,
          usage: [{ promptTokens: 3, completionTokens: 4, cost: 0.5 }],
        }),
      ),
    ];
    expect(out.map((e) => [e.event, e.data.status])).toEqual([
      ['workflow_started', undefined],
      ['node_started', undefined],
      ['node_retry', 'retry'],
      ['node_finished', 'failed'],
    ]);
    expect(out[3]?.data).toMatchObject({
      error: 'HTTP 503',
      execution_metadata: { total_tokens: 7, total_price: 0.5 },
    });
  });

  it('announces nodes resolved without an activity, streams text and ends with workflow_finished', () => {
    const t = translator();
    const out = [
      ...t.translate(ev('node_finished', 'end', { nodeType: 'end', status: 'succeeded', output: 'done' })),
      ...t.translate(ev('llm_delta', 'end', { delta: 'Hi' })),
      ...t.translate(ev('node_skipped', 'fetch', { status: 'skipped' })),
      ...t.finished({
        id: 'run-1',
        workflow_id: 'version-1',
        status: 'failed',
        inputs: {},
        outputs: {},
        error: 'boom',
        elapsed_time: 2,
        total_tokens: 5,
        total_steps: 1,
        created_at: 1,
        finished_at: 3,
      }),
    ];
    expect(out.map((e) => e.event)).toEqual([
      'workflow_started',
      'node_started',
      'node_finished',
      'text_chunk',
      'workflow_finished',
    ]);
    expect(out[2]?.data.outputs).toEqual({ value: 'done' });
    expect(out[3]?.data).toEqual({ text: 'Hi', from_variable_selector: ['end', 'text'] });
    expect(out[4]?.data).toMatchObject({
      status: 'failed',
      error: 'boom',
      total_tokens: 5,
      sequence_number: 7,
    });
  });

  it('announces a review pause as human_input_required with a form token for that step', () => {
    const t = translator();
    t.translate(ev('run_started', null, {}));
    const [required] = t.translate(
      ev('review_requested', 'fetch', {
        nodeId: 'fetch',
        stepKey: 'fetch',
        signal: 'review:fetch',
        request: { instructions: 'Look', data: 'text', allowEdit: true },
      }),
    );
    expect(required).toMatchObject({
      event: 'human_input_required',
      workflow_run_id: 'run-1',
      data: { node_id: 'fetch', node_title: 'Fetch', form_content: 'Look', form_id: 'run-1:fetch' },
    });
    // The test run id is not a uuid, so the token is refused: forms only exist for real runs.
    expect(parseFormToken(String(required?.data.form_token))).toBeNull();
    expect(String(required?.data.form_token)).toMatch(/^hif_/);
  });
});
