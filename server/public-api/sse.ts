// Server-Sent Events as Dify sends them: each event one `data: {json}` line and a blank line (the
// event name is inside the JSON), and `event: ping` every 10 s so proxies keep the connection open.
// When the client goes away the producer is aborted; whatever it drives (a run) carries on. An event
// may carry an `id: <n>` line first, which a client sends back as Last-Event-ID to resume.
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
  let closed = false;
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      const write = (bytes: Uint8Array) => {
        if (closed || abort.signal.aborted) return;
        try {
          controller.enqueue(bytes);
        } catch {
          closed = true;
        }
      };
      const pingBytes = PINGS[options.ping ?? 'event'];
      const ping = setInterval(() => write(pingBytes), PING_INTERVAL_MS);
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
          controller.close();
        } catch {
          // the client went away first
        }
      }
    },
    cancel() {
      closed = true;
      stop();
    },
  });
  return new Response(stream, {
    headers: {
      ...CORS_HEADERS,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    },
  });
}
