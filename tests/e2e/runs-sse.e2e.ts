// The run API of a real `npm start` server: runs execute on the worker the web process starts at
// boot, and a run's Server-Sent Events stream resumes from Last-Event-ID without gaps.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CountingServer, startCountingServer } from '../support/counting-server';
import { weftHttpClient } from '../support/weft-http-client';
import { startWeft, type WeftServer } from '../support/weft-server';

describe('runs over HTTP', () => {
  let server: WeftServer;
  let api: CountingServer;
  let client: ReturnType<typeof weftHttpClient>;
  const call = (procedure: string, input: unknown) => client.call(procedure, input);

  beforeAll(async () => {
    api = await startCountingServer();
    api.behave('/numbers', { body: { n: 12 } });
    server = await startWeft({
      WEFT_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'weft-e2e-')),
      WEFT_HTTP_ALLOWLIST: '127.0.0.1',
    });
    client = weftHttpClient(server.url);
  });
  afterAll(async () => {
    await server?.stop();
    await api?.close();
  });

  it('runs a chat app on the web process worker and streams its events, resuming after a given id', async () => {
    const { workspaceId } = (await call('auth.signUp', {
      email: `sse.${Date.now()}@example.test`,
      password: 'Correct-Horse-42',
      name: 'Streamer',
    })) as { workspaceId: string };
    const app = (await call('apps.create', { workspaceId, name: 'Echo', kind: 'chat' })) as { id: string };
    const { runId } = (await call('runs.start', {
      workspaceId,
      appId: app.id,
      inputs: { query: 'hello' },
    })) as {
      runId: string;
    };

    const full = await client.events(runId);
    expect(full.map((e) => e.id)).toEqual(full.map((_, i) => i + 1));
    expect(full[0]?.event).toBe('run_queued');
    expect(full.at(-1)).toMatchObject({
      event: 'run_finished',
      data: { data: { status: 'succeeded', outputs: { answer: 'hello' } } },
    });

    const resumed = await client.events(runId, 2);
    expect(resumed.map((e) => e.id)).toEqual(full.slice(2).map((e) => e.id));

    const stranger = await fetch(`${server.url}/api/runs/${runId}/events`);
    expect(stranger.status).toBe(401);

    // An http node (undici, guarded) and a code node (QuickJS) run inside the production server.
    const flow = (await call('apps.create', { workspaceId, name: 'Compute', kind: 'workflow' })) as {
      id: string;
    };
    const draft = (await client.query('apps.getDraft', { workspaceId, appId: flow.id })) as {
      revision: number;
    };
    const pos = { x: 0, y: 0 };
    await call('apps.saveDraft', {
      workspaceId,
      appId: flow.id,
      baseRevision: draft.revision,
      definition: {
        schemaVersion: 1,
        nodes: [
          {
            id: 'start',
            type: 'start',
            title: 'Start',
            config: { inputs: [] },
            position: pos,
          },
          { id: 'fetch', type: 'http', title: 'Fetch', config: { url: `${api.url}/numbers` }, position: pos },
          {
            id: 'square',
            type: 'code',
            title: 'Square',
            config: { code: 'return { value: inputs.n * inputs.n };', inputs: { n: '{{fetch.body.n}}' } },
            position: pos,
          },
          {
            id: 'end',
            type: 'end',
            title: 'End',
            config: { outputs: { value: '{{square.value}}' } },
            position: pos,
          },
        ],
        edges: [
          { id: 'a', source: 'start', sourceHandle: null, target: 'fetch', targetHandle: null },
          { id: 'c', source: 'fetch', sourceHandle: null, target: 'square', targetHandle: null },
          { id: 'b', source: 'square', sourceHandle: null, target: 'end', targetHandle: null },
        ],
      },
    });
    const computed = (await call('runs.start', { workspaceId, appId: flow.id, inputs: {} })) as {
      runId: string;
    };
    const events = await client.events(computed.runId);
    expect(events.at(-1)).toMatchObject({
      event: 'run_finished',
      data: { data: { status: 'succeeded', outputs: { value: 144 } } },
    });
  });
});
