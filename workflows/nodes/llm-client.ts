// Shared model-calling code for the AI nodes: one chat completion against a workspace's
// OpenAI-compatible endpoint, streamed as run events when asked, with usage and cost reported on
// the step and provider failures classified so the engine retries only what may succeed later.

import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import type { ChatCompletionCreateParamsBase } from 'openai/resources/chat/completions';
import { StepError, type StepErrorData } from '@/workflows/interpreter/types';
import type { ModelTarget, NodeRunContext, TokenUsage } from '@/workflows/nodes/node-spec';
import { streamChatCompletion } from './chat-completion-stream';
import { modelFetch } from './model-fetch';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export type ResponseFormat =
  | { type: 'json_object' }
  | { type: 'json_schema'; name: string; schema: Record<string, unknown> };

export interface ModelRequest {
  model: string;
  messages: ChatMessage[];
  temperature?: number;
  maxTokens?: number;
  stop?: string[];
  responseFormat?: ResponseFormat;
  stream: boolean;
}

export interface ModelResult {
  text: string;
  usage: TokenUsage;
}

export interface CallOptions {
  /**
   * Per HTTP request, until the response starts (the SDK's timeout does not cover a stream's
   * body); the engine's step timeout bounds the whole call through ctx.signal.
   */
  timeoutMs?: number;
}

export const DEFAULT_MODEL_TIMEOUT_MS = 120_000;
/** Longest Retry-After the node waits out itself; longer ones are left to the engine's retries. */
export const MAX_INLINE_RETRY_AFTER_MS = 30_000;

/** A rate-limit failure that says when the provider expects to accept requests again. */
export class RetryAfterError extends StepError {
  readonly retryAfterMs: number;
  constructor(data: StepErrorData, retryAfterMs: number) {
    super(data);
    this.name = 'RetryAfterError';
    this.retryAfterMs = retryAfterMs;
  }
}

/** Rough token count when the provider reports none: about four characters per token. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** USD for the tokens by the provider's price table (per 1M tokens); 0 when the model is unpriced. */
export function costOf(target: ModelTarget, model: string, prompt: number, completion: number): number {
  const price = target.prices[model];
  if (!price) return 0;
  return (prompt * price.input) / 1e6 + (completion * price.output) / 1e6;
}

/**
 * Milliseconds to wait from a `retry-after-ms` (OpenAI's precise variant) or `Retry-After` header,
 * which holds either seconds or an HTTP date; undefined when absent or unreadable.
 */
