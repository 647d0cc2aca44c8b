// POST /api/v1/chat/completions: a chat app behind OpenAI's Chat Completions API, so the official
// `openai` SDK can call it. `model` names the app (any value is accepted and echoed back, since the
// key already picks the app); the last user message is the question and earlier user and assistant
// messages the history. Streams OpenAI's chunks and `data: [DONE]`; errors take OpenAI's shape
// { error: { message, type, code, param } }, including the ones the /api/v1 wrapper produces
// (bad key, rate limit, body size), which are rewritten on the way out.
import { z } from 'zod';
import type { Db } from '@/db/client';
import { DomainError } from '@/server/errors';
import type { RunEngine } from '@/workflows/engines/run-engine';
import type { ApiCaller } from './auth';
import { readJsonBody } from './body';
import { type ChatTurn, followTurn, type HistoryTurn, startChatTurn } from './chat-turn';
import { CORS_HEADERS } from './cors';
import { ApiError, toApiError } from './errors';
import type { ApiContext } from './handler';
import { sseResponse } from './sse';
import { unixSeconds } from './workflow-run-data';

type OpenAiErrorType = 'invalid_request_error' | 'authentication_error' | 'rate_limit_error' | 'api_error';

/** An error in OpenAI's shape; `param` names the request field at fault. */
export class OpenAiError extends Error {
  constructor(
    readonly status: number,
    readonly type: OpenAiErrorType,
    message: string,
    readonly code: string | null = null,
    readonly param: string | null = null,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'OpenAiError';
  }
}

export function openAiErrorBody(error: OpenAiError) {
  return { error: { message: error.message, type: error.type, code: error.code, param: error.param } };
}

const DIFY_TO_OPENAI: Record<number, [OpenAiErrorType, string]> = {
  400: ['invalid_request_error', 'invalid_request'],
  401: ['invalid_request_error', 'invalid_api_key'],
  403: ['invalid_request_error', 'forbidden'],
  404: ['invalid_request_error', 'not_found'],
  405: ['invalid_request_error', 'method_not_allowed'],
  409: ['invalid_request_error', 'conflict'],
  413: ['invalid_request_error', 'request_too_large'],
  429: ['rate_limit_error', 'rate_limit_exceeded'],
};

/** The OpenAI error for any error: ApiErrors and domain errors keep their status and field. */
export function toOpenAiError(error: unknown): OpenAiError {
  if (error instanceof OpenAiError) return error;
  const field = error instanceof DomainError ? (error.field ?? null) : null;
  const api = toApiError(error);
  const [type, code] = DIFY_TO_OPENAI[api.status] ?? ['api_error', api.code];
  // `field: message` messages (body checks) name the parameter.
  const param = field ?? (api.status === 400 ? (/^([\w.[\]]+): /.exec(api.message)?.[1] ?? null) : null);
  return new OpenAiError(api.status, type, api.message, code, param, api.headers);
}

function openAiErrorResponse(error: unknown): Response {
  const e = toOpenAiError(error);
  if (e.status >= 500 && !(error instanceof ApiError) && !(error instanceof OpenAiError))
    console.error('POST /api/v1/chat/completions failed:', error);
  return Response.json(openAiErrorBody(e), { status: e.status, headers: { ...CORS_HEADERS, ...e.headers } });
}

/**
 * Wraps an /api/v1 route so its Dify-shaped error bodies ({ code, message, status }, e.g. from the
 * key check) come out in OpenAI's shape, keeping status and headers (Retry-After).
 */
export function withOpenAiErrors<S>(route: (req: Request, segment: S) => Promise<Response>) {
  return async (req: Request, segment: S): Promise<Response> => {
    const res = await route(req, segment);
    if (res.status < 400 || !res.headers.get('content-type')?.includes('application/json')) return res;
    const body = (await res
      .clone()
      .json()
      .catch(() => null)) as { code?: unknown; message?: unknown; error?: unknown } | null;
    if (!body || body.error || typeof body.message !== 'string') return res;
    const [type, code] = DIFY_TO_OPENAI[res.status] ?? ['api_error', String(body.code ?? 'error')];
    const headers = new Headers(res.headers);
    headers.delete('content-length');
    const param = res.status === 400 ? (/^([\w.[\]]+): /.exec(body.message)?.[1] ?? null) : null;
    return new Response(
      JSON.stringify(openAiErrorBody(new OpenAiError(res.status, type, body.message, code, param))),
      {
        status: res.status,
        headers,
      },
    );
  };
}

const contentPart = z.object({ type: z.string(), text: z.string().optional() }).passthrough();

const messageSchema = z.object({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function'], {
    error: 'must be system, developer, user, assistant or tool',
  }),
  content: z
    .union([z.string(), z.array(contentPart)], { error: 'must be a string or a list of parts' })
    .nullish(),
});

export const chatCompletionBody = z
  .object({
    model: z
      .string({ error: (i) => (i.input === undefined ? 'is required' : 'must be a string') })
      .min(1, 'is required'),
    messages: z
      .array(messageSchema, { error: (i) => (i.input === undefined ? 'is required' : 'must be a list') })
      .min(1, 'must contain at least one message'),
    stream: z.boolean({ error: 'must be a boolean' }).nullish(),
    stream_options: z
      .object(
        { include_usage: z.boolean({ error: 'must be a boolean' }).optional() },
        { error: 'must be an object' },
      )
      .nullish(),
    user: z.string({ error: 'must be a string' }).max(255, 'must be at most 255 characters').nullish(),
    n: z.literal(1, { error: 'only 1 is supported' }).nullish(),
  })
  // Sampling options (temperature, max_tokens, …) belong to the app's own model nodes: ignored.
  .passthrough();

