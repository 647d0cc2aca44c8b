// Mock OpenAI-compatible HTTP server for tests: serves /v1/models, /v1/chat/completions
// (plain and SSE streaming) and /v1/embeddings with deterministic output, configurable
// latency, auth, one-shot scripted replies/errors and a log of every request it received.
import { createHash } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface ChatMessage {
  role: string;
  content?: unknown;
  name?: string;
  tool_calls?: unknown;
  tool_call_id?: string;
  [key: string]: unknown;
}

export interface ChatCompletionRequest {
  model: string;
  messages: ChatMessage[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean } | null;
  response_format?: { type: string; [key: string]: unknown };
  tools?: unknown[];
  [key: string]: unknown;
}

export interface MockReply {
  content?: string;
  toolCalls?: { name: string; arguments: string }[];
  status?: number;
  error?: { message: string; type?: string; code?: string };
  headers?: Record<string, string>;
}

export interface MockOpenAIOptions {
  /** Delay before the first byte of a chat completion response (default 0). */
  firstTokenLatencyMs?: number;
  /** Delay between streamed chunks (default 0). */
  chunkLatencyMs?: number;
  /** When set, requests without `Authorization: Bearer <apiKey>` get a 401. */
  apiKey?: string;
  /** What the assistant answers; default echoes the last user message as `Echo: <text>`. */
  reply?: (req: ChatCompletionRequest) => string | MockReply;
}

export interface LoggedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
  at: number;
}

export interface MockOpenAI {
  /** Base URL ending in /v1, suitable for `new OpenAI({ baseURL })`. */
  url: string;
  port: number;
  /** Every request received (including failed ones), in arrival order. */
  requests: LoggedRequest[];
  setOptions(o: Partial<MockOpenAIOptions>): void;
  /**
   * One-shot replies used (in order) before `reply`. Chat completions consume any queued
   * reply; embeddings only consume a queued reply whose `status` is >= 400.
   */
  enqueue(...replies: MockReply[]): void;
  /** Clears the request log and the queue and restores the options given at start. */
  reset(): void;
  /** Stops the server, destroying open connections and cancelling pending delays. */
  close(): Promise<void>;
}

export const MOCK_MODELS = ['mock-gpt', 'mock-gpt-mini', 'mock-embed'] as const;

const DEFAULT_EMBEDDING_DIMENSIONS = 16;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type = 'invalid_request_error',
    readonly code: string | null = null,
    readonly param: string | null = null,
  ) {
    super(message);
  }
}

function badRequest(message: string, param: string | null = null): HttpError {
  return new HttpError(400, message, 'invalid_request_error', null, param);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deterministic token-count approximation: ceil(chars / 4), at least 1. */
export function approxTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

/** Flattens a message `content` (string, null or array of parts) into plain text. */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  const parts: string[] = [];
  for (const part of content) {
    if (typeof part === 'string') parts.push(part);
    else if (isRecord(part) && typeof part.text === 'string') parts.push(part.text);
  }
  return parts.join('');
}

function defaultReply(req: ChatCompletionRequest): string {
  for (let i = req.messages.length - 1; i >= 0; i--) {
    const msg = req.messages[i];
    if (msg && msg.role === 'user') return `Echo: ${contentText(msg.content)}`;
  }
  return 'Echo: ';
}

function promptTokens(req: ChatCompletionRequest): number {
  let chars = 0;
  for (const msg of req.messages) {
    chars += contentText(msg.content).length;
    if (msg.tool_calls !== undefined) chars += JSON.stringify(msg.tool_calls).length;
  }
  return Math.max(1, Math.ceil(chars / 4));
}

