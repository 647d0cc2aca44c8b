// The published API's short way in. `npm start` serves Next.js from its own HTTP server
// (server/cli/serve.ts), and requests to /api/v1 skip Next's request pipeline: the server asks the
// hook registered here for the route's handler, the same function the route file exports, and
// calls it with a standard Request. The hook lives on globalThis because the app's modules are
// bundled by Next while the server is not: this is the one thing both sides share. Until the app
// registers it (server/public-api/handler.ts, once the first /api/v1 route loads), and for
// anything it does not route, requests go through Next as usual.
import type { IncomingMessage, ServerResponse } from 'node:http';

type RouteHandler = (req: Request, segment: { params: Promise<Record<string, string>> }) => Promise<Response>;

/** The handler for a method and path, with the path's parameters; null: leave it to Next. */
export type ApiRouteLookup = (
  method: string,
  pathname: string,
) => { handler: RouteHandler; params: Record<string, string> } | null;

/** Where a body the server writes itself goes (see DirectBody). */
export interface DirectBodySink {
  write(chunk: Uint8Array): void;
  end(): void;
}

/**
 * A response body that can write itself to the server's socket instead of being read from its web
 * stream: Server-Sent Events, whose every event would otherwise pass through a ReadableStream and a
 * reader. Called at most once, instead of reading the body; it ends the sink when done.
 */
export type DirectBody = (sink: DirectBodySink) => void;

const DIRECT_BODY = Symbol.for('weft.directBody');

/** Marks `response` as able to write its body itself (its web stream stays for other servers). */
export function withDirectBody(response: Response, body: DirectBody): Response {
  Object.defineProperty(response, DIRECT_BODY, { value: body });
  return response;
}

/** How `response`'s body writes itself, when it can (withDirectBody). */
export function directBodyOf(response: Response): DirectBody | undefined {
  return (response as Response & { [DIRECT_BODY]?: DirectBody })[DIRECT_BODY];
}

const KEY = Symbol.for('weft.apiRouteLookup');
const holder = globalThis as typeof globalThis & { [KEY]?: ApiRouteLookup };

export function registerApiRoutes(lookup: ApiRouteLookup): void {
  holder[KEY] = lookup;
}

export function registeredApiRoutes(): ApiRouteLookup | undefined {
  return holder[KEY];
}

/**
 * Reads a request body, keeping at most `limit` + 1 bytes: enough for the handler's own size check
 * to refuse it (413) the same way it would with Next, without holding a huge body in memory. A
 * Content-Length over the limit is refused by the handler from the header alone, so nothing is read.
 */
function bodyOf(req: IncomingMessage, limit: number): Promise<Uint8Array<ArrayBuffer> | null> {
  if (req.method === 'GET' || req.method === 'HEAD') return Promise.resolve(null);
  const declared = req.headers['content-length'];
  if (declared !== undefined && /^\d+$/.test(declared) && Number(declared) > limit)
    return Promise.resolve(null);
  // Read with listeners rather than async iteration: leaving an iteration early destroys the
  // request and its socket, and the handler's 413 could no longer be sent.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      req.off('data', onData);
      req.off('end', done);
      req.off('error', onError);
      req.off('close', onClose);
      const whole = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
      // Request bodies are read into ordinary (not shared) ArrayBuffers.
      resolve(new Uint8Array(whole.buffer as ArrayBuffer, whole.byteOffset, whole.byteLength));
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size > limit) {
        // The rest stays unread; Node discards it once the response is sent.
        req.pause();
        done();
      }
    };
    const onError = (error: Error) => {
      req.off('data', onData);
      req.off('end', done);
      req.off('close', onClose);
      reject(error);
    };
    // The client went away before sending the whole body.
    const onClose = () => {
      if (!req.complete) onError(new Error('request aborted'));
    };
    req.on('data', onData);
    req.once('end', done);
    req.once('error', onError);
    req.once('close', onClose);
  });
}