type Body = z.output<typeof chatCompletionBody>;

/** `messages[2].content` for a zod path such as ['messages', 2, 'content']. */
function paramOf(path: PropertyKey[]): string {
  return path.reduce<string>(
    (out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)),
    '',
  );
}

function parseBody(value: unknown): Body {
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw new OpenAiError(400, 'invalid_request_error', 'The request body must be a JSON object', null, null);
  const result = chatCompletionBody.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const param = issue ? paramOf(issue.path) : null;
  throw new OpenAiError(
    400,
    'invalid_request_error',
    issue ? (param ? `${param}: ${issue.message}` : issue.message) : 'Invalid request',
    'invalid_value',
    param,
  );
}

function textOf(content: Body['messages'][number]['content']): string {
  if (typeof content === 'string') return content;
  if (!content) return '';
  return content
    .filter((part) => part.type === 'text' && typeof part.text === 'string')
    .map((part) => part.text)
    .join('');
}

/** The question (the last user message) and the history before it (user and assistant turns). */
export function splitMessages(messages: Body['messages']): { query: string; history: HistoryTurn[] } {
  let last = -1;
  messages.forEach((m, i) => {
    if (m.role === 'user') last = i;
  });
  const query = last >= 0 ? textOf(messages[last]?.content).trim() : '';
  if (!query)
    throw new OpenAiError(
      400,
      'invalid_request_error',
      'messages: needs a user message with text content',
      'invalid_value',
      'messages',
    );
  const history = messages
    .slice(0, last)
    .filter((m) => m.role === 'user' || m.role === 'assistant')
    .map((m) => ({ role: m.role as HistoryTurn['role'], content: textOf(m.content) }))
    .filter((m) => m.content !== '');
  return { query, history };
}

const usageJson = (u: { promptTokens: number; completionTokens: number }) => ({
  prompt_tokens: u.promptTokens,
  completion_tokens: u.completionTokens,
  total_tokens: u.promptTokens + u.completionTokens,
});

function streamCompletion(req: Request, engine: RunEngine, turn: ChatTurn, body: Body): Response {
  const base = {
    id: `chatcmpl-${turn.messageId}`,
    object: 'chat.completion.chunk',
    created: unixSeconds(turn.createdAt),
    model: body.model,
  };
  const chunk = (delta: Record<string, unknown>, finish: string | null) => ({
    ...base,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  });
  return sseResponse(
    req,
    async (send, signal, sendRaw) => {
      send(chunk({ role: 'assistant', content: '' }, null));
      for await (const item of followTurn(engine, turn, signal)) {
        if (item.kind === 'delta') send(chunk({ content: item.text }, null));
        // Streamed text cannot be taken back: only what the answer adds is sent.
        if (item.kind === 'end') {
          const { outcome } = item;
          if (outcome.status === 'failed')
            throw new OpenAiError(
              500,
              'api_error',
              outcome.error ?? 'The app failed to answer',
              'run_failed',
            );
          send(chunk({}, outcome.status === 'stopped' ? 'length' : 'stop'));
          if (body.stream_options?.include_usage)
            send({ ...base, choices: [], usage: usageJson(outcome.usage) });
        }
      }
      sendRaw('[DONE]');
    },
    (error) => {
      const e = toOpenAiError(error);
      if (e.status >= 500 && !(error instanceof OpenAiError))
        console.error(`chat completion ${turn.messageId} stream failed:`, error);
      return openAiErrorBody(e);
    },
    { ping: 'comment' },
  );
}

/** End users of the OpenAI endpoint: its `user` field, or one shared name. */
export const OPENAI_DEFAULT_USER = 'openai-api';

async function complete(req: Request, db: Db, engine: RunEngine, caller: ApiCaller): Promise<Response> {
  const body = parseBody(await readJsonBody(req));
  if (caller.app.kind !== 'chat')
    throw new OpenAiError(
      400,
      'invalid_request_error',
      'This key belongs to a workflow app: /chat/completions serves chat apps only',
      'model_not_supported',
      'model',
    );
  const { query, history } = splitMessages(body.messages);
  const turn = await startChatTurn(db, engine, caller, {
    endUser: body.user?.trim() || OPENAI_DEFAULT_USER,
    query,
    inputs: {},
    history,
  });
  if (body.stream) return streamCompletion(req, engine, turn, body);
  const outcome = await turn.outcome;
  if (outcome.status === 'failed')
    throw new OpenAiError(500, 'api_error', outcome.error ?? 'The app failed to answer', 'run_failed');
  return Response.json({
    id: `chatcmpl-${turn.messageId}`,
    object: 'chat.completion',
    created: unixSeconds(turn.createdAt),
    model: body.model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: outcome.answer, refusal: null },
        logprobs: null,
        finish_reason: outcome.status === 'stopped' ? 'length' : 'stop',
      },
    ],
    usage: usageJson(outcome.usage),
  });
}

/** The handler for apiRoute: any error it raises is answered in OpenAI's shape. */
export async function chatCompletions({ req, db, engine, caller }: ApiContext<Record<string, never>>) {
  try {
    return await complete(req, db, engine, caller);
  } catch (error) {
    return openAiErrorResponse(error);
  }
}
