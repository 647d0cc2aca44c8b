// Result callbacks of async runs (POST /workflows/run with response_mode "async" and a
// callback_url): when the run finishes, the server POSTs the final run once to the URL, signed so
// the receiver can tell it came from this Weft server and was not altered or replayed.
//
// Signing scheme. Header `X-Weft-Signature: t=<unix seconds>,v1=<hex>` where
//   v1 = hex(HMAC-SHA256(key = the callback secret as UTF-8 text, message = "<t>.<raw body>")).
// The callback secret belongs to the API key that started the run:
//   secret = "whsec_" + base64url(HKDF-SHA256(ikm = APP_SECRET, salt = "weft",
//                                              info = "weft:api-callbacks:<api key id>", 32 bytes))
// Why this: the server must be able to recompute the secret at delivery time without storing
// another secret, and without using anything the database alone reveals (a key's token hash is in
// the database, so a secret derived from it would leak with a database dump; APP_SECRET is not in
// the database). Deriving per key (not per app) means revoking a leaked key also retires its
// callback secret; rotating APP_SECRET changes every callback secret. The integrator reads the
// secret with the key itself: GET /api/v1/workflows/callback-secret. Whoever holds the key could
// start runs anyway, so handing it the secret grants nothing new, while a third party who can
// reach the callback URL but has no key cannot forge a delivery.
//
// Receivers verify by recomputing v1 over the raw body with the `t` from the header (comparing in
// constant time) and rejecting a `t` older than a few minutes (replay). Each attempt is signed
// afresh; `X-Weft-Delivery` stays the same across the attempts of one delivery so receivers can
// drop duplicates.
//
// Delivery goes through the same SSRF guard as the HTTP node (workflows/nodes/http-guard.ts:
// http(s) only, public addresses unless WEFT_HTTP_ALLOWLIST lets a host through), checked when the
// request is accepted (a 400 naming callback_url) and again at connect time. Redirects are not
// followed. A non-2xx answer or a network error is retried with backoff a few times, then the
// delivery is given up and logged. Callbacks are stored with the run and delivered by any web
// process once the run ends, so a restart loses none (see callback-outbox.ts).
import { createHmac, hkdfSync, randomUUID, timingSafeEqual } from 'node:crypto';
import { fetch as undiciFetch } from 'undici';
import { StepError } from '@/workflows/interpreter/types';
import { guardedAgent } from '@/workflows/nodes/http';
import { assertAllowedUrl, type LookupAll } from '@/workflows/nodes/http-guard';
import { ApiError } from './errors';

export const SIGNATURE_HEADER = 'x-weft-signature';
export const DELIVERY_HEADER = 'x-weft-delivery';
export const SECRET_PREFIX = 'whsec_';

/** The callback signing secret of the API key `keyId` (see the scheme above). */
export function callbackSecret(appSecret: string, keyId: string): string {
  const bytes = Buffer.from(hkdfSync('sha256', appSecret, 'weft', `weft:api-callbacks:${keyId}`, 32));
  return `${SECRET_PREFIX}${bytes.toString('base64url')}`;
}

/** The `X-Weft-Signature` value for `body` sent at `t` (Unix seconds). */
export function signatureHeader(secret: string, body: string, t: number): string {
  const v1 = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  return `t=${t},v1=${v1}`;
}

/**
 * Whether `header` is a valid signature of `body` made with `secret` within `toleranceSeconds` of
 * `nowSeconds`: what a receiver does (it lives here for the tests and as the reference).
 */
export function verifySignature(
  secret: string,
  header: string | null,
  body: string,
  nowSeconds = Math.floor(Date.now() / 1000),
  toleranceSeconds = 300,
): boolean {
  if (!header) return false;
  const parts = new Map(
    header.split(',').map((p) => {
      const at = p.indexOf('=');
      return [p.slice(0, at).trim(), p.slice(at + 1).trim()] as const;
    }),
  );
  const t = Number(parts.get('t'));
  const v1 = parts.get('v1') ?? '';
  if (!Number.isInteger(t) || Math.abs(nowSeconds - t) > toleranceSeconds) return false;
  const expected = Buffer.from(createHmac('sha256', secret).update(`${t}.${body}`).digest('hex'));
  const given = Buffer.from(v1);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * Checks a callback URL before the run starts: http(s), and a host the SSRF guard lets through.
 * Problems become a 400 naming callback_url.
 */
export async function checkCallbackUrl(raw: string, resolve?: LookupAll): Promise<URL> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ApiError(400, 'invalid_param', 'callback_url: must be an http(s) URL');
  }
  if (url.username || url.password)
    throw new ApiError(400, 'invalid_param', 'callback_url: must not contain credentials');
  try {
    await assertAllowedUrl(url, resolve);
  } catch (error) {
    if (error instanceof StepError)
      throw new ApiError(400, 'invalid_param', `callback_url: ${error.message}`);
    throw error;
  }
  return url;
}

export interface DeliveryOptions {
  /** Waits before the 2nd, 3rd, … attempt; attempts = delays + 1. */
  retryDelaysMs?: number[];
  /** Per-attempt timeout. */
  timeoutMs?: number;
  fetchImpl?: (url: string, init: RequestInit & { dispatcher?: unknown }) => Promise<Response>;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** X-Weft-Delivery: the same for every attempt of one callback (a fresh id when absent). */
  deliveryId?: string;
}

export const DEFAULT_RETRY_DELAYS_MS = [1_000, 5_000, 25_000];

const defaultFetch: NonNullable<DeliveryOptions['fetchImpl']> = (url, init) =>
  undiciFetch(url, { ...(init as object), dispatcher: guardedAgent() }) as unknown as Promise<Response>;

/** Where a URL points, for logs: no query (it may carry tokens), no credentials. */
const logTarget = (url: URL) => `${url.origin}${url.pathname}`;

function failureText(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof StepError) return cause.message;
  if (error instanceof Error) return error.message;
  return String(error);
}

/**
 * POSTs `payload` (JSON) to `url`, signed with `secret`, retrying non-2xx answers and network
 * errors. Resolves true once delivered, false after giving up (logged); never rejects.
 */
export async function deliverCallback(
  url: URL,
  payload: unknown,
  secret: string,
  options: DeliveryOptions = {},
): Promise<boolean> {
  const delays = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  const fetchImpl = options.fetchImpl ?? defaultFetch;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = options.now ?? Date.now;
  const body = JSON.stringify(payload);
  const delivery = options.deliveryId ?? randomUUID();
  let last = '';
  for (let attempt = 0; attempt <= delays.length; attempt++) {
    if (attempt > 0) await sleep(delays[attempt - 1] ?? 0);
    try {
      const res = await fetchImpl(url.toString(), {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Weft-Callback/1',
          [SIGNATURE_HEADER]: signatureHeader(secret, body, Math.floor(now() / 1000)),
          [DELIVERY_HEADER]: delivery,
          'x-weft-event': 'workflow_finished',
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
      await res.body?.cancel().catch(() => {});
      if (res.status >= 200 && res.status < 300) return true;
      last = `HTTP ${res.status}`;
    } catch (error) {
      last = failureText(error);
      // The guard refused the address (e.g. DNS now points somewhere private): retrying is futile.
      const cause = (error as { cause?: unknown }).cause ?? error;
      if (cause instanceof StepError && cause.code === 'http_forbidden_address') break;
    }
  }
  console.error(`callback to ${logTarget(url)} (delivery ${delivery}) given up: ${last}`);
  return false;
}
