// What the mock OpenAI server's handlers share: scripted replies, errors in OpenAI's shape, JSON
// responses with request ids, cancellable delays and the deterministic token count.
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';

export interface MockReply {
  content?: string;
  toolCalls?: { name: string; arguments: string }[];
  status?: number;
  error?: { message: string; type?: string; code?: string };
  headers?: Record<string, string>;
}

/** Thrown by handlers; answered as an OpenAI-style error body with this status. */
export class HttpError extends Error {
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

export function badRequest(message: string, param: string | null = null): HttpError {
  return new HttpError(400, message, 'invalid_request_error', null, param);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deterministic token-count approximation: ceil(chars / 4), at least 1. */
export function approxTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

export function errorTypeFor(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

/**
 * Writes responses for one server: numbers them (`x-request-id`, completion ids), and once closed
 * writes nothing more and cancels pending delays.
 */
export class Responder {
  private counter = 0;
  private closed = false;
  private readonly timers = new Set<NodeJS.Timeout>();

  get isClosed(): boolean {
    return this.closed;
  }

  /** The next number in the server's sequence. */
  nextId(): number {
    return ++this.counter;
  }

  /** The number handed out last. */
  lastId(): number {
    return this.counter;
  }

  sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  /** Whether nothing more can be written: the server closed, or the response is over. */
  gone(res: ServerResponse): boolean {
    return this.closed || res.destroyed || res.writableEnded;
  }

  json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    if (this.gone(res)) return;
    const payload = JSON.stringify(body);
    const out: OutgoingHttpHeaders = {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(payload),
      'x-request-id': `req_mock_${this.nextId()}`,
      ...headers,
    };
    res.writeHead(status, out);
    res.end(payload);
  }

  error(
    res: ServerResponse,
    status: number,
    message: string,
    type = errorTypeFor(status),
    code: string | null = null,
    param: string | null = null,
    headers: Record<string, string> = {},
  ): void {
    this.json(res, status, { error: { message, type, param, code } }, headers);
  }

  /** Answers with a scripted error reply (`status` >= 400). */
  replyError(res: ServerResponse, reply: MockReply): void {
    const status = reply.status ?? 500;
    const message = reply.error?.message ?? reply.content ?? `Mock error (HTTP ${status})`;
    const type = reply.error?.type ?? errorTypeFor(status);
    this.error(res, status, message, type, reply.error?.code ?? null, null, reply.headers);
  }

  /** Stops writing and cancels pending delays. */
  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
