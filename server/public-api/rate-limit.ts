// Rate limits of the published endpoints: a token bucket per API key for /api/v1, and one per client
// address and chat for the public web chat (/api/web/<token>/…), which has no key to count by. A bucket holds up to `burst` tokens
// and refills continuously at `perMinute` tokens a minute; each authenticated request takes one,
// and a request finding less than one token is refused with 429 and a Retry-After (whole seconds
// until a token is back).
//
// The buckets live in this process's memory. That is exact for one web process (how `npm start`
// runs Weft); with several web processes behind a load balancer each enforces the limit on its own
// share of the traffic, so a key may get up to N times the limit. A shared store (a row per key in
// PostgreSQL, or Redis) would be needed to make it global.
import { config } from '@/server/config';
import { ApiError } from './errors';

export interface RateLimitSettings {
  /** Tokens added per minute (the sustained rate). */
  perMinute: number;
  /** Bucket capacity (the burst allowed after a quiet spell). */
  burst: number;
}

export type RateDecision = { ok: true; remaining: number } | { ok: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  /** When `tokens` was last brought up to date, in ms. */
  at: number;
}

/** Sweep full buckets away once the map holds this many (a full bucket is the same as none). */
const SWEEP_AT = 10_000;

export class TokenBucketLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly settings: () => RateLimitSettings,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one token from `key`'s bucket, or says how long until one is available. */
  take(key: string): RateDecision {
    const { perMinute, burst } = this.settings();
    const perMs = perMinute / 60_000;
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: burst, at: now };
    // A clock going backwards adds nothing, and the time it jumped back is not counted twice.
    bucket.tokens = Math.min(burst, bucket.tokens + Math.max(0, now - bucket.at) * perMs);
    bucket.at = Math.max(bucket.at, now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      this.buckets.set(key, bucket);
      if (this.buckets.size > SWEEP_AT) this.sweep(perMs, burst);
      return { ok: true, remaining: Math.floor(bucket.tokens) };
    }
    this.buckets.set(key, bucket);
    const waitMs = perMs > 0 ? (1 - bucket.tokens) / perMs : Number.POSITIVE_INFINITY;
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
  }

  /** How many keys have a bucket (for tests). */
  get size(): number {
    return this.buckets.size;
  }

  private sweep(perMs: number, burst: number) {
    const now = this.now();
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + (now - bucket.at) * perMs >= burst) this.buckets.delete(key);
    }
  }
}

const limiter = new TokenBucketLimiter(() => {
  const c = config();
  return { perMinute: c.WEFT_API_RATE_PER_MINUTE, burst: c.WEFT_API_BURST };
});

/** Takes a token for the API key `keyId`; over the limit, throws the 429. */
export function enforceRateLimit(keyId: string, bucketLimiter: TokenBucketLimiter = limiter): void {
  const decision = bucketLimiter.take(keyId);
  if (decision.ok) return;
  throw new ApiError(
    429,
    'too_many_requests',
    `Rate limit exceeded for this API key: retry in ${decision.retryAfterSeconds} s`,
    { 'retry-after': String(decision.retryAfterSeconds) },
  );
}

const webLimiter = new TokenBucketLimiter(() => {
  const c = config();
  return { perMinute: c.WEFT_WEB_RATE_PER_MINUTE, burst: c.WEFT_WEB_BURST };
});

/**
 * The address a web chat request came from: the last X-Forwarded-For entry, which is the one the
 * nearest proxy (or Next's own server, from the socket) wrote. Without a proxy in front, a client
 * can put any value there, so this limit slows down browsers and careless scripts, not a
 * determined attacker; put a proxy that sets the header in front for that.
 */
export function clientAddress(req: Request): string {
  const forwarded = req.headers.get('x-forwarded-for');
  const last = forwarded?.split(',').at(-1)?.trim();
  return last || req.headers.get('x-real-ip')?.trim() || 'unknown';
}

/** Takes a token for this client address on web chat `chatKey`; over the limit, throws the 429. */
export function enforceWebRateLimit(
  chatKey: string,
  req: Request,
  bucketLimiter: TokenBucketLimiter = webLimiter,
): void {
  const decision = bucketLimiter.take(`${chatKey}|${clientAddress(req)}`);
  if (decision.ok) return;
  throw new ApiError(
    429,
    'too_many_requests',
    `Too many messages from this address: retry in ${decision.retryAfterSeconds} s`,
    { 'retry-after': String(decision.retryAfterSeconds) },
  );
}
