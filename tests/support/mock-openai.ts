// Mock OpenAI-compatible HTTP server for tests: serves /v1/models, /v1/chat/completions
// (plain and SSE streaming) and /v1/embeddings with deterministic output, configurable
// latency, auth, one-shot scripted replies/errors and a log of every request it received.
// This file holds the server and its routing; the endpoints live in mock-openai-chat.ts and
// mock-openai-embeddings.ts, what they share in mock-openai-shared.ts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { type ChatCompletionRequest, defaultReply, handleChat } from './mock-openai-chat';
import { handleEmbeddings } from './mock-openai-embeddings';
import { HttpError, type MockReply, Responder } from './mock-openai-shared';

export type { ChatCompletionRequest, ChatMessage } from './mock-openai-chat';
export { mockEmbedding } from './mock-openai-embeddings';
export { approxTokens, type MockReply } from './mock-openai-shared';

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

function modelObject(id: string): Record<string, unknown> {
  return { id, object: 'model', created: 1700000000, owned_by: 'weft-mock' };
}

export async function startMockOpenAI(options: MockOpenAIOptions = {}): Promise<MockOpenAI> {
  const initialOptions: MockOpenAIOptions = { ...options };
  let opts: MockOpenAIOptions = { ...options };
  const queue: MockReply[] = [];
  const requests: LoggedRequest[] = [];
  const sockets = new Set<Socket>();
  const io = new Responder();

  const nextChatReply = (req: ChatCompletionRequest): MockReply => {
    const queued = queue.shift();
    if (queued) return queued;
    const produced = (opts.reply ?? defaultReply)(req);
    return typeof produced === 'string' ? { content: produced } : produced;
  };

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
      io.error(
        res,
        401,
        'Incorrect API key provided. You can find your API key in the mock configuration.',
        'invalid_request_error',
        'invalid_api_key',
      );
      return;
    }
    if (badJson) {
      io.error(res, 400, 'We could not parse the JSON body of your request.');
      return;
    }

    if (method === 'GET' && path === '/v1/models') {
      io.json(res, 200, { object: 'list', data: MOCK_MODELS.map(modelObject) });
      return;
    }
    const modelMatch = /^\/v1\/models\/([^/]+)$/.exec(path);
    if (method === 'GET' && modelMatch?.[1] !== undefined) {
      const id = decodeURIComponent(modelMatch[1]);
      if (MOCK_MODELS.some((m) => m === id)) io.json(res, 200, modelObject(id));
      else io.error(res, 404, `The model '${id}' does not exist`, undefined, 'model_not_found');
      return;
    }
    if (method === 'POST' && path === '/v1/chat/completions') {
      await handleChat(io, res, body, nextChatReply, () => opts);
      return;
    }
    if (method === 'POST' && path === '/v1/embeddings') {
      handleEmbeddings(io, res, body, queue);
      return;
    }
    io.error(res, 404, `Unknown request URL: ${method} ${path}.`, undefined, 'unknown_url');
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (err instanceof HttpError) {
        io.error(res, err.status, err.message, err.type, err.code, err.param);
      } else if (!io.gone(res)) {
        const message = err instanceof Error ? err.message : String(err);
        if (res.headersSent) res.destroy();
        else io.error(res, 500, `Mock server error: ${message}`);
      }
    });
  });
  // As a hosted provider does, idle keep-alive connections stay open longer than Node's 5 s default:
  // clients (the bench's pools, Weft's model agent) close theirs first, so none reuses a connection
  // the server is closing at that moment.
  server.keepAliveTimeout = 65_000;
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
      if (io.isClosed) return Promise.resolve();
      io.close();
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
        sockets.clear();
      });
    },
  };
}
