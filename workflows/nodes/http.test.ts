// The HTTP node against a local server, and its SSRF guard: private and loopback addresses are
// refused (also behind redirects) unless allowlisted, and failures are classified for retries.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Json, StepError } from '@/workflows/interpreter/types';
import { httpNode, MAX_RESPONSE_BYTES, runHttp } from '@/workflows/nodes/http';
import {
  assertAllowedUrl,
  forbiddenRange,
  type LookupAll,
  parseAllowlist,
} from '@/workflows/nodes/http-guard';
import type { NodeRunContext } from '@/workflows/nodes/node-spec';

let server: Server;
let base: string;
let hits: string[] = [];

function handle(req: IncomingMessage, res: ServerResponse, body: string) {
  const url = req.url ?? '/';
  hits.push(`${req.method} ${url}`);
  const json = (status: number, value: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'x-test': 'yes' });
    res.end(JSON.stringify(value));
  };
  if (url === '/json') return json(200, { hello: 'world', n: [1, 2] });
  if (url.startsWith('/echo')) return json(200, { method: req.method, url, headers: req.headers, body });
  if (url === '/text') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    return res.end('plain text');
  }
  if (url === '/unavailable') return json(503, { error: 'down' });
  if (url === '/missing') return json(404, { error: 'nope' });
  if (url === '/limited') return json(429, { error: 'slow down' });
  const redirects: Record<string, string> = {
    '/to-json': '/json',
    '/to-metadata': 'http://169.254.169.254/latest/meta-data/',
    '/to-private': 'http://10.0.0.1/',
    '/see-other': '/echo/after',
    '/forever': '/forever',
  };
  const location = redirects[url];
  if (location) {
    res.writeHead(url === '/see-other' ? 303 : 302, { location });
    return res.end();
  }
  if (url === '/big') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    // Streamed without content-length, so the limit must hold while reading.
    const chunk = 'x'.repeat(1024 * 1024);
    for (let i = 0; i < 6; i++) res.write(chunk);
    return res.end();
  }
  if (url === '/slow') {
    setTimeout(() => json(200, { late: true }), 2_000).unref();
    return;
  }
  json(500, { error: `no route ${url}` });
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on('end', () => handle(req, res, body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const saved = process.env.WEFT_HTTP_ALLOWLIST;
beforeEach(() => {
  hits = [];
  process.env.WEFT_HTTP_ALLOWLIST = '127.0.0.1';
});
afterEach(() => {
  if (saved === undefined) delete process.env.WEFT_HTTP_ALLOWLIST;
  else process.env.WEFT_HTTP_ALLOWLIST = saved;
});

const logs: string[] = [];
const ctx: NodeRunContext = {
  runId: 'run1',
  workspaceId: 'ws1',
  stepKey: 'call_api',
  idempotencyKey: 'run1:call_api',
  attempt: 1,
  signal: new AbortController().signal,
  log: (message) => {
    logs.push(message);
  },
  emit: () => {},
  reportUsage: () => {},
  services: {
    modelTarget: async () => {
      throw new Error('no models in this test');
    },
  },
};

async function request(config: Record<string, unknown>): Promise<Record<string, Json>> {
  const run = httpNode.run;
  if (!run) throw new Error('http has no run function');
  return (await run(httpNode.configSchema.parse(config), ctx)) as Record<string, Json>;
}

async function failure(config: Record<string, unknown>): Promise<StepError> {
  try {
    await request(config);
  } catch (error) {
    if (error instanceof StepError) return error;
    throw error;
  }
  throw new Error('the request succeeded');
}

describe('http node', () => {
  it('parses JSON responses and returns status and headers', async () => {
    const out = await request({ url: `${base}/json` });
    expect(out.status).toBe(200);
    expect(out.body).toEqual({ hello: 'world', n: [1, 2] });
    expect(out.headers).toMatchObject({ 'x-test': 'yes', 'content-type': 'application/json; charset=utf-8' });
    expect(logs.at(-1)).toBe(`GET ${base}/json → 200`);
  });

  it('authenticates with bearer, basic and custom-header credentials', async () => {
    const headersFor = async (auth: Record<string, string>) =>
      ((await request({ url: `${base}/echo`, auth })).body as { headers: Record<string, string> }).headers;
    expect((await headersFor({ type: 'bearer', token: 'tok-1' })).authorization).toBe('Bearer tok-1');
    expect((await headersFor({ type: 'basic', username: 'ada', password: 'p:w' })).authorization).toBe(
      `Basic ${Buffer.from('ada:p:w').toString('base64')}`,
    );
    expect((await headersFor({ type: 'header', name: 'X-Api-Key', value: 'k-2' }))['x-api-key']).toBe('k-2');
  });

  it('parses as asked: text stays text, json must be JSON, and the size limit is configurable', async () => {
    expect((await request({ url: `${base}/json`, responseType: 'text' })).body).toBe(
      '{"hello":"world","n":[1,2]}',
    );
    expect((await failure({ url: `${base}/text`, responseType: 'json' })).code).toBe('http_bad_json');
    const tooBig = await failure({ url: `${base}/json`, maxResponseBytes: 5 });
    expect(tooBig.code).toBe('http_response_too_large');
  });

  it('returns other bodies as text', async () => {
    expect((await request({ url: `${base}/text` })).body).toBe('plain text');
  });

  it('sends the idempotency key, headers, query and a JSON body', async () => {
    const out = await request({
      method: 'POST',
      url: `${base}/echo`,
      headers: { 'X-Custom': 'v' },
      query: { q: 'a b', n: '1' },
      body: { type: 'json', content: { x: 1 } },
    });
    const echoed = out.body as { method: string; url: string; headers: Record<string, string>; body: string };
    expect(echoed.method).toBe('POST');
    expect(echoed.url).toBe('/echo?q=a+b&n=1');
    expect(echoed.headers['idempotency-key']).toBe('run1:call_api');
    expect(echoed.headers['x-custom']).toBe('v');
    expect(echoed.headers['content-type']).toBe('application/json');
    expect(JSON.parse(echoed.body)).toEqual({ x: 1 });
  });

  it('omits the idempotency key when asked to and encodes forms', async () => {
    const out = await request({
      method: 'PUT',
      url: `${base}/echo`,
      sendIdempotencyKey: false,
      body: { type: 'form', content: { a: 'x y', n: 2 } },
    });
    const echoed = out.body as { headers: Record<string, string>; body: string };
    expect(echoed.headers['idempotency-key']).toBeUndefined();
    expect(echoed.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(echoed.body).toBe('a=x+y&n=2');
  });

  it('fails retryably on 503 and 429, not on 404, and not at all without failOnStatus', async () => {
    const unavailable = await failure({ url: `${base}/unavailable` });
    expect(unavailable.toData()).toEqual({
      message: `HTTP 503 from ${new URL(base).host}`,
      code: 'http_status',
      retryable: true,
    });
    expect((await failure({ url: `${base}/limited` })).retryable).toBe(true);
    const missing = await failure({ url: `${base}/missing` });
    expect([missing.code, missing.retryable]).toEqual(['http_status', false]);
    const tolerated = await request({ url: `${base}/missing`, failOnStatus: false });
    expect(tolerated).toMatchObject({ status: 404, body: { error: 'nope' } });
  });

  it('follows redirects and switches to GET on 303', async () => {
    expect((await request({ url: `${base}/to-json` })).body).toEqual({ hello: 'world', n: [1, 2] });
    expect(hits).toEqual(['GET /to-json', 'GET /json']);
    const out = await request({
      method: 'POST',
      url: `${base}/see-other`,
      body: { type: 'text', content: 'hi' },
    });
    expect(out.body).toMatchObject({ method: 'GET', url: '/echo/after', body: '' });
    expect(hits.slice(2)).toEqual(['POST /see-other', 'GET /echo/after']);
  });

  it('refuses redirects to forbidden addresses, and endless redirects', async () => {
    const metadata = await failure({ url: `${base}/to-metadata` });
    expect(metadata.code).toBe('http_forbidden_address');
    expect(metadata.message).toContain('169.254.169.254');
    expect(metadata.retryable).toBe(false);
    expect((await failure({ url: `${base}/to-private` })).message).toContain('10.0.0.1');
    expect((await failure({ url: `${base}/forever` })).code).toBe('http_too_many_redirects');
    expect(hits.filter((h) => h === 'GET /forever')).toHaveLength(6);
  });

  it('checks the address it connects to, so DNS rebinding to loopback is refused', async () => {
    delete process.env.WEFT_HTTP_ALLOWLIST;
    const port = new URL(base).port;
    let lookups = 0;
    // The first answer (the pre-check) is public; the one the connection gets is loopback.
    const rebinding: LookupAll = async () => {
      lookups += 1;
      return [{ address: lookups === 1 ? '93.184.216.34' : '127.0.0.1', family: 4 }];
    };
    const config = httpNode.configSchema.parse({ url: `http://rebind.example:${port}/json` });
    const error = await runHttp(config, ctx, rebinding).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StepError);
    expect((error as StepError).code).toBe('http_forbidden_address');
    expect((error as StepError).message).toContain('loopback address 127.0.0.1');
    expect(lookups).toBe(2);
    expect(hits).toEqual([]);
  });

  it('refuses loopback without the allowlist, before connecting', async () => {
    delete process.env.WEFT_HTTP_ALLOWLIST;
    const refused = await failure({ url: `${base}/json` });
    expect(refused.toData()).toEqual({
      message: 'refusing to connect to loopback address 127.0.0.1',
      code: 'http_forbidden_address',
      retryable: false,
    });
    expect(hits).toEqual([]);
  });

  it('refuses private, metadata and non-http URLs', async () => {
    for (const url of ['http://10.0.0.1/', 'http://169.254.169.254/latest/meta-data/', 'http://[::1]:80/']) {
      const refused = await failure({ url });
      expect(refused.code).toBe('http_forbidden_address');
    }
    expect((await failure({ url: 'http://169.254.169.254/' })).message).toContain('cloud metadata');
    expect((await failure({ url: 'file:///etc/passwd' })).message).toContain('only http and https');
  });

  it('caps the response body at 5 MB', async () => {
    const tooBig = await failure({ url: `${base}/big` });
    expect(tooBig.code).toBe('http_response_too_large');
    expect(tooBig.message).toContain(String(MAX_RESPONSE_BYTES));
  });

  it('times out retryably', async () => {
    const slow = await failure({ url: `${base}/slow`, timeoutMs: 100 });
    expect([slow.code, slow.retryable]).toEqual(['timeout', true]);
  });

  it('refuses a body on GET at validation time', () => {
    const parsed = httpNode.configSchema.safeParse({ url: base, body: { type: 'json', content: {} } });
    expect(parsed.success).toBe(false);
  });
});

describe('http guard', () => {
  it('classifies addresses', () => {
    const cases: [string, string | null][] = [
      ['8.8.8.8', null],
      ['127.0.0.1', 'loopback'],
      ['10.1.2.3', 'private'],
      ['172.16.0.1', 'private'],
      ['172.32.0.1', null],
      ['192.168.1.1', 'private'],
      ['100.64.0.1', 'carrier-grade NAT'],
      ['100.128.0.1', null],
      ['0.0.0.0', '"this network"'],
      ['169.254.1.1', 'link-local'],
      ['169.254.169.254', 'cloud metadata'],
      ['::1', 'loopback'],
      ['::', 'unspecified'],
      ['fe80::1%eth0', 'link-local'],
      ['fd00:ec2::254', 'unique-local'],
      ['::ffff:127.0.0.1', 'loopback'],
      ['::ffff:7f00:1', 'loopback'],
      ['64:ff9b::a00:1', 'private'],
      ['2002:c0a8:101::1', 'private'],
      ['2606:4700:4700::1111', null],
    ];
    for (const [address, range] of cases)
      expect([address, forbiddenRange(address)]).toEqual([address, range]);
  });

  it('checks every address a host resolves to, honouring host, IP and CIDR allowlist entries', async () => {
    const resolver = (addresses: string[]) => async () =>
      addresses.map((address) => ({ address, family: 4 }));
    delete process.env.WEFT_HTTP_ALLOWLIST;
    const url = new URL('https://internal.example/');
    await expect(assertAllowedUrl(url, resolver(['93.184.216.34']))).resolves.toEqual(['93.184.216.34']);
    await expect(assertAllowedUrl(url, resolver(['93.184.216.34', '10.0.0.5']))).rejects.toThrow(
      'refusing to connect to private address 10.0.0.5 (resolved from internal.example)',
    );
    process.env.WEFT_HTTP_ALLOWLIST = 'internal.example';
    await expect(assertAllowedUrl(url, resolver(['10.0.0.5']))).resolves.toEqual(['10.0.0.5']);
    process.env.WEFT_HTTP_ALLOWLIST = ' 10.0.0.0/24 , other.example';
    await expect(assertAllowedUrl(url, resolver(['10.0.0.5']))).resolves.toEqual(['10.0.0.5']);
    await expect(assertAllowedUrl(url, resolver(['10.0.1.5']))).rejects.toThrow(StepError);
    const failing = async () => {
      throw Object.assign(new Error('no such host'), { code: 'ENOTFOUND' });
    };
    await expect(assertAllowedUrl(url, failing)).rejects.toMatchObject({
      code: 'http_network',
      retryable: true,
    });
  });

  it('resolves names with the system resolver', async () => {
    delete process.env.WEFT_HTTP_ALLOWLIST;
    await expect(assertAllowedUrl(new URL('http://localhost/'))).rejects.toMatchObject({
      code: 'http_forbidden_address',
    });
  });

  it('parses allowlists and ignores malformed prefixes', () => {
    expect(parseAllowlist('a.example., 10.0.0.0/8, 10.0.0.0/99, ::1, ,')).toEqual([
      { kind: 'host', host: 'a.example' },
      { kind: 'net', family: 4, bytes: [10, 0, 0, 0], bits: 8 },
      { kind: 'net', family: 6, bytes: [...new Array(15).fill(0), 1], bits: 128 },
    ]);
    expect(parseAllowlist(undefined)).toEqual([]);
  });
});
