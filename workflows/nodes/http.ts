// The HTTP request node: calls an external API with global fetch. Every hop goes through the SSRF
// guard (redirects are followed by hand so each target is checked), responses are capped at 5 MB,
// and failures are classified so the engine retries only what may succeed next time.

import { Agent, fetch as guardedFetch } from 'undici';
import { z } from 'zod';
import { asText, toJson } from '@/workflows/dsl/references';
import { type Json, StepError } from '@/workflows/interpreter/types';
import { assertAllowedUrl, createGuardedLookup, type LookupAll } from '@/workflows/nodes/http-guard';
import { defineNode, type NodeRunContext } from '@/workflows/nodes/node-spec';

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'] as const;
export const MAX_RESPONSE_BYTES = 5 * 1024 * 1024;
export const MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
// Credentials meant for one origin must not be handed to another one a redirect points at.
const ORIGIN_BOUND_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];

// Header and query values may be references that resolve to numbers or booleans: send their text.
const textValue = z.preprocess(asText, z.string());

export const httpConfigSchema = z
  .object({
    method: z.enum(HTTP_METHODS).default('GET').describe('HTTP method'),
    url: z
      .preprocess(asText, z.string().min(1, 'is required').max(8192))
      .describe('http(s) URL; may contain {{references}}'),
    headers: z.record(z.string(), textValue).default({}).describe('Request headers: name → value'),
    query: z.record(z.string(), textValue).default({}).describe('Query parameters added to the URL'),
    body: z
      .object({
        type: z.enum(['none', 'json', 'text', 'form']).default('none').describe('How to encode the body'),
        content: z.unknown().optional().describe('The body: any value for json, a text, or fields for form'),
      })
      .default({ type: 'none' })
      .describe('Request body (not for GET or HEAD)'),
    auth: z
      .discriminatedUnion('type', [
        z.object({ type: z.literal('none') }),
        z.object({
          type: z.literal('bearer'),
          token: textValue.describe('The token, usually {{secrets.NAME}}'),
        }),
        z.object({
          type: z.literal('basic'),
          username: textValue.describe('User name'),
          password: textValue.describe('Password, usually {{secrets.NAME}}'),
        }),
        z.object({
          type: z.literal('header'),
          name: z.string().min(1, 'is required').max(200).describe('Header name, e.g. X-Api-Key'),
          value: textValue.describe('Header value, usually {{secrets.NAME}}'),
        }),
      ])
      .default({ type: 'none' })
      .describe('Authentication; keep credentials in workspace secrets'),
    responseType: z
      .enum(['auto', 'json', 'text'])
      .default('auto')
      .describe('auto: JSON when the server says so, else text; json: fail unless the body is JSON'),
    maxResponseBytes: z
      .number()
      .int()
      .min(1)
      .max(50 * 1024 * 1024)
      .default(MAX_RESPONSE_BYTES)
      .describe('Fail when the response body is larger than this'),
    timeoutMs: z
      .number()
      .int()
      .min(1)
      .max(600_000)
      .default(30_000)
      .describe('Give up (and retry, if retries are set) after this many milliseconds'),
    sendIdempotencyKey: z
      .boolean()
      .default(true)
      .describe('Send an Idempotency-Key header that stays the same across retries of this step'),
    failOnStatus: z.boolean().default(true).describe('Fail the step when the status is not 2xx'),
  })
  .superRefine((config, ctx) => {
    if ((config.method === 'GET' || config.method === 'HEAD') && config.body.type !== 'none') {
      ctx.addIssue({
        code: 'custom',
        path: ['body', 'type'],
        message: `${config.method} requests have no body`,
      });
    }
  });

export type HttpConfig = z.infer<typeof httpConfigSchema>;

function configError(message: string): StepError {
  return new StepError({ message, code: 'invalid_config', retryable: false });
}

/** Values arrive resolved, so a header set to `{{x.count}}` may be a number: send its text. */
function text(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(toJson(value));
}

