// Weft's additions to the Dify-compatible API (/api/v1) against a real `npm start` server: async runs
// (202 at once, polling, a signed callback to a local receiver), the SSRF guard on callback URLs,
// re-attaching to a run's stream with Last-Event-ID, and per-key rate limits (a second server
// started with a tiny limit).
import { createHmac, hkdfSync } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createApiKey,
  edge,
  greeterDefinition as greeter,
  pos,
  publishApp,
  signUpOverHttp,
  sleeperDefinition as sleeper,
} from '../support/published-app';
import { startWeft, type WeftServer } from '../support/weft-server';

/** An SSE event with its `id:` line (null for events without one). */
interface SseEvent {
  id: string | null;
  payload: Record<string, unknown> & { event: string };
}

/** Data events of a stream as they arrive (pings dropped), with their ids. */
async function* sseEvents(res: Response): AsyncGenerator<SseEvent> {
  if (!res.body) return;
  const decoder = new TextDecoder();
  let buffer = '';
  const parse = (block: string): SseEvent | null => {
    let id: string | null = null;
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith('id:')) id = line.slice(3).trim();
      if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
    }
    return data.length ? { id, payload: JSON.parse(data.join('\n')) } : null;
  };
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end = buffer.indexOf('\n\n');
    while (end >= 0) {
      const event = parse(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
      if (event) yield event;
      end = buffer.indexOf('\n\n');
    }
  }
  const last = parse(buffer.trim());
  if (last) yield last;
}

async function allEvents(res: Response): Promise<SseEvent[]> {
  const out: SseEvent[] = [];
  for await (const event of sseEvents(res)) out.push(event);
  return out;
}

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  url: string;
}

