// Secrets reach the node that uses them and nothing that is stored: not the step rows and events
// (both engines) and not Temporal's history. On Temporal, the run's state is also readable with the
// workflow's query while it waits for a reviewer.
import { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runStateQuery } from '@/workflows/engines/temporal/contract';
import {
  conformanceEngines,
  type EngineUnderTest,
  startEngineUnderTest,
} from '../support/conformance-engines';
import { type CountingServer, startCountingServer } from '../support/counting-server';
import { workflow } from '../support/engine-harness';

const SECRET_VALUE = 'sk-conformance-7f3a9c1e5b';

describe.each(conformanceEngines())('secrets and run state on $name', ({ name }) => {
  let engine: EngineUnderTest;
  let api: CountingServer;
  beforeAll(async () => {
    api = await startCountingServer();
    engine = await startEngineUnderTest(name);
    await engine.caller.secrets.set({
      workspaceId: engine.workspaceId,
      name: 'API_TOKEN',
      value: SECRET_VALUE,
    });
  });
  afterAll(async () => {
    await engine?.close();
    await api?.close();
  });

  it('hands the secret to the node and stores only its placeholder', async () => {
    const path = `/secrets-${name}`;
    const runId = await engine.start(
      workflow(
        [
          { id: 'start', type: 'start', config: { inputs: [] } },
          {
            id: 'call',
            type: 'http',
            config: { url: `${api.url}${path}`, auth: { type: 'bearer', token: '{{secrets.API_TOKEN}}' } },
          },
          { id: 'end', type: 'end', config: { outputs: { auth: '{{call.body.auth}}' } } },
        ],
        [
          ['start', 'call'],
          ['call', 'end'],
        ],
      ),
    );
    const run = await engine.waitFor(runId);
    expect(run.status).toBe('succeeded');
    expect(api.authorizations(path)).toEqual([`Bearer ${SECRET_VALUE}`]);
    // The server echoed the header back; what the run stored has the placeholder instead.
    expect(run.outputs).toEqual({ auth: 'Bearer [secret:API_TOKEN]' });
    const stored = JSON.stringify([run, await engine.steps(runId), await engine.events(runId)]);
    expect(stored).not.toContain(SECRET_VALUE);
    expect(stored).toContain('[secret:API_TOKEN]');

    if (name === 'temporal') {
      const connection = engine.runtime.temporal?.connection;
      if (!connection) throw new Error('no Temporal connection');
      const handle = new Client({ connection, namespace: 'default' }).workflow.getHandle(runId);
      await handle.result();
      // Payloads are base64-encoded JSON in the history's JSON form: decode them to search the text.
      const decoded: string[] = [];
      JSON.parse(historyToJSON(await handle.fetchHistory()), (key, value) => {
        if (key === 'data' && typeof value === 'string')
          decoded.push(Buffer.from(value, 'base64').toString('utf8'));
        return value;
      });
      const history = decoded.join('\n');
      expect(history).toContain('[secret:API_TOKEN]');
      expect(history).not.toContain(SECRET_VALUE);
    }
  });
});

describe.skipIf(!inject('temporalAddress'))('run state query on temporal', () => {
  let engine: EngineUnderTest;
  beforeAll(async () => {
    engine = await startEngineUnderTest('temporal');
  });
  afterAll(() => engine?.close());

  it('answers the state query while a review waits', async () => {
    const runId = await engine.start(
      workflow(
        [
          { id: 'start', type: 'start', config: { inputs: [] } },
          { id: 'review', type: 'human-review', config: { instructions: 'Look', data: { n: 1 } } },
          { id: 'end', type: 'end', config: { outputs: { decision: '{{review.decision}}' } } },
        ],
        [
          ['start', 'review'],
          ['review', 'end', 'approved'],
        ],
      ),
    );
    await engine.waitFor(runId, ['paused']);
    const connection = engine.runtime.temporal?.connection;
    if (!connection) throw new Error('no Temporal connection');
    const handle = new Client({ connection, namespace: 'default' }).workflow.getHandle(runId);
    const state = await handle.query(runStateQuery);
    expect(state).toMatchObject({ status: 'paused', waitingFor: ['review:review'], activitiesInFlight: 0 });
    expect(state.stepsCompleted).toBeGreaterThanOrEqual(1);
    await engine.signal(runId, 'review:review', { decision: 'approve' });
    expect((await engine.waitFor(runId)).outputs).toEqual({ decision: 'approve' });
  });
});