function encodeBody(body: HttpConfig['body'], headers: Headers): string | undefined {
  const setType = (type: string) => {
    if (!headers.has('content-type')) headers.set('content-type', type);
  };
  switch (body.type) {
    case 'none':
      return undefined;
    case 'json':
      setType('application/json');
      return JSON.stringify(toJson(body.content ?? null));
    case 'text':
      setType('text/plain; charset=utf-8');
      return text(body.content);
    case 'form': {
      const fields = body.content ?? {};
      if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
        throw configError('a form body needs an object of fields');
      }
      const params = new URLSearchParams();
      for (const [name, value] of Object.entries(fields)) params.append(name, text(value));
      setType('application/x-www-form-urlencoded');
      return params.toString();
    }
  }
}

async function readLimited(response: Response, host: string, limit: number): Promise<Uint8Array> {
  const tooLarge = () =>
    new StepError({
      message: `response from ${host} is larger than ${limit} bytes`,
      code: 'http_response_too_large',
      retryable: false,
    });
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) {
    await response.body?.cancel();
    throw tooLarge();
  }
  if (!response.body) return new Uint8Array();
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

function decode(bytes: Uint8Array, contentType: string): string {
  const charset = /charset="?([^";\s]+)/i.exec(contentType)?.[1];
  try {
    return new TextDecoder(charset ?? 'utf-8').decode(bytes);
  } catch {
    // Unknown charset label: UTF-8 is the best guess.
    return new TextDecoder('utf-8').decode(bytes);
  }
}

function parseBody(
  bytes: Uint8Array,
  contentType: string,
  responseType: HttpConfig['responseType'],
  host: string,
): Json {
  const body = decode(bytes, contentType);
  if (responseType === 'text') return body;
  if (responseType === 'json') {
    try {
      return toJson(JSON.parse(body));
    } catch {
      throw new StepError({
        message: `response from ${host} is not JSON`,
        code: 'http_bad_json',
        retryable: false,
      });
    }
  }
  const mediaType = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (mediaType.endsWith('/json') || mediaType.endsWith('+json')) {
    if (body.trim() === '') return null;
    try {
      return toJson(JSON.parse(body));
    } catch {
      // A server that mislabels its body should not fail the step: hand over the text.
      return body;
    }
  }
  return body;
}

function applyAuth(auth: HttpConfig['auth'], headers: Headers) {
  try {
    if (auth.type === 'bearer') headers.set('authorization', `Bearer ${auth.token}`);
    else if (auth.type === 'basic')
      headers.set(
        'authorization',
        `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`,
      );
    else if (auth.type === 'header') headers.set(auth.name, auth.value);
  } catch (err) {
    throw configError(`invalid auth header: ${err instanceof Error ? err.message : String(err)}`);
  }
}

let sharedAgent: Agent | undefined;

/** Connections whose DNS answers are checked at connect time (see http-guard.ts). */
export function guardedAgent(resolve?: LookupAll): Agent {
  if (resolve) return new Agent({ connect: { lookup: createGuardedLookup(resolve) } });
  sharedAgent ??= new Agent({ connect: { lookup: createGuardedLookup() } });
  return sharedAgent;
}

/** Turns a fetch rejection into a StepError, passing the engine's own abort reason through. */
function failure(err: unknown, ctx: NodeRunContext, url: URL, timeoutMs: number): unknown {
  if (err instanceof StepError) return err;
  // A refusal from the connect-time check arrives wrapped by fetch.
  const wrapped = (err as { cause?: unknown }).cause;
  if (wrapped instanceof StepError) return wrapped;
  if (ctx.signal.aborted) return ctx.signal.reason ?? err;
  const name = (err as { name?: unknown }).name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new StepError({
      message: `request to ${url.host} timed out after ${timeoutMs} ms`,
      code: 'timeout',
      retryable: true,
    });
  }
  const cause = (err as { cause?: { code?: unknown; message?: unknown } }).cause;
  const detail =
    typeof cause?.code === 'string' ? cause.code : err instanceof Error ? err.message : String(err);
  return new StepError({
    message: `request to ${url.host} failed: ${detail}`,
    code: 'http_network',
    retryable: true,
  });
}

