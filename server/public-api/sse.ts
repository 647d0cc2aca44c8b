// Server-Sent Events as Dify sends them: each event one `data: {json}` line and a blank line (the
// event name is inside the JSON), and `event: ping` every 10 s so proxies keep the connection open.
// When the client goes away the producer is aborted; whatever it drives (a run) carries on. An event
// may carry an `id: <n>` line first, which a client sends back as Last-Event-ID to resume.
import { type DirectBodySink, withDirectBody } from '@/server/http/api-fast-path';
import { CORS_HEADERS } from './cors';

export const PING_INTERVAL_MS = 10_000;

const encoder = new TextEncoder();

export const sseData = (payload: unknown, id?: number | string) =>
  encoder.encode(`${id === undefined ? '' : `id: ${id}\n`}data: ${JSON.stringify(payload)}\n\n`);
const PINGS = {
  /** Dify's keep-alive event. */
  event: encoder.encode('event: ping\n\n'),
  /** An SSE comment: for clients (the openai SDK) that choke on events without data. */
  comment: encoder.encode(': ping\n\n'),
};

/**
 * `send(payload, id)`: one event; `id` (digits, no newline) becomes its `id:` line. `sendRaw` writes
 * a `data:` line as is (OpenAI's closing `[DONE]` is not JSON).
 */
export type SseProducer = (
  send: (payload: unknown, id?: number) => void,
  signal: AbortSignal,
  sendRaw: (data: string) => void,
) => Promise<void>;

/**
 * Streams what `produce` sends until it returns. If it throws, `onError` turns the error into a
 * last event (Dify's `error` event) before the stream ends.
 */
export function sseResponse(
  req: Request,
  produce: SseProducer,
  onError: (error: unknown) => unknown,
  options: { ping?: keyof typeof PINGS } = {},
): Response {
  const abort = new AbortController();
  const stop = () => abort.abort();
  req.signal.addEventListener('abort', stop);
  let begun = false;
  /** Runs the producer into `sink` (once, whichever way the body is taken). */
  const begin = (sink: DirectBodySink) => {
    if (begun) return;
    begun = true;
    let closed = false;
    const write = (bytes: Uint8Array) => {
      if (closed || abort.signal.aborted) return;
      try {
        sink.write(bytes);
      } catch {
        closed = true;
      }
    };
    const pingBytes = PINGS[options.ping ?? 'event'];
    const ping = setInterval(() => write(pingBytes), PING_INTERVAL_MS);
    void (async () => {
      try {
        await produce(
          (payload, id) => write(sseData(payload, id)),
          abort.signal,
          (data) => write(encoder.encode(`data: ${data}\n\n`)),
        );
      } catch (error) {
        if (!abort.signal.aborted) write(sseData(onError(error)));
      } finally {
        clearInterval(ping);
        req.signal.removeEventListener('abort', stop);
        closed = true;
        try {
          sink.end();
        } catch {
          // the client went away first
        }
      }
    })();
  };
  // Read as a web stream (through Next.js), the producer starts at the first read; written by the
  // server itself (withDirectBody), it starts there and the stream is never read.
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        begin({ write: (bytes) => controller.enqueue(bytes), end: () => controller.close() });
      },
      cancel() {
        stop();
      },
    },
    { highWaterMark: 0 },
  );
  const response = new Response(stream, {
    headers: {
      ...CORS_HEADERS,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    },
  });
  return withDirectBody(response, begin);
}
