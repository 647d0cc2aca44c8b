// The Dify-compatible Service API (/api/v1) of a real `npm start` server, called with API keys the
// way integrators call it: plain HTTP and Dify's own `dify-client` package. Covers blocking and
// streaming workflow runs, reading and stopping runs, key checks, body limits and CORS.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CompletionClient } from 'dify-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allDifyEvents, type DifyEvent, difyEvents } from '../support/public-api-sse';
import {
  createApiKey,
  greeterDefinition,
  pos,
  publishApp,
  signUpOverHttp,
  sleeperDefinition as sleeper,
} from '../support/published-app';
import type { weftHttpClient } from '../support/weft-http-client';
import { startWeft, type WeftServer } from '../support/weft-server';

/** The shared greeter, its start node also declaring a described input and an optional one. */
const greeter = {
  ...greeterDefinition,
  nodes: [
    {
      id: 'start',
      type: 'start',
      title: 'Start',
      config: {
        inputs: [
          { name: 'name', type: 'string', required: true, description: 'Who to greet' },
          { name: 'times', type: 'number', required: false, default: 1 },
        ],
      },
      position: pos,
    },
    ...greeterDefinition.nodes.slice(1),
  ],
};

describe('published API (/api/v1)', () => {
  let server: WeftServer;
  let client: ReturnType<typeof weftHttpClient>;
  let workspaceId: string;
  const keys: Record<string, string> = {};
  const apps: Record<string, string> = {};
  const v1 = (p: string) => `${server.url}/api/v1${p}`;

  const call = (procedure: string, input: unknown) => client.call(procedure, input);

  async function createApp(name: string, kind: 'chat' | 'workflow', definition?: unknown, publish = true) {
    const { appId } = await publishApp(client, workspaceId, {
      name,
      kind,
      definition,
      description: `${name} app`,
      publish,
    });
    const { keyId, token } = await createApiKey(client, workspaceId, appId, `${name} key`);
    apps[name] = appId;
    keys[name] = token;
    return { appId, keyId, token };
  }

  const post = (p: string, key: string | undefined, body: unknown, headers: Record<string, string> = {}) =>
    fetch(v1(p), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        ...headers,
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const get = (p: string, key: string | undefined) =>
    fetch(v1(p), { headers: key ? { authorization: `Bearer ${key}` } : {} });
  const runBody = (inputs: unknown, response_mode = 'blocking') => ({
    inputs,
    response_mode,
    user: 'user-1',
  });

  beforeAll(async () => {
    server = await startWeft({ WEFT_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'weft-e2e-api-')) });
    ({ client, workspaceId } = await signUpOverHttp(server.url, {
      email: `api.${Date.now()}@example.test`,
      name: 'Integrator',
    }));
    await createApp('Greeter', 'workflow', greeter);
    await createApp('Sleeper', 'workflow', sleeper);
    await createApp('Unpublished', 'workflow', greeter, false);
    await createApp('Chat', 'chat');
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('runs the published workflow in blocking mode', async () => {
    const res = await post('/workflows/run', keys.Greeter, runBody({ name: 'Ada' }));
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const body = (await res.json()) as {
      task_id: string;
      workflow_run_id: string;
      data: Record<string, unknown>;
    };
    expect(body.task_id).toBe(body.workflow_run_id);
    expect(body.data).toMatchObject({
      id: body.workflow_run_id,
      status: 'succeeded',
      outputs: { greeting: 'Hello, Ada!' },
      error: null,
      total_tokens: 0,
      total_steps: 3,
    });
    expect(typeof body.data.workflow_id).toBe('string');
    expect(typeof body.data.elapsed_time).toBe('number');
    expect(body.data.created_at).toEqual(expect.any(Number));
    expect(body.data.finished_at as number).toBeGreaterThanOrEqual(body.data.created_at as number);

    // The same run, read back by id.
    const read = await get(`/workflows/run/${body.workflow_run_id}`, keys.Greeter);
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({
      id: body.workflow_run_id,
      workflow_id: body.data.workflow_id,
      status: 'succeeded',
      inputs: { name: 'Ada', times: 1 },
      outputs: { greeting: 'Hello, Ada!' },
      total_steps: 3,
      finished_at: body.data.finished_at,
    });
  });

  it("works with Dify's own client (dify-client)", async () => {
    const dify = new CompletionClient(keys.Greeter ?? '', `${server.url}/api/v1`);
    const run = await (
      dify as unknown as {
        runWorkflow(inputs: unknown, user: string, stream?: boolean): Promise<{ data: unknown }>;
      }
    ).runWorkflow({ name: 'Grace' }, 'dify-user');
    expect(run.data).toMatchObject({ data: { status: 'succeeded', outputs: { greeting: 'Hello, Grace!' } } });

    const parameters = await dify.getApplicationParameters('dify-user');
    expect(parameters.data).toMatchObject({
      user_input_form: [
        {
          'text-input': {
            label: 'name',
            variable: 'name',
            required: true,
            default: '',
            hint: 'Who to greet',
          },
        },
        { number: { label: 'times', variable: 'times', required: false, default: 1 } },
      ],
      file_upload: { enabled: false },
      system_parameters: {},
    });
  });

  it('streams Dify events in order until workflow_finished', async () => {
    const res = await post('/workflows/run', keys.Greeter, runBody({ name: 'Linus' }, 'streaming'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = await allDifyEvents(res);
    const names = events.map((e) => e.event);
    expect(names[0]).toBe('workflow_started');
    expect(names.at(-1)).toBe('workflow_finished');
    expect(names.filter((n) => n !== 'node_started' && n !== 'node_finished').slice(1, -1)).toEqual([]);
    const runId = events[0]?.workflow_run_id as string;
    for (const event of events) {
      expect(event.task_id).toBe(runId);
      expect(event.workflow_run_id).toBe(runId);
    }
    expect(events[0]?.data).toMatchObject({
      id: runId,
      sequence_number: expect.any(Number),
      created_at: expect.any(Number),
    });

    const nodeEvents = (name: string) => events.filter((e) => e.event === name).map((e) => e.data ?? {});
    expect(nodeEvents('node_started').map((d) => d.node_id)).toEqual(['start', 'greet', 'end']);
    expect(nodeEvents('node_finished').map((d) => d.node_id)).toEqual(['start', 'greet', 'end']);
    for (const id of ['start', 'greet', 'end']) {
      const started = events.findIndex((e) => e.event === 'node_started' && e.data?.node_id === id);
      const finished = events.findIndex((e) => e.event === 'node_finished' && e.data?.node_id === id);
      expect(started).toBeGreaterThan(0);
      expect(finished).toBeGreaterThan(started);
    }
    expect(nodeEvents('node_started')[1]).toMatchObject({ node_type: 'template', title: 'Greet', index: 2 });
    expect(nodeEvents('node_finished')[1]).toMatchObject({
      node_id: 'greet',
      node_type: 'template',
      title: 'Greet',
      status: 'succeeded',
      outputs: { text: 'Hello, Linus!' },
      error: null,
      elapsed_time: expect.any(Number),
      execution_metadata: { total_tokens: 0, total_price: 0 },
    });
    expect(events.at(-1)?.data).toMatchObject({
      id: runId,
      status: 'succeeded',
      outputs: { greeting: 'Hello, Linus!' },
      error: null,
      total_steps: 3,
      total_tokens: 0,
      elapsed_time: expect.any(Number),
      created_at: expect.any(Number),
      finished_at: expect.any(Number),
    });
  });

  it('keeps a run going when the streaming client disconnects', async () => {
    const abort = new AbortController();
    const res = await fetch(v1('/workflows/run'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${keys.Sleeper}` },
      body: JSON.stringify(runBody({ ms: 1500 }, 'streaming')),
      signal: abort.signal,
    });
    const first = (await difyEvents(res).next()).value as DifyEvent;
    expect(first.event).toBe('workflow_started');
    abort.abort();
    const runId = first.workflow_run_id as string;
    let run: Record<string, unknown> = {};
    for (let i = 0; i < 60; i++) {
      run = (await (await get(`/workflows/run/${runId}`, keys.Sleeper)).json()) as Record<string, unknown>;
      if (run.status !== 'running') break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(run).toMatchObject({ status: 'succeeded', outputs: { slept: 1500 } });
  });

  it('sends event: ping every 10 s while a stream is quiet', async () => {
    const res = await post('/workflows/run', keys.Sleeper, runBody({ ms: 10_800 }, 'streaming'));
    const text = await res.text();
    const blocks = text.split('\n\n').filter((b) => b.trim() !== '');
    expect(blocks).toContain('event: ping');
    const data = blocks.filter((b) => b !== 'event: ping');
    // Each event: its `id:` line (for Last-Event-ID), then one `data:` line.
    for (const block of data) expect(block).toMatch(/^id: \d+\ndata: \{.*\}$/);
    expect(JSON.parse((data.at(-1) as string).replace(/^id: \d+\ndata: /, ''))).toMatchObject({
      event: 'workflow_finished',
      data: { status: 'succeeded', outputs: { slept: 10_800 } },
    });
  });

  it('stops a running task', async () => {
    const res = await post('/workflows/run', keys.Sleeper, runBody({ ms: 60_000 }, 'streaming'));
    const stream = difyEvents(res);
    const first = (await stream.next()).value as DifyEvent;
    const taskId = first.task_id as string;

    // Another app's key can neither read nor stop it.
    expect((await get(`/workflows/run/${taskId}`, keys.Greeter)).status).toBe(404);
    const foreignStop = await post(`/workflows/tasks/${taskId}/stop`, keys.Greeter, { user: 'user-1' });
    expect(foreignStop.status).toBe(404);
    expect(await foreignStop.json()).toEqual({
      code: 'not_found',
      message: 'Workflow run not found',
      status: 404,
    });

    const stop = await post(`/workflows/tasks/${taskId}/stop`, keys.Sleeper, { user: 'user-1' });
    expect(stop.status).toBe(200);
    expect(await stop.json()).toEqual({ result: 'success' });
    const rest: DifyEvent[] = [];
    for await (const event of stream) rest.push(event);
    expect(rest.at(-1)).toMatchObject({
      event: 'workflow_finished',
      data: { id: taskId, status: 'stopped' },
    });
    expect(await (await get(`/workflows/run/${taskId}`, keys.Sleeper)).json()).toMatchObject({
      status: 'stopped',
    });
    // Stopping again is harmless.
    expect((await post(`/workflows/tasks/${taskId}/stop`, keys.Sleeper, { user: 'user-1' })).status).toBe(
      200,
    );
  });

  it('refuses missing, invalid and revoked keys alike', async () => {
    const { appId, keyId, token } = await createApp('Revoked', 'workflow', greeter);
    expect((await post('/workflows/run', token, runBody({ name: 'x' }))).status).toBe(200);
    await call('apiKeys.revoke', { workspaceId, appId, keyId });

    const answers = await Promise.all([
      post('/workflows/run', undefined, runBody({ name: 'x' })),
      post('/workflows/run', 'app-not-a-real-key', runBody({ name: 'x' })),
      post('/workflows/run', `${token.slice(0, -4)}AAAA`, runBody({ name: 'x' })),
      post('/workflows/run', undefined, runBody({ name: 'x' }), { authorization: `Basic ${token}` }),
      post('/workflows/run', token, runBody({ name: 'x' })),
      fetch(v1('/info'), { headers: { authorization: `Bearer ${token}` } }),
    ]);
    const bodies = await Promise.all(answers.map((r) => r.json()));
    expect(answers.map((r) => r.status)).toEqual([401, 401, 401, 401, 401, 401]);
    for (const body of bodies) {
      expect(body).toEqual({ code: 'unauthorized', message: bodies[0].message, status: 401 });
    }
  });

  it('checks bodies: size, JSON and fields, naming the field at fault', async () => {
    const big = JSON.stringify(runBody({ name: 'x'.repeat(1_100_000) }));
    const tooLarge = await post('/workflows/run', keys.Greeter, big);
    expect(tooLarge.status).toBe(413);
    expect(await tooLarge.json()).toMatchObject({ code: 'too_large', status: 413 });

    // Without a Content-Length the limit is enforced while reading.
    const bytes = new TextEncoder().encode(big);
    const chunked = await fetch(v1('/workflows/run'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${keys.Greeter}` },
      body: new ReadableStream({
        start(controller) {
          for (let i = 0; i < bytes.length; i += 64 * 1024) controller.enqueue(bytes.slice(i, i + 64 * 1024));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);

    const invalidJson = await post('/workflows/run', keys.Greeter, '{"inputs": {');
    expect(invalidJson.status).toBe(400);
    expect(await invalidJson.json()).toMatchObject({ code: 'invalid_param', status: 400 });

    const wrongMode = await post('/workflows/run', keys.Greeter, runBody({ name: 'x' }, 'fast'));
    expect(wrongMode.status).toBe(400);
    expect(await wrongMode.json()).toEqual({
      code: 'invalid_param',
      message: 'response_mode: must be blocking, streaming or async',
      status: 400,
    });

    const noUser = await post('/workflows/run', keys.Greeter, {
      inputs: { name: 'x' },
      response_mode: 'blocking',
    });
    expect(await noUser.json()).toMatchObject({ status: 400, message: 'user: is required' });

    const badInputs = await post('/workflows/run', keys.Greeter, runBody('text'));
    expect(await badInputs.json()).toMatchObject({ status: 400, message: 'inputs: must be an object' });

    const missingInput = await post('/workflows/run', keys.Greeter, runBody({}));
    expect(missingInput.status).toBe(400);
    expect(await missingInput.json()).toEqual({
      code: 'invalid_param',
      message: 'inputs.name: is required',
      status: 400,
    });
    const wrongType = await post('/workflows/run', keys.Greeter, runBody({ name: 'x', times: 'many' }));
    expect(await wrongType.json()).toMatchObject({
      status: 400,
      message: expect.stringContaining('inputs.times'),
    });
  });

  it('answers only for published workflow apps', async () => {
    const unpublished = await post('/workflows/run', keys.Unpublished, runBody({ name: 'x' }));
    expect(unpublished.status).toBe(400);
    expect(await unpublished.json()).toMatchObject({
      code: 'app_unavailable',
      message: expect.stringContaining('publish the app first'),
    });
    const chat = await post('/workflows/run', keys.Chat, runBody({ query: 'hi' }));
    expect(chat.status).toBe(400);
    expect(await chat.json()).toMatchObject({ code: 'not_workflow_app' });
    expect((await get('/workflows/run/not-a-uuid', keys.Greeter)).status).toBe(404);
    const unknown = await get('/no-such-endpoint', keys.Greeter);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ code: 'not_found', status: 404 });
  });

  it('answers CORS preflights', async () => {
    const res = await fetch(v1('/workflows/run'), {
      method: 'OPTIONS',
      headers: {
        origin: 'https://integrator.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('content-type');
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('describes the app: /info and /parameters', async () => {
    expect(await (await get('/info', keys.Greeter)).json()).toEqual({
      name: 'Greeter',
      description: 'Greeter app',
      tags: [],
      mode: 'workflow',
    });
    expect(await (await get('/info', keys.Chat)).json()).toMatchObject({ mode: 'advanced-chat' });
    const parameters = (await (await get('/parameters', keys.Greeter)).json()) as Record<string, unknown>;
    expect(parameters.user_input_form).toEqual([
      {
        'text-input': { label: 'name', variable: 'name', required: true, default: '', hint: 'Who to greet' },
      },
      { number: { label: 'times', variable: 'times', required: false, default: 1 } },
    ]);
    expect(parameters).toMatchObject({ file_upload: { enabled: false }, system_parameters: {} });
    // A chat app's query is the message, not a form field.
    expect(await (await get('/parameters', keys.Chat)).json()).toMatchObject({
      user_input_form: [],
    });
    expect((await get('/parameters', keys.Unpublished)).status).toBe(400);
  });

  it('serves signed-in pages and /api/v1 after Next has been idle', async () => {
    // Past the web server's idle period (NEXT_IDLE_MS in server/cli/serve.ts) Next's async storages
    // are disabled; a page reading the session cookie must find its request state again.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const studio = await fetch(`${server.url}/studio`, {
      headers: { cookie: client.cookie },
      redirect: 'manual',
    });
    expect(studio.status).toBe(307);
    expect(new URL(studio.headers.get('location') ?? '', server.url).pathname).toBe(`/studio/${workspaceId}`);
    const workspace = await fetch(`${server.url}/studio/${workspaceId}`, {
      headers: { cookie: client.cookie },
    });
    expect(workspace.status).toBe(200);
    expect(await workspace.text()).toContain('Integrator');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const res = await post('/workflows/run', keys.Greeter, runBody({ name: 'Idle' }));
    expect(res.status).toBe(200);
    expect(((await res.json()) as { data: { status: string } }).data.status).toBe('succeeded');
  });
});