/** A local callback receiver on 127.0.0.1 recording every request. */
async function startReceiver(): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => {
      body += String(d);
    });
    req.on('end', () => {
      received.push({ headers: req.headers, body, url: req.url ?? '' });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}`, received };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function setUpWorkspace(url: string) {
  const { client, workspaceId } = await signUpOverHttp(url, {
    email: `async.${Date.now()}.${Math.random().toString(36).slice(2)}@example.test`,
    name: 'Integrator',
  });
  async function createApp(name: string, definition: unknown) {
    const { appId } = await publishApp(client, workspaceId, {
      name,
      kind: 'workflow',
      definition,
      description: `${name} app`,
    });
    return { appId, ...(await createApiKey(client, workspaceId, appId, `${name} key`)) };
  }
  return { createApp };
}

function api(server: WeftServer) {
  const v1 = (p: string) => `${server.url}/api/v1${p}`;
  return {
    post: (p: string, key: string, body: unknown) =>
      fetch(v1(p), {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify(body),
      }),
    get: (p: string, key: string, headers: Record<string, string> = {}, signal?: AbortSignal) =>
      fetch(v1(p), { headers: { authorization: `Bearer ${key}`, ...headers }, signal }),
  };
}

describe('published API: async runs, callbacks, re-attach', () => {
  let server: WeftServer;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let sleeperApp: { keyId: string; token: string };
  let greeterApp: { keyId: string; token: string };
  let call: ReturnType<typeof api>;

  beforeAll(async () => {
    receiver = await startReceiver();
    server = await startWeft({
      WEFT_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'weft-e2e-api-async-')),
      WEFT_HTTP_ALLOWLIST: '127.0.0.1',
    });
    call = api(server);
    const { createApp } = await setUpWorkspace(server.url);
    sleeperApp = await createApp('Sleeper', sleeper);
    greeterApp = await createApp('Greeter', greeter);
  });
  afterAll(async () => {
    await server?.stop();
    await new Promise((resolve) => receiver?.server.close(resolve));
  });

  it('answers 202 at once, is polled to completion and POSTs one signed callback', async () => {
    const began = Date.now();
    const res = await call.post('/workflows/run', sleeperApp.token, {
      inputs: { ms: 4000 },
      response_mode: 'async',
      user: 'user-1',
      callback_url: `${receiver.url}/hooks/weft?source=e2e`,
    });
    const answeredAfter = Date.now() - began;
    expect(res.status).toBe(202);
    expect(answeredAfter).toBeLessThan(2000);
    const accepted = (await res.json()) as {
      task_id: string;
      workflow_run_id: string;
      data: Record<string, unknown>;
    };
    const runId = accepted.workflow_run_id;
    expect(accepted.task_id).toBe(runId);
    expect(accepted.data).toMatchObject({ id: runId, status: 'running', outputs: null, finished_at: null });
    expect(res.headers.get('location')).toBe(`/api/v1/workflows/run/${runId}`);

    const statuses: string[] = [];
    let run: Record<string, unknown> = {};
    for (let i = 0; i < 80; i++) {
      run = (await (await call.get(`/workflows/run/${runId}`, sleeperApp.token)).json()) as Record<
        string,
        unknown
      >;
      statuses.push(String(run.status));
      if (run.status !== 'running') break;
      await sleep(250);
    }
    expect(statuses[0]).toBe('running');
    expect(run).toMatchObject({ id: runId, status: 'succeeded', outputs: { slept: 4000 } });

    for (let i = 0; i < 40 && receiver.received.length === 0; i++) await sleep(250);
    // Give a duplicate time to show up.
    await sleep(1500);
    expect(receiver.received).toHaveLength(1);
    const delivery = receiver.received[0] as Received;
    expect(delivery.url).toBe('/hooks/weft?source=e2e');
    expect(delivery.headers['content-type']).toBe('application/json');

    // The secret as documented: read with the key, and derived from APP_SECRET and the key id.
    const secretRes = await call.get('/workflows/callback-secret', sleeperApp.token);
    expect(secretRes.status).toBe(200);
    const { secret } = (await secretRes.json()) as { secret: string };
    const appSecret = process.env.APP_SECRET as string;
    const derived = `whsec_${Buffer.from(
      hkdfSync('sha256', appSecret, 'weft', `weft:api-callbacks:${sleeperApp.keyId}`, 32),
    ).toString('base64url')}`;
    expect(secret).toBe(derived);

    const signature = String(delivery.headers['x-weft-signature']);
    const match = signature.match(/^t=(\d+),v1=([0-9a-f]{64})$/);
    expect(match).not.toBeNull();
    const [, t, v1] = match as RegExpMatchArray;
    expect(Math.abs(Date.now() / 1000 - Number(t))).toBeLessThan(60);
    expect(v1).toBe(createHmac('sha256', secret).update(`${t}.${delivery.body}`).digest('hex'));
    expect(v1).not.toBe(createHmac('sha256', secret).update(`${t}.${delivery.body} `).digest('hex'));

    const body = JSON.parse(delivery.body) as Record<string, unknown>;
    expect(body).toMatchObject({
      event: 'workflow_finished',
      task_id: runId,
      workflow_run_id: runId,
      data: { id: runId, status: 'succeeded', outputs: { slept: 4000 }, error: null },
    });
    expect(body.data).toEqual(run);
  });

  it('refuses a callback URL the SSRF guard does not allow, naming callback_url', async () => {
    const res = await call.post('/workflows/run', sleeperApp.token, {
      inputs: { ms: 10 },
      response_mode: 'async',
      user: 'user-1',
      callback_url: 'http://10.0.0.1/hook',
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { code: string; message: string; status: number };
    expect(body).toMatchObject({ code: 'invalid_param', status: 400 });
    expect(body.message).toMatch(/^callback_url: /);

    const notHttp = await call.post('/workflows/run', sleeperApp.token, {
      inputs: { ms: 10 },
      response_mode: 'async',
      user: 'user-1',
      callback_url: 'file:///etc/passwd',
    });
    expect(notHttp.status).toBe(400);
    expect(await notHttp.json()).toMatchObject({ message: 'callback_url: must be an http(s) URL' });
  });

  it('runs async without a callback too', async () => {
    const res = await call.post('/workflows/run', greeterApp.token, {
      inputs: { name: 'Ada' },
      response_mode: 'async',
      user: 'user-1',
    });
    expect(res.status).toBe(202);
    const { workflow_run_id: runId } = (await res.json()) as { workflow_run_id: string };
    let run: Record<string, unknown> = {};
    for (let i = 0; i < 40; i++) {
      run = (await (await call.get(`/workflows/run/${runId}`, greeterApp.token)).json()) as Record<
        string,
        unknown
      >;
      if (run.status !== 'running') break;
      await sleep(100);
    }
    expect(run).toMatchObject({ status: 'succeeded', outputs: { greeting: 'Hello, Ada!' } });
  });

  it('numbers stream events and re-attaches after Last-Event-ID with exactly the rest', async () => {
    const res = await call.post('/workflows/run', greeterApp.token, {
      inputs: { name: 'Linus' },
      response_mode: 'streaming',
      user: 'user-1',
    });
    const events = await allEvents(res);
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => String(i + 1)));
    expect(events.at(-1)?.payload.event).toBe('workflow_finished');
    const runId = events[0]?.payload.workflow_run_id as string;

    const second = events[1]?.id as string;
    const resumed = await allEvents(
      await call.get(`/workflows/run/${runId}/events`, greeterApp.token, { 'last-event-id': second }),
    );
    expect(resumed).toEqual(events.slice(2));
    const byQuery = await allEvents(
      await call.get(`/workflows/run/${runId}/events?after=2`, greeterApp.token),
    );
    expect(byQuery).toEqual(events.slice(2));
    const everything = await allEvents(await call.get(`/workflows/run/${runId}/events`, greeterApp.token));
    expect(everything).toEqual(events);
    const nothingLeft = await allEvents(
      await call.get(`/workflows/run/${runId}/events`, greeterApp.token, {
        'last-event-id': String(events.length),
      }),
    );
    expect(nothingLeft).toEqual([]);

    // Another app's key cannot re-attach; a bad id is a 400 naming the header.
    expect((await call.get(`/workflows/run/${runId}/events`, sleeperApp.token)).status).toBe(404);
    const bad = await call.get(`/workflows/run/${runId}/events`, greeterApp.token, { 'last-event-id': 'x' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/^Last-Event-ID: /);
  });

  it('re-attaches to a run still going after a disconnect, without gaps or repeats', async () => {
    const abort = new AbortController();
    const res = await fetch(`${server.url}/api/v1/workflows/run`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${sleeperApp.token}` },
      body: JSON.stringify({ inputs: { ms: 2000 }, response_mode: 'streaming', user: 'user-1' }),
      signal: abort.signal,
    });
    const seen: SseEvent[] = [];
    for await (const event of sseEvents(res)) {
      seen.push(event);
      if (seen.length === 2) break;
    }
    abort.abort();
    const runId = seen[0]?.payload.workflow_run_id as string;
    const lastId = seen.at(-1)?.id as string;
    expect(lastId).toBe('2');
    const run = (await (await call.get(`/workflows/run/${runId}`, sleeperApp.token)).json()) as {
      status: string;
    };
    expect(run.status).toBe('running');

    const rest = await allEvents(
      await call.get(`/workflows/run/${runId}/events`, sleeperApp.token, { 'last-event-id': lastId }),
    );
    expect(rest[0]?.id).toBe('3');
    expect(rest.at(-1)?.payload).toMatchObject({ event: 'workflow_finished', data: { status: 'succeeded' } });
    const replay = await allEvents(await call.get(`/workflows/run/${runId}/events`, sleeperApp.token));
    expect([...seen, ...rest]).toEqual(replay);
  });
});

