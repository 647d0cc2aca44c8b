import { createHmac } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import {
  callbackSecret,
  checkCallbackUrl,
  DELIVERY_HEADER,
  deliverCallback,
  SIGNATURE_HEADER,
  signatureHeader,
  verifySignature,
} from './callbacks';
import { ApiError } from './errors';

const APP_SECRET = 'an-app-secret-of-at-least-32-characters!';

describe('callback signing', () => {
  it('derives a stable secret per API key from APP_SECRET', () => {
    const a = callbackSecret(APP_SECRET, 'key-a');
    expect(a).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(callbackSecret(APP_SECRET, 'key-a')).toBe(a);
    expect(callbackSecret(APP_SECRET, 'key-b')).not.toBe(a);
    expect(callbackSecret(`${APP_SECRET}x`, 'key-a')).not.toBe(a);
  });

  it('signs "<t>.<body>" with HMAC-SHA256 and verifies within the tolerance', () => {
    const secret = callbackSecret(APP_SECRET, 'key-a');
    const body = '{"data":{"outputs":{"x":1}}}';
    const header = signatureHeader(secret, body, 1_700_000_000);
    const v1 = createHmac('sha256', secret).update(`1700000000.${body}`).digest('hex');
    expect(header).toBe(`t=1700000000,v1=${v1}`);
    expect(verifySignature(secret, header, body, 1_700_000_100)).toBe(true);
    expect(verifySignature(secret, header, `${body} `, 1_700_000_100)).toBe(false);
    expect(verifySignature(callbackSecret(APP_SECRET, 'key-b'), header, body, 1_700_000_100)).toBe(false);
    // Replayed too late.
    expect(verifySignature(secret, header, body, 1_700_001_000)).toBe(false);
    expect(verifySignature(secret, header.replace('t=1700000000', 't=1700000050'), body, 1_700_000_100)).toBe(
      false,
    );
    expect(verifySignature(secret, null, body)).toBe(false);
    expect(verifySignature(secret, 'garbage', body)).toBe(false);
  });
});

describe('callback URLs', () => {
  const publicDns = async () => [{ address: '93.184.216.34', family: 4 }];
  const privateDns = async () => [{ address: '10.1.2.3', family: 4 }];

  async function refusal(promise: Promise<unknown>) {
    try {
      await promise;
    } catch (error) {
      expect(error).toBeInstanceOf(ApiError);
      return { status: (error as ApiError).status, message: (error as ApiError).message };
    }
    throw new Error('expected a refusal');
  }

  it('accepts public http(s) URLs', async () => {
    expect((await checkCallbackUrl('https://hooks.example/weft?x=1', publicDns)).host).toBe('hooks.example');
  });

  it('refuses private, loopback and metadata addresses, other schemes and credentials, naming callback_url', async () => {
    const saved = process.env.WEFT_HTTP_ALLOWLIST;
    delete process.env.WEFT_HTTP_ALLOWLIST;
    try {
      for (const url of [
        'http://10.0.0.1/cb',
        'http://127.0.0.1:9/cb',
        'http://169.254.169.254/',
        'http://[::1]/',
      ]) {
        expect(await refusal(checkCallbackUrl(url, publicDns))).toMatchObject({
          status: 400,
          message: expect.stringMatching(/^callback_url: refusing to connect to/),
        });
      }
      expect(await refusal(checkCallbackUrl('https://internal.example/cb', privateDns))).toMatchObject({
        message: expect.stringContaining('resolved from internal.example'),
      });
      expect(await refusal(checkCallbackUrl('ftp://hooks.example/', publicDns))).toMatchObject({
        message: expect.stringMatching(/^callback_url: refusing ftp:/),
      });
      expect(await refusal(checkCallbackUrl('https://u:p@hooks.example/', publicDns))).toMatchObject({
        message: 'callback_url: must not contain credentials',
      });
      process.env.WEFT_HTTP_ALLOWLIST = '127.0.0.1';
      expect((await checkCallbackUrl('http://127.0.0.1:9/cb', publicDns)).port).toBe('9');
    } finally {
      if (saved === undefined) delete process.env.WEFT_HTTP_ALLOWLIST;
      else process.env.WEFT_HTTP_ALLOWLIST = saved;
    }
  });
});

describe('callback delivery', () => {
  const url = new URL('https://hooks.example/cb');
  const secret = callbackSecret(APP_SECRET, 'key-a');

  it('POSTs the signed JSON once on a 2xx', async () => {
    const calls: { url: string; init: RequestInit }[] = [];
    const ok = await deliverCallback(url, { data: { outputs: { a: 1 } } }, secret, {
      fetchImpl: async (u, init) => {
        calls.push({ url: u, init });
        return new Response(null, { status: 204 });
      },
      now: () => 1_700_000_000_000,
    });
    expect(ok).toBe(true);
    expect(calls).toHaveLength(1);
    const init = calls[0]?.init as RequestInit & { headers: Record<string, string> };
    expect(calls[0]?.url).toBe('https://hooks.example/cb');
    expect(init.method).toBe('POST');
    expect(init.redirect).toBe('manual');
    expect(init.body).toBe('{"data":{"outputs":{"a":1}}}');
    expect(
      verifySignature(secret, init.headers[SIGNATURE_HEADER] ?? null, String(init.body), 1_700_000_000),
    ).toBe(true);
  });

  it('retries non-2xx answers and network errors with backoff, same delivery id, then succeeds', async () => {
    const answers: (number | Error)[] = [500, new TypeError('fetch failed'), 302, 200];
    const deliveries: string[] = [];
    const slept: number[] = [];
    const ok = await deliverCallback(url, { a: 1 }, secret, {
      retryDelaysMs: [10, 20, 40],
      sleep: async (ms) => {
        slept.push(ms);
      },
      fetchImpl: async (_u, init) => {
        deliveries.push((init.headers as Record<string, string>)[DELIVERY_HEADER] ?? '');
        const next = answers.shift();
        if (next instanceof Error) throw next;
        return new Response(null, { status: next });
      },
    });
    expect(ok).toBe(true);
    expect(slept).toEqual([10, 20, 40]);
    expect(new Set(deliveries).size).toBe(1);
    expect(deliveries).toHaveLength(4);
  });

  it('gives up after the last attempt and logs it', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    let calls = 0;
    const ok = await deliverCallback(new URL('https://hooks.example/cb?token=secret'), { a: 1 }, secret, {
      retryDelaysMs: [1, 1],
      sleep: async () => {},
      fetchImpl: async () => {
        calls += 1;
        return new Response('nope', { status: 503 });
      },
    });
    expect(ok).toBe(false);
    expect(calls).toBe(3);
    expect(error).toHaveBeenCalledTimes(1);
    const logged = String(error.mock.calls[0]?.[0]);
    expect(logged).toContain('https://hooks.example/cb');
    expect(logged).toContain('HTTP 503');
    expect(logged).not.toContain('token=secret');
    error.mockRestore();
  });
});