export async function runHttp(config: HttpConfig, ctx: NodeRunContext, resolve?: LookupAll): Promise<Json> {
  const dispatcher = guardedAgent(resolve);
  let url: URL;
  try {
    url = new URL(config.url);
  } catch {
    throw configError(`invalid URL "${config.url}"`);
  }
  for (const [name, value] of Object.entries(config.query)) url.searchParams.append(name, text(value));
  const headers = new Headers();
  try {
    for (const [name, value] of Object.entries(config.headers)) headers.set(name, text(value));
  } catch (err) {
    throw configError(`invalid header: ${err instanceof Error ? err.message : String(err)}`);
  }
  let body = encodeBody(config.body, headers);
  applyAuth(config.auth, headers);
  if (config.sendIdempotencyKey) headers.set('idempotency-key', ctx.idempotencyKey);
  let method: string = config.method;
  const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(config.timeoutMs)]);

  for (let hop = 0; ; hop++) {
    let response: Response;
    let bytes: Uint8Array;
    try {
      await assertAllowedUrl(url, resolve);
      response = (await guardedFetch(url, {
        method,
        headers: Object.fromEntries(headers.entries()),
        body,
        redirect: 'manual',
        signal,
        dispatcher,
      })) as unknown as Response;
      const location = response.headers.get('location');
      if (REDIRECT_STATUSES.has(response.status) && location) {
        await response.body?.cancel();
        if (hop >= MAX_REDIRECTS) {
          throw new StepError({
            message: `more than ${MAX_REDIRECTS} redirects from ${url.host}`,
            code: 'http_too_many_redirects',
            retryable: false,
          });
        }
        const next = new URL(location, url);
        // As browsers do: 303 always, and 301/302 after a POST, continue as a GET without body.
        if (
          response.status === 303 ||
          (response.status !== 307 && response.status !== 308 && method === 'POST')
        ) {
          if (method !== 'HEAD') method = 'GET';
          body = undefined;
          headers.delete('content-type');
        }
        if (next.origin !== url.origin) for (const name of ORIGIN_BOUND_HEADERS) headers.delete(name);
        url = next;
        continue;
      }
      if (!response.ok && config.failOnStatus) {
        await response.body?.cancel();
        throw new StepError({
          message: `HTTP ${response.status} from ${url.host}`,
          code: 'http_status',
          retryable: response.status >= 500 || response.status === 429,
        });
      }
      bytes =
        method === 'HEAD' ? new Uint8Array() : await readLimited(response, url.host, config.maxResponseBytes);
    } catch (err) {
      throw failure(err, ctx, url, config.timeoutMs);
    }
    // The query string is left out: it often carries API keys.
    ctx.log(`${method} ${url.origin}${url.pathname} → ${response.status}`);
    const responseHeaders: { [name: string]: Json } = {};
    for (const name of new Set(response.headers.keys())) responseHeaders[name] = response.headers.get(name);
    const contentType = response.headers.get('content-type') ?? '';
    return {
      status: response.status,
      headers: responseHeaders,
      body: method === 'HEAD' ? null : parseBody(bytes, contentType, config.responseType, url.host),
    };
  }
}

export const httpNode = defineNode({
  type: 'http',
  title: 'HTTP request',
  description: 'Calls an external HTTP API and outputs its status, headers and body.',
  category: 'integration',
  icon: '🌐',
  configSchema: httpConfigSchema,
  inputHandles: () => [null],
  outputHandles: () => [null],
  outputTypes: () => ({ status: 'number', headers: 'object', body: 'any' }),
  execution: 'activity',
  run: runHttp,
});
