import { describe, expect, it } from 'vitest';
import { ApiError } from './errors';
import { clientAddress, enforceRateLimit, enforceWebRateLimit, TokenBucketLimiter } from './rate-limit';

function limiter(perMinute: number, burst: number) {
  let now = 1_000_000;
  const bucket = new TokenBucketLimiter(
    () => ({ perMinute, burst }),
    () => now,
  );
  return {
    bucket,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('token bucket per API key', () => {
  it('allows a burst, then refuses until tokens refill at the sustained rate', () => {
    const { bucket, advance } = limiter(6, 3); // one token every 10 s
    expect([1, 2, 3].map(() => bucket.take('k').ok)).toEqual([true, true, true]);
    expect(bucket.take('k')).toEqual({ ok: false, retryAfterSeconds: 10 });
    advance(4_000);
    expect(bucket.take('k')).toEqual({ ok: false, retryAfterSeconds: 6 });
    advance(5_500);
    // 9.5 s of refill: still under one token, and Retry-After rounds up.
    expect(bucket.take('k')).toEqual({ ok: false, retryAfterSeconds: 1 });
    advance(500);
    expect(bucket.take('k')).toEqual({ ok: true, remaining: 0 });
    expect(bucket.take('k').ok).toBe(false);
  });

  it('never holds more than the burst, however long the key was idle', () => {
    const { bucket, advance } = limiter(600, 5);
    bucket.take('k');
    advance(3_600_000);
    const results = Array.from({ length: 7 }, () => bucket.take('k').ok);
    expect(results).toEqual([true, true, true, true, true, false, false]);
  });

  it('keeps a bucket per key', () => {
    const { bucket } = limiter(60, 1);
    expect(bucket.take('a').ok).toBe(true);
    expect(bucket.take('a').ok).toBe(false);
    expect(bucket.take('b').ok).toBe(true);
  });

  it('ignores a clock going backwards', () => {
    const { bucket, advance } = limiter(60, 1);
    expect(bucket.take('k').ok).toBe(true);
    advance(-60_000);
    expect(bucket.take('k')).toEqual({ ok: false, retryAfterSeconds: 1 });
    advance(60_000);
    expect(bucket.take('k')).toEqual({ ok: false, retryAfterSeconds: 1 });
    advance(1_000);
    expect(bucket.take('k').ok).toBe(true);
  });

  it('throws a 429 with Retry-After in whole seconds', () => {
    const { bucket } = limiter(1, 1);
    enforceRateLimit('k', bucket);
    try {
      enforceRateLimit('k', bucket);
      throw new Error('expected a 429');
    } catch (error) {
      expect(error).toBeInstanceOf(ApiError);
      const e = error as ApiError;
      expect(e.status).toBe(429);
      expect(e.code).toBe('too_many_requests');
      expect(e.headers).toEqual({ 'retry-after': '60' });
    }
  });
});

describe('web chat limit per client address', () => {
  const from = (forwardedFor: string | null) =>
    new Request('http://127.0.0.1/api/web/t/chat-messages', {
      headers: forwardedFor === null ? {} : { 'x-forwarded-for': forwardedFor },
    });

  it('counts each address of each chat on its own, and answers 429 with Retry-After', () => {
    const { bucket } = limiter(60, 2);
    enforceWebRateLimit('chat-a', from('10.0.0.1'), bucket);
    enforceWebRateLimit('chat-a', from('10.0.0.1'), bucket);
    let refused: unknown;
    try {
      enforceWebRateLimit('chat-a', from('10.0.0.1'), bucket);
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused).toMatchObject({ status: 429, headers: { 'retry-after': '1' } });
    expect(() => enforceWebRateLimit('chat-a', from('10.0.0.2'), bucket)).not.toThrow();
    expect(() => enforceWebRateLimit('chat-b', from('10.0.0.1'), bucket)).not.toThrow();
  });

  it('takes the address the nearest proxy wrote (the last X-Forwarded-For entry)', () => {
    expect(clientAddress(from('1.2.3.4, 10.0.0.9'))).toBe('10.0.0.9');
    expect(clientAddress(from('::1'))).toBe('::1');
    expect(clientAddress(from(null))).toBe('unknown');
  });
});
