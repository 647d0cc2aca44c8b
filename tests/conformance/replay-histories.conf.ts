// Representative runs on Temporal whose histories are kept as replay fixtures
// (workflows/engines/temporal/histories, replayed in the unit tier without a server). Each history
// is replayed against the current workflow code here too. With WEFT_RECORD_HISTORIES=1 the fixtures
// are rewritten from these runs: do that only for a deliberate, compatible change of the workflow.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { WorkflowDefinition } from '@/workflows/dsl/definition';
import { type EngineUnderTest, startEngineUnderTest } from '../support/conformance-engines';
import { type CountingServer, startCountingServer } from '../support/counting-server';
import { workflow } from '../support/engine-harness';

const HISTORIES_DIR = path.join(process.cwd(), 'workflows', 'engines', 'temporal', 'histories');
const record = process.env.WEFT_RECORD_HISTORIES === '1';
const temporalAddress = inject('temporalAddress');
const bundlePath = inject('workflowBundlePath');

describe.skipIf(!temporalAddress)('Temporal replay histories', () => {
  let engine: EngineUnderTest;
  let api: CountingServer;
  let client: Client;
  beforeAll(async () => {
    api = await startCountingServer();
    engine = await startEngineUnderTest('temporal', { continueAsNewAfterEvents: 40 });
    const connection = engine.runtime.temporal?.connection;
    if (!connection) throw new Error('no Temporal connection');
    client = new Client({ connection, namespace: 'default' });
  });
  afterAll(async () => {
    await engine?.close();
    await api?.close();
  });

  /** Every execution of the run (more than one when it continued as new), oldest first. */
  async function executionRunIds(runId: string): Promise<string[]> {
    const ids: { runId: string; start: number }[] = [];
    for await (const execution of client.workflow.list({ query: `WorkflowId = '${runId}'` }))
      ids.push({ runId: execution.runId, start: execution.startTime.getTime() });
    return ids.sort((a, b) => a.start - b.start).map((e) => e.runId);
  }

  async function keep(name: string, runId: string) {
    // The run row is final before the workflow's last task completes; wait for the workflow.
    await client.workflow.getHandle(runId).result();
    const executions = await executionRunIds(runId);
    expect(executions.length).toBeGreaterThan(0);
    const histories = await Promise.all(
      executions.map(async (executionId) => ({
        workflowId: runId,
        history: await client.workflow.getHandle(runId, executionId).fetchHistory(),
      })),
    );
    const results = [];
    for await (const result of Worker.runReplayHistories(
      { workflowBundle: { codePath: bundlePath ?? '' } },
      histories,
    ))
      results.push(result);
    expect(results.map((r) => r.error)).toEqual(histories.map(() => undefined));
    if (record) {
      mkdirSync(HISTORIES_DIR, { recursive: true });
      histories.forEach(({ history }, i) => {
        const suffix = histories.length > 1 ? `.${i + 1}` : '';
        writeFileSync(path.join(HISTORIES_DIR, `${name}${suffix}.json`), `${historyToJSON(history)}\n`);
      });
    }
    return executions;
  }

  async function runToEnd(definition: WorkflowDefinition, inputs = {}) {
    const runId = await engine.start(definition, inputs);
    return { runId, run: await engine.waitFor(runId) };
  }

  it('sequence with branches, a join and an HTTP call', async () => {
    const { runId, run } = await runToEnd(
      workflow(
        [
          { id: 'start', type: 'start', config: { inputs: [{ name: 'score', type: 'number' }] } },
          { id: 'fetch', type: 'http', config: { url: `${api.url}/replay/fetch` } },
          {
            id: 'check',
            type: 'condition',
            config: {
              cases: [
                {
                  id: 'high',
                  logic: 'and',
                  conditions: [{ left: '{{start.score}}', operator: 'gt', right: 5 }],
                },
              ],
            },
          },
          { id: 'high', type: 'template', config: { template: 'high {{start.score}}' } },
          { id: 'low', type: 'template', config: { template: 'low {{start.score}}' } },
          {
            id: 'pick',
            type: 'join',
            config: { mode: 'first', values: { a: '{{high.text}}', b: '{{low.text}}' } },
          },
          {
            id: 'end',
            type: 'end',
            config: { outputs: { result: '{{pick.value}}', path: '{{fetch.body.path}}' } },
          },
        ],
        [
          ['start', 'fetch'],
          ['fetch', 'check'],
          ['check', 'high', 'high'],
          ['check', 'low', 'else'],
          ['high', 'pick'],
          ['low', 'pick'],
          ['pick', 'end'],
        ],
      ),
      { score: 7 },
    );
    expect(run.status).toBe('succeeded');
    expect(run.outputs).toEqual({ result: 'high 7', path: '/replay/fetch' });
    await keep('branches', runId);
  });

  it('retries with backoff, then succeeds', async () => {
    api.behave('/replay/flaky', { statuses: [503, 503] });
    const { runId, run } = await runToEnd(
      workflow(
        [
          { id: 'start', type: 'start', config: { inputs: [] } },
          {
            id: 'flaky',
            type: 'http',
            config: { url: `${api.url}/replay/flaky` },
            error: { retry: { maxAttempts: 3, initialMs: 20, multiplier: 2, maxMs: 100 }, onError: 'fail' },
          },
          { id: 'end', type: 'end', config: { outputs: { count: '{{flaky.body.count}}' } } },
        ],
        [
          ['start', 'flaky'],
          ['flaky', 'end'],
        ],
      ),
    );
    expect(run.status).toBe('succeeded');
    expect(run.outputs).toEqual({ count: 3 });
    await keep('retry', runId);
  });

  it('human review decided through the API', async () => {
    const runId = await engine.start(
      workflow(
        [
          { id: 'start', type: 'start', config: { inputs: [] } },
          { id: 'review', type: 'human-review', config: { instructions: 'Check', data: { text: 'draft' } } },
          { id: 'end', type: 'end', config: { outputs: { text: '{{review.data.text}}' } } },
        ],
        [
          ['start', 'review'],
          ['review', 'end', 'approved'],
        ],
      ),
    );
    await engine.waitFor(runId, ['paused']);
    await engine.signal(runId, 'review:review', {
      decision: 'edit',
      data: { text: 'edited' },
      comment: 'ok',
    });
    const run = await engine.waitFor(runId);
    expect(run.status).toBe('succeeded');
    expect(run.outputs).toEqual({ text: 'edited' });
    await keep('review', runId);
  });

  it('a long loop that continues as new', async () => {
    // HTTP nodes are activities of their own, so the history grows with every item.
    const items = Array.from({ length: 16 }, (_, i) => i);
    const { runId, run } = await runToEnd(
      workflow(
        [
          { id: 'start', type: 'start', config: { inputs: [] } },
          {
            id: 'each',
            type: 'loop',
            config: { mode: 'for-each', items, concurrency: 2, output: '{{mark.text}}' },
          },
          {
            id: 'call',
            type: 'http',
            parentId: 'each',
            config: { url: `${api.url}/replay/item/{{each.item}}` },
          },
          { id: 'mark', type: 'template', parentId: 'each', config: { template: '{{call.body.path}}!' } },
          { id: 'end', type: 'end', config: { outputs: { all: '{{each.results}}' } } },
        ],
        [
          ['start', 'each'],
          ['call', 'mark'],
          ['each', 'end'],
        ],
      ),
    );
    expect(run.status).toBe('succeeded');
    expect(run.outputs).toEqual({ all: items.map((i) => `/replay/item/${i}!`) });
    // Each item's call ran once, although the run was replayed from its carried journal.
    for (const i of items) expect(api.counts(`/replay/item/${i}`)).toBe(1);
    const executions = await keep('continued', runId);
    expect(executions.length).toBeGreaterThan(1);
  });
});