describe('published API: per-key rate limit', () => {
  let server: WeftServer;

  beforeAll(async () => {
    server = await startWeft({
      WEFT_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'weft-e2e-api-rate-')),
      WEFT_API_BURST: '3',
      WEFT_API_RATE_PER_MINUTE: '6',
      WEFT_WEB_BURST: '2',
      WEFT_WEB_RATE_PER_MINUTE: '6',
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('answers 429 with Retry-After once a key has used its burst, other keys unaffected', async () => {
    const { createApp } = await setUpWorkspace(server.url);
    const first = await createApp('Limited', greeter);
    const second = await createApp('Other', greeter);
    const call = api(server);
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await call.get('/info', first.token));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 429]);
    const limited = answers[3] as Response;
    const retryAfter = limited.headers.get('retry-after');
    expect(retryAfter).toMatch(/^\d+$/);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(retryAfter)).toBeLessThanOrEqual(10);
    expect(limited.headers.get('access-control-allow-origin')).toBe('*');
    expect(await limited.json()).toEqual({
      code: 'too_many_requests',
      message: expect.any(String),
      status: 429,
    });
    // Every authenticated endpoint counts, POSTs too.
    expect(
      (
        await call.post('/workflows/run', first.token, {
          inputs: { name: 'x' },
          response_mode: 'blocking',
          user: 'u',
        })
      ).status,
    ).toBe(429);
    expect((await call.get('/info', second.token)).status).toBe(200);
  });

  it('limits the public web chat per client address', async () => {
    const { client, workspaceId } = await signUpOverHttp(server.url, {
      email: `web.${Date.now()}@example.test`,
      name: 'Owner',
    });
    const echo = {
      schemaVersion: 1,
      nodes: [
        {
          id: 'start',
          type: 'start',
          title: 'Start',
          config: { inputs: [{ name: 'query', type: 'string', required: true }] },
          position: pos,
        },
        { id: 'answer', type: 'answer', title: 'Answer', config: { text: '{{start.query}}' }, position: pos },
      ],
      edges: [edge('start', 'answer')],
    };
    const { appId } = await publishApp(client, workspaceId, { name: 'Echo', kind: 'chat', definition: echo });
    const { token } = (await client.call('webChat.enable', { workspaceId, appId })) as { token: string };
    const info = () => fetch(`${server.url}/api/web/${token}/info`);
    const answers = [await info(), await info(), await info()];
    expect(answers.map((r) => r.status)).toEqual([200, 200, 429]);
    expect(answers[2]?.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await answers[2]?.json()).toMatchObject({ code: 'too_many_requests', status: 429 });
  });
});