function headersOf(req: IncomingMessage): Headers {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i] as string, raw[i + 1] as string);
  // As Next.js sets them, for handlers that look at the client's address or the public host.
  if (!headers.has('x-forwarded-for') && req.socket.remoteAddress)
    headers.set('x-forwarded-for', req.socket.remoteAddress);
  if (!headers.has('x-forwarded-proto')) headers.set('x-forwarded-proto', 'http');
  return headers;
}

/**
 * Answers a request with a route handler: builds the standard Request (its signal aborts when the
 * client goes away), then writes the Response back, streaming its body chunk by chunk so
 * Server-Sent Events go out as they are produced.
 */
export async function serveWithHandler(
  req: IncomingMessage,
  res: ServerResponse,
  route: NonNullable<ReturnType<ApiRouteLookup>>,
  bodyLimit: number,
): Promise<void> {
  const abort = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) abort.abort();
  });
  try {
    const headers = headersOf(req);
    const body = await bodyOf(req, bodyLimit);
    const request = new Request(`http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`, {
      method: req.method,
      headers,
      body,
      signal: abort.signal,
    });
    const response = await route.handler(request, { params: Promise.resolve(route.params) });
    await writeResponse(response, res, abort.signal);
  } catch (error) {
    if (abort.signal.aborted) {
      res.destroy(); // the client is gone: nobody to answer
      return;
    }
    console.error(`${req.method} ${req.url} failed:`, error);
    if (!res.headersSent) {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: 'internal_error', message: 'Internal server error', status: 500 }));
    } else res.destroy();
  }
}

/**
 * At most one packet per stream in this many milliseconds once it is flowing: model output arriving
 * every few milliseconds leaves a few pieces at a time (one write and one wake-up of the reader per
 * packet instead of per piece), while a write after a quiet moment, such as an answer's first piece,
 * leaves at once.
 */
export const STREAM_PACKET_GAP_MS = 25;

/**
 * Writes straight to the response. What is written in one go (several events of one moment) leaves
 * in one packet: the socket is corked at the first write and uncorked once the current chain of
 * callbacks has run, or, within STREAM_PACKET_GAP_MS of the last packet, once that time is up.
 */
function corkedSink(res: ServerResponse): DirectBodySink {
  let corked = false;
  let lastPacket = Number.NEGATIVE_INFINITY;
  let timer: NodeJS.Timeout | undefined;
  const uncork = () => {
    corked = false;
    timer = undefined;
    lastPacket = performance.now();
    res.uncork();
  };
  return {
    write(chunk) {
      if (res.writableEnded || res.destroyed) return;
      if (!corked) {
        corked = true;
        res.cork();
        const wait = lastPacket + STREAM_PACKET_GAP_MS - performance.now();
        if (wait > 0) timer = setTimeout(uncork, wait);
        else process.nextTick(uncork);
      }
      res.write(chunk);
    },
    end() {
      // end() sends whatever is still corked.
      clearTimeout(timer);
      if (!res.writableEnded && !res.destroyed) res.end();
    },
  };
}

async function writeResponse(response: Response, res: ServerResponse, clientGone: AbortSignal) {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  res.writeHead(response.status, headers);
  if (!response.body) {
    res.end();
    return;
  }
  const direct = directBodyOf(response);
  if (direct) {
    await new Promise<void>((resolve) => {
      res.once('close', resolve);
      direct(corkedSink(res));
    });
    return;
  }
  const reader = response.body.getReader();
  const stop = () => void reader.cancel().catch(() => {});
  clientGone.addEventListener('abort', stop, { once: true });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value) && !clientGone.aborted)
        await new Promise<void>((resolve) => {
          const go = () => {
            res.off('drain', go);
            res.off('close', go);
            resolve();
          };
          res.on('drain', go);
          res.on('close', go);
        });
      if (clientGone.aborted) return;
    }
    res.end();
  } finally {
    clientGone.removeEventListener('abort', stop);
  }
}