export function parseRetryAfter(headers: Headers | undefined, now = Date.now()): number | undefined {
  const ms = Number(headers?.get('retry-after-ms') ?? Number.NaN);
  if (Number.isFinite(ms) && ms >= 0) return Math.ceil(ms);
  const raw = headers?.get('retry-after')?.trim();
  if (!raw) return undefined;
  if (/^\d+(\.\d+)?$/.test(raw)) return Math.ceil(Number(raw) * 1000);
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** The provider's own explanation from an error body, without the SDK's status prefix. */
function apiMessage(err: APIError): string {
  const body = err.error as { message?: unknown } | undefined;
  return typeof body?.message === 'string' ? body.message : err.message;
}

/** Turns an SDK failure into a StepError; the engine's own abort reason passes through unchanged. */
export function classifyModelError(
  err: unknown,
  ctx: NodeRunContext,
  target: ModelTarget,
  model: string,
  timeoutMs: number,
): unknown {
  if (err instanceof StepError) return err;
  if (ctx.signal.aborted) return ctx.signal.reason ?? err;
  const provider = `Model provider "${target.providerName}"`;
  const fail = (code: string, message: string, retryable: boolean) =>
    new StepError({ code, message, retryable });
  if (err instanceof APIConnectionTimeoutError) {
    return fail('llm_timeout', `${provider} did not answer within ${Math.round(timeoutMs / 1000)} s`, true);
  }
  if (err instanceof APIUserAbortError) return fail('llm_timeout', `${provider} call was aborted`, true);
  if (err instanceof APIConnectionError) {
    const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
    return fail('llm_unavailable', `Could not reach model provider "${target.providerName}"${cause}`, true);
  }
  if (!(err instanceof APIError) || err.status === undefined) {
    const detail = err instanceof Error ? err.message : String(err);
    return fail('llm_unavailable', `${provider} call failed: ${detail}`, true);
  }
  const status = err.status;
  if (status === 429) {
    const message = `${provider} is rate limiting requests (429): ${apiMessage(err)}`;
    const data = { code: 'llm_rate_limited', message, retryable: true };
    const wait = parseRetryAfter(err.headers);
    return wait === undefined ? new StepError(data) : new RetryAfterError(data, wait);
  }
  if (status === 401 || status === 403) {
    // The provider's text is left out: some echo part of the key back.
    return fail('llm_auth', `${provider} rejected the API key (${status})`, false);
  }
  if (status === 404) {
    return fail(
      'llm_not_found',
      `${provider} does not know the model "${model}" (404): ${apiMessage(err)}`,
      false,
    );
  }
  if (status === 408) return fail('llm_timeout', `${provider} timed out (408)`, true);
  if (status === 409 || status >= 500) {
    return fail('llm_unavailable', `${provider} is unavailable (HTTP ${status}): ${apiMessage(err)}`, true);
  }
  return fail(
    'llm_bad_request',
    `${provider} refused the request (HTTP ${status}): ${apiMessage(err)}`,
    false,
  );
}

function requestBody(request: ModelRequest): ChatCompletionCreateParamsBase {
  const format = request.responseFormat;
  return {
    model: request.model,
    messages: request.messages,
    ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
    // max_tokens rather than max_completion_tokens: more OpenAI-compatible servers understand it.
    ...(request.maxTokens !== undefined ? { max_tokens: request.maxTokens } : {}),
    ...(request.stop && request.stop.length > 0 ? { stop: request.stop } : {}),
    ...(format?.type === 'json_object' ? { response_format: { type: 'json_object' } } : {}),
    ...(format?.type === 'json_schema'
      ? {
          response_format: { type: 'json_schema', json_schema: { name: format.name, schema: format.schema } },
        }
      : {}),
  };
}

interface RawResult {
  text: string;
  promptTokens?: number;
  completionTokens?: number;
}

/** One client per endpoint and key, reused by every call instead of built for each. */
const clients = new Map<string, OpenAI>();
const MAX_CLIENTS = 64;

function clientFor(target: ModelTarget): OpenAI {
  const key = `${target.baseURL ?? ''}\n${target.apiKey}`;
  let client = clients.get(key);
  if (client) return client;
  // Timeouts are per call; retries are the engine's (the SDK's own are off).
  client = new OpenAI({ apiKey: target.apiKey, baseURL: target.baseURL, maxRetries: 0, fetch: modelFetch });
  if (clients.size >= MAX_CLIENTS) clients.delete(clients.keys().next().value as string);
  clients.set(key, client);
  return client;
}

async function complete(
  client: OpenAI,
  ctx: NodeRunContext,
  request: ModelRequest,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<RawResult> {
  const body = requestBody(request);
  const options = { signal, timeout: timeoutMs };
  if (!request.stream) {
    const completion = await client.chat.completions.create({ ...body, stream: false }, options);
    return {
      text: completion.choices[0]?.message.content ?? '',
      promptTokens: completion.usage?.prompt_tokens,
      completionTokens: completion.usage?.completion_tokens,
    };
  }
  const stream = streamChatCompletion(
    { baseURL: client.baseURL, apiKey: client.apiKey ?? '' },
    { ...body, stream: true, stream_options: { include_usage: true } },
    signal,
    timeoutMs,
  );
  const parts: string[] = [];
  const out: RawResult = { text: '' };
  for await (const chunk of stream) {
    const delta = chunk.choices?.[0]?.delta?.content;
    if (delta) {
      ctx.emit('llm_delta', { stepKey: ctx.stepKey, delta, index: parts.length });
      parts.push(delta);
    }
    if (chunk.usage) {
      out.promptTokens = chunk.usage.prompt_tokens;
      out.completionTokens = chunk.usage.completion_tokens;
    }
  }
  out.text = parts.join('');
  return out;
}

/**
 * One chat completion. Retries are the engine's job (the SDK's own are off), with one exception:
 * a 429 whose Retry-After is at most 30 s is waited out here (abortably) and tried once more
 * within the same attempt, since the provider said exactly when it will accept the request and
 * failing the attempt would only make the engine guess a backoff. A longer wait, or a second 429,
 * fails the attempt with a RetryAfterError whose `retryAfterMs` the engine may honour.
 */
export async function callModel(
  ctx: NodeRunContext,
  target: ModelTarget,
  request: ModelRequest,
  options: CallOptions = {},
): Promise<ModelResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_MODEL_TIMEOUT_MS;
  const client = clientFor(target);
  // The SDK never removes the abort listener it adds to a request's signal, so it gets a signal
  // of its own per call, tied to the step's: a long-lived step signal would otherwise collect them.
  const local = new AbortController();
  const onAbort = () => local.abort(ctx.signal.reason);
  if (ctx.signal.aborted) onAbort();
  else ctx.signal.addEventListener('abort', onAbort, { once: true });
  let raw: RawResult;
  try {
    try {
      raw = await complete(client, ctx, request, local.signal, timeoutMs);
    } catch (err) {
      const failure = classifyModelError(err, ctx, target, request.model, timeoutMs);
      if (!(failure instanceof RetryAfterError) || failure.retryAfterMs > MAX_INLINE_RETRY_AFTER_MS)
        throw failure;
      ctx.log(`${target.providerName} is rate limiting; retrying in ${failure.retryAfterMs} ms as it asked`);
      await sleep(failure.retryAfterMs, ctx.signal);
      raw = await complete(client, ctx, request, local.signal, timeoutMs);
    }
  } catch (err) {
    throw classifyModelError(err, ctx, target, request.model, timeoutMs);
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
  }
  const promptTokens = raw.promptTokens ?? estimateTokens(request.messages.map((m) => m.content).join(''));
  const completionTokens = raw.completionTokens ?? estimateTokens(raw.text);
  const usage: TokenUsage = {
    model: request.model,
    promptTokens,
    completionTokens,
    cost: costOf(target, request.model, promptTokens, completionTokens),
  };
  ctx.reportUsage(usage);
  return { text: raw.text, usage };
}

/** Two calls' usage as one (e.g. an answer and its repair); both were already reported. */
export function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  return {
    model: a.model,
    promptTokens: a.promptTokens + b.promptTokens,
    completionTokens: a.completionTokens + b.completionTokens,
    cost: a.cost + b.cost,
  };
}

/** Usage as the JSON nodes output. */
export function usageJson(usage: TokenUsage): { [key: string]: string | number } {
  return {
    promptTokens: usage.promptTokens,
    completionTokens: usage.completionTokens,
    cost: usage.cost,
    model: usage.model,
  };
}