function errorTypeFor(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

/** Splits text into word chunks that keep their trailing whitespace. */
function splitWords(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [];
}

function splitFixed(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

function headerRecord(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    out[key] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseChatRequest(body: unknown): ChatCompletionRequest {
  if (!isRecord(body)) throw badRequest('Request body must be a JSON object.');
  const { messages, model, response_format: format, stream_options: streamOptions } = body;
  if (!Array.isArray(messages) || messages.length === 0) {
    throw badRequest("'messages' must be a non-empty array.", 'messages');
  }
  const parsed: ChatMessage[] = [];
  for (const msg of messages) {
    if (!isRecord(msg) || typeof msg.role !== 'string') {
      throw badRequest('Each message must have a string role.', 'messages');
    }
    parsed.push({ ...msg, role: msg.role });
  }
  if (model !== undefined && typeof model !== 'string') {
    throw badRequest("'model' must be a string.", 'model');
  }
  let responseFormat: ChatCompletionRequest['response_format'];
  if (format !== undefined && format !== null) {
    const allowed = ['text', 'json_object', 'json_schema'];
    if (!isRecord(format) || typeof format.type !== 'string' || !allowed.includes(format.type)) {
      const message = "'response_format.type' must be one of text, json_object, json_schema.";
      throw badRequest(message, 'response_format');
    }
    responseFormat = { ...format, type: format.type };
  }
  let options: ChatCompletionRequest['stream_options'];
  if (isRecord(streamOptions)) {
    options = { include_usage: streamOptions.include_usage === true };
  }
  return {
    ...body,
    model: typeof model === 'string' ? model : 'mock-gpt',
    messages: parsed,
    stream: body.stream === true,
    stream_options: options,
    response_format: responseFormat,
    tools: Array.isArray(body.tools) ? body.tools : undefined,
  };
}

function embeddingInputs(body: Record<string, unknown>): string[] {
  const { input } = body;
  if (typeof input === 'string') return [input];
  if (Array.isArray(input) && input.length > 0) {
    if (input.every((x) => typeof x === 'string')) return input.map(String);
    // Token arrays (number[] or number[][]): hash their JSON form.
    if (input.every((x) => typeof x === 'number')) return [JSON.stringify(input)];
    if (input.every((x) => Array.isArray(x))) return input.map((x) => JSON.stringify(x));
  }
  throw badRequest("'input' must be a string or a non-empty array.", 'input');
}

/** Deterministic unit vector derived from a SHA-256 hash of the text. */
export function mockEmbedding(text: string, dimensions = DEFAULT_EMBEDDING_DIMENSIONS): number[] {
  const values: number[] = [];
  let block = 0;
  while (values.length < dimensions) {
    const digest = createHash('sha256').update(`${block}\u0000${text}`).digest();
    for (let i = 0; i + 4 <= digest.length && values.length < dimensions; i += 4) {
      values.push(digest.readUInt32LE(i) / 0xffffffff - 0.5);
    }
    block++;
  }
  const norm = Math.sqrt(values.reduce((sum, v) => sum + v * v, 0)) || 1;
  // Rounded to float32 so the float and base64 encodings decode to identical numbers.
  return values.map((v) => Math.fround(v / norm));
}

export async function startMockOpenAI(options: MockOpenAIOptions = {}): Promise<MockOpenAI> {
  const initialOptions: MockOpenAIOptions = { ...options };
  let opts: MockOpenAIOptions = { ...options };
  const queue: MockReply[] = [];
  const requests: LoggedRequest[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let counter = 0;
  let closed = false;

  const sleep = (ms: number): Promise<void> => {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });
  };

  const gone = (res: ServerResponse): boolean => closed || res.destroyed || res.writableEnded;

  const sendJson = (
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void => {
    if (gone(res)) return;
    const payload = JSON.stringify(body);
    const out: OutgoingHttpHeaders = {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(payload),
      'x-request-id': `req_mock_${++counter}`,
      ...headers,
    };
    res.writeHead(status, out);
    res.end(payload);
  };

  const sendError = (
    res: ServerResponse,
    status: number,
    message: string,
    type = errorTypeFor(status),
    code: string | null = null,
    param: string | null = null,
    headers: Record<string, string> = {},
  ): void => {
    sendJson(res, status, { error: { message, type, param, code } }, headers);
  };

  const sendReplyError = (res: ServerResponse, reply: MockReply): void => {
    const status = reply.status ?? 500;
    const message = reply.error?.message ?? reply.content ?? `Mock error (HTTP ${status})`;
    const type = reply.error?.type ?? errorTypeFor(status);
    sendError(res, status, message, type, reply.error?.code ?? null, null, reply.headers);
  };

  const nextChatReply = (req: ChatCompletionRequest): MockReply => {
    const queued = queue.shift();
    if (queued) return queued;
    const produced = (opts.reply ?? defaultReply)(req);
    return typeof produced === 'string' ? { content: produced } : produced;
  };

  const handleChat = async (res: ServerResponse, body: unknown): Promise<void> => {
    const req = parseChatRequest(body);
    const reply = nextChatReply(req);
    if (reply.status !== undefined && reply.status >= 400) {
      sendReplyError(res, reply);
      return;
    }
    const id = `chatcmpl-mock-${++counter}`;
    const created = Math.floor(Date.now() / 1000);
    const toolCalls = (reply.toolCalls ?? []).map((call, index) => ({
      index,
      id: `call_mock_${counter}_${index}`,
      type: 'function' as const,
      function: { name: call.name, arguments: call.arguments },
    }));
    const content = reply.content ?? (toolCalls.length > 0 ? null : '');
    const finishReason = toolCalls.length > 0 ? 'tool_calls' : 'stop';
    const completionText = (content ?? '') + toolCalls.map((c) => c.function.arguments).join('');
    const usage = {
      prompt_tokens: promptTokens(req),
      completion_tokens: approxTokens(completionText),
      total_tokens: 0,
    };
    usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
    const extraHeaders = reply.headers ?? {};

    await sleep(opts.firstTokenLatencyMs ?? 0);
    if (gone(res)) return;

    if (!req.stream) {
      const message: Record<string, unknown> = { role: 'assistant', content, refusal: null };
      if (toolCalls.length > 0) {
        message.tool_calls = toolCalls.map(({ index: _index, ...call }) => call);
      }
      sendJson(
        res,
        reply.status ?? 200,
        {
          id,
          object: 'chat.completion',
          created,
          model: req.model,
          system_fingerprint: 'fp_mock',
          choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason }],
          usage,
        },
        extraHeaders,
      );
      return;
    }

    const includeUsage = req.stream_options?.include_usage === true;
    res.writeHead(reply.status ?? 200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-request-id': `req_mock_${counter}`,
      ...extraHeaders,
    });
    res.socket?.setNoDelay(true);

    const chunk = (delta: Record<string, unknown>, finish: string | null): unknown => ({
      id,
      object: 'chat.completion.chunk',
      created,
      model: req.model,
      system_fingerprint: 'fp_mock',
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      ...(includeUsage ? { usage: null } : {}),
    });

    const events: unknown[] = [chunk({ role: 'assistant', content: '', refusal: null }, null)];
    for (const piece of splitWords(content ?? '')) events.push(chunk({ content: piece }, null));
    for (const call of toolCalls) {
      events.push(
        chunk(
          {
            tool_calls: [
              {
                index: call.index,
                id: call.id,
                type: 'function',
                function: { name: call.function.name, arguments: '' },
              },
            ],
          },
          null,
        ),
      );
      for (const piece of splitFixed(call.function.arguments, 16)) {
        const delta = { tool_calls: [{ index: call.index, function: { arguments: piece } }] };
        events.push(chunk(delta, null));
      }
    }
    events.push(chunk({}, finishReason));
    if (includeUsage) {
      events.push({
        id,
        object: 'chat.completion.chunk',
        created,
        model: req.model,
        system_fingerprint: 'fp_mock',
        choices: [],
        usage,
      });
    }

    for (const [i, event] of events.entries()) {
      if (i > 0) await sleep(opts.chunkLatencyMs ?? 0);
      if (gone(res)) return;
      res.write(`data: ${JSON.stringify(event)}\n\n`);
    }
    if (gone(res)) return;
    res.end('data: [DONE]\n\n');
  };

  const handleEmbeddings = (res: ServerResponse, body: unknown): void => {
    if (!isRecord(body)) throw badRequest('Request body must be a JSON object.');
    const inputs = embeddingInputs(body);
    const { dimensions, encoding_format: encoding } = body;
    if (
      dimensions !== undefined &&
      (typeof dimensions !== 'number' || !Number.isInteger(dimensions) || dimensions < 1)
    ) {
      throw badRequest("'dimensions' must be a positive integer.", 'dimensions');
    }
    if (encoding !== undefined && encoding !== 'float' && encoding !== 'base64') {
      throw badRequest("'encoding_format' must be 'float' or 'base64'.", 'encoding_format');
    }
    const head = queue[0];
    if (head?.status !== undefined && head.status >= 400) {
      queue.shift();
      sendReplyError(res, head);
      return;
    }
    const dims = typeof dimensions === 'number' ? dimensions : DEFAULT_EMBEDDING_DIMENSIONS;
    const data = inputs.map((text, index) => {
      const vector = mockEmbedding(text, dims);
      const bytes = Buffer.from(new Float32Array(vector).buffer);
      const embedding = encoding === 'base64' ? bytes.toString('base64') : vector;
      return { object: 'embedding', index, embedding };
    });
    const tokens = inputs.reduce((sum, text) => sum + approxTokens(text), 0);
    sendJson(res, 200, {
      object: 'list',
      data,
      model: typeof body.model === 'string' ? body.model : 'mock-embed',
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    });
  };

  const modelObject = (id: string): Record<string, unknown> => ({
    id,
    object: 'model',
    created: 1700000000,
    owned_by: 'weft-mock',
  });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = req.method ?? 'GET';
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const headers = headerRecord(req);
    const entry: LoggedRequest = { method, path, headers, body: undefined, at: Date.now() };
    requests.push(entry);

    const raw = await readBody(req);
    let body: unknown;
    let badJson = false;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
        badJson = true;
      }
    }
    entry.body = body;

    if (opts.apiKey !== undefined && headers.authorization !== `Bearer ${opts.apiKey}`) {
      sendError(
        res,
        401,
        'Incorrect API key provided. You can find your API key in the mock configuration.',
        'invalid_request_error',
        'invalid_api_key',
      );
      return;
    }
    if (badJson) {
      sendError(res, 400, 'We could not parse the JSON body of your request.');
      return;
    }

    if (method === 'GET' && path === '/v1/models') {
      sendJson(res, 200, { object: 'list', data: MOCK_MODELS.map(modelObject) });
      return;
    }
    const modelMatch = /^\/v1\/models\/([^/]+)$/.exec(path);
    if (method === 'GET' && modelMatch?.[1] !== undefined) {
      const id = decodeURIComponent(modelMatch[1]);
      if (MOCK_MODELS.some((m) => m === id)) sendJson(res, 200, modelObject(id));
      else sendError(res, 404, `The model '${id}' does not exist`, undefined, 'model_not_found');
      return;
    }
    if (method === 'POST' && path === '/v1/chat/completions') {
      await handleChat(res, body);
      return;
    }
    if (method === 'POST' && path === '/v1/embeddings') {
      handleEmbeddings(res, body);
      return;
    }
    sendError(res, 404, `Unknown request URL: ${method} ${path}.`, undefined, 'unknown_url');
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (err instanceof HttpError) {
        sendError(res, err.status, err.message, err.type, err.code, err.param);
      } else if (!gone(res)) {
        const message = err instanceof Error ? err.message : String(err);
        if (res.headersSent) res.destroy();
        else sendError(res, 500, `Mock server error: ${message}`);
      }
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    requests,
    setOptions(o: Partial<MockOpenAIOptions>): void {
      opts = { ...opts, ...o };
    },
    enqueue(...replies: MockReply[]): void {
      queue.push(...replies);
    },
    reset(): void {
      requests.length = 0;
      queue.length = 0;
      opts = { ...initialOptions };
    },
    close(): Promise<void> {
      if (closed) return Promise.resolve();
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
        sockets.clear();
      });
    },
  };
}
