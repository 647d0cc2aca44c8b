// Weft on Temporal as an operator runs it: `npm start` with DATABASE_URL and TEMPORAL_ADDRESS (the
// web process has no Temporal worker) and `npm run worker:temporal` in its own process. A run
// started through the studio API executes on the worker; its events stream over SSE, and a review
// decision made through the studio API resumes it, exactly as on the embedded engine.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CountingServer, startCountingServer } from '../support/counting-server';
import { findPostgresBinDir, type RunningPostgres, startPostgres } from '../support/postgres-server';
import { findTemporalCli, type RunningTemporal, startTemporalDevServer } from '../support/temporal-server';
import { weftHttpClient } from '../support/weft-http-client';
import { startWeft, type WeftServer } from '../support/weft-server';

const binDir = findPostgresBinDir();
const cli = findTemporalCli();
const pos = { x: 0, y: 0 };

describe.skipIf(!binDir || !cli)('Weft on Temporal over HTTP', () => {
  let postgres: RunningPostgres;
  let temporal: RunningTemporal;
  let server: WeftServer;
  let worker: ChildProcess;
  let workerOutput = '';
  let api: CountingServer;
  let client: ReturnType<typeof weftHttpClient>;

  beforeAll(async () => {
    [postgres, temporal, api] = await Promise.all([
      startPostgres(binDir ?? ''),
      startTemporalDevServer(cli ?? ''),
      startCountingServer(),
    ]);
    const env = {
      DATABASE_URL: postgres.url,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_TASK_QUEUE: 'weft-e2e',
      WEFT_HTTP_ALLOWLIST: '127.0.0.1',
    };
    server = await startWeft(env);
    worker = spawn(
      path.join(process.cwd(), 'node_modules', '.bin', 'tsx'),
      ['server/cli/worker-temporal.ts'],
      {
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      },
    );
    await new Promise<void>((resolve, reject) => {
      const collect = (data: Buffer) => {
        workerOutput += String(data);
        if (workerOutput.includes('Temporal worker ready')) resolve();
      };
      worker.stdout?.on('data', collect);
      worker.stderr?.on('data', collect);
      worker.once('exit', (code) =>
        reject(new Error(`worker:temporal exited with ${code}:\n${workerOutput}`)),
      );
    });
    client = weftHttpClient(server.url);
  });
  afterAll(async () => {
    if (worker?.pid && worker.exitCode === null && worker.signalCode === null)
      process.kill(-worker.pid, 'SIGTERM');
    await server?.stop();
    await temporal?.stop();
    postgres?.stop();
    await api?.close();
  });

  it('runs, streams and resumes a workflow on the Temporal worker', async () => {
    const { workspaceId } = (await client.call('auth.signUp', {
      email: `temporal.${Date.now()}@example.test`,
      password: 'Correct-Horse-42',
      name: 'Operator',
    })) as { workspaceId: string };
    const app = (await client.call('apps.create', {
      workspaceId,
      name: 'On Temporal',
      kind: 'workflow',
    })) as {
      id: string;
    };
    const draft = (await client.query('apps.getDraft', { workspaceId, appId: app.id })) as {
      revision: number;
    };
    await client.call('apps.saveDraft', {
      workspaceId,
      appId: app.id,
      baseRevision: draft.revision,
      definition: {
        schemaVersion: 1,
        nodes: [
          { id: 'start', type: 'start', title: 'Start', config: { inputs: [] }, position: pos },
          {
            id: 'fetch',
            type: 'http',
            title: 'Fetch',
            config: { url: `${api.url}/temporal/fetch` },
            position: pos,
          },
          {
            id: 'review',
            type: 'human-review',
            title: 'Review',
            config: { instructions: 'Check the path', data: { path: '{{fetch.body.path}}' } },
            position: pos,
          },
          {
            id: 'end',
            type: 'end',
            title: 'End',
            config: { outputs: { path: '{{review.data.path}}', decision: '{{review.decision}}' } },
            position: pos,
          },
        ],
        edges: [
          { id: 'a', source: 'start', sourceHandle: null, target: 'fetch', targetHandle: null },
          { id: 'b', source: 'fetch', sourceHandle: null, target: 'review', targetHandle: null },
          { id: 'c', source: 'review', sourceHandle: 'approved', target: 'end', targetHandle: null },
        ],
      },
    });
    const { runId } = (await client.call('runs.start', { workspaceId, appId: app.id, inputs: {} })) as {
      runId: string;
    };

    // Paused at the review: the studio shows it like any other run.
    const deadline = Date.now() + 60_000;
    let run = (await client.query('runs.get', { workspaceId, runId })) as { status: string };
    while (run.status !== 'paused') {
      if (Date.now() > deadline) throw new Error(`run is ${run.status}, not paused:\n${workerOutput}`);
      await new Promise((r) => setTimeout(r, 100));
      run = (await client.query('runs.get', { workspaceId, runId })) as { status: string };
    }
    await client.call('runs.signal', {
      workspaceId,
      runId,
      name: 'review:review',
      payload: { decision: 'edit', data: { path: '/edited' }, comment: 'fine' },
    });

    const events = await client.events(runId);
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
    const types = events.map((e) => e.event);
    for (const type of ['run_queued', 'run_started', 'review_requested', 'paused', 'run_resumed'])
      expect(types).toContain(type);
    expect(events.at(-1)).toMatchObject({
      event: 'run_finished',
      data: { data: { status: 'succeeded', outputs: { path: '/edited', decision: 'edit' } } },
    });
    expect(api.counts('/temporal/fetch')).toBe(1);
    const detail = (await client.query('runs.get', { workspaceId, runId })) as {
      status: string;
      engine: string;
      steps: { nodeId: string; status: string }[];
    };
    expect(detail.status).toBe('succeeded');
    expect(detail.engine).toBe('temporal');
    expect(detail.steps.map((s) => s.nodeId)).toEqual(
      expect.arrayContaining(['start', 'fetch', 'review', 'end']),
    );
  });
});
