// A streamed chat completion read straight off the HTTP response. The model SDK turns every chunk
// of a stream into web-stream reads, a line decoder and an async generator of its own, which costs
// several times the CPU of the exchange itself; a streamed answer arrives in dozens of chunks, so
// this path reads undici's Node stream and decodes the events here. Failures come out as the SDK's
// error classes (status errors, connection errors, timeouts), so they are classified the same way
// as the SDK's own calls (llm-client.ts).
import { StringDecoder } from 'node:string_decoder';
import { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import { request } from 'undici';
import { modelAgent, responseHeaders } from './model-fetch';
import { SseDecoder } from './sse-decoder';

/** The parts of a chat.completion.chunk that the nodes read. */
export interface ChatCompletionChunk {
  choices?: { delta?: { content?: string | null } | null }[] | null;
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
}

export interface StreamTarget {
  /** The API root the SDK would use, e.g. https://host/v1. */
  baseURL: string;
  apiKey: string;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * POSTs `body` (already asking for `stream: true`) to {baseURL}/chat/completions and yields the
 * chunks. `timeoutMs` bounds the wait for the response to start, as the SDK's timeout does; the
 * stream's body is bounded by `signal` only.
 */
export async function* streamChatCompletion(
  target: StreamTarget,
  body: Record<string, unknown>,
  signal: AbortSignal,
  timeoutMs: number,
): AsyncGenerator<ChatCompletionChunk> {
  const controller = new AbortController();
  let timedOut = false;
  const onAbort = () => controller.abort(signal.reason);
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error('timed out'));
  }, timeoutMs);
  try {
    let res: Awaited<ReturnType<typeof request>>;
    try {
      res = await request(`${target.baseURL.replace(/\/+$/, '')}/chat/completions`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${target.apiKey}`,
          'content-type': 'application/json',
          accept: 'text/event-stream',
        },
        body: JSON.stringify(body),
        signal: controller.signal,
        dispatcher: modelAgent,
      });
    } catch (error) {
      if (timedOut) throw new APIConnectionTimeoutError();
      if (signal.aborted) throw signal.reason;
      throw new APIConnectionError({ cause: error instanceof Error ? error : new Error(String(error)) });
    } finally {
      clearTimeout(timer);
    }
    const headers = responseHeaders(res.headers);
    if (res.statusCode < 200 || res.statusCode >= 300) {
      const text = await res.body.text().catch(() => '');
      const json = parseJson(text);
      throw APIError.generate(
        res.statusCode,
        json as object | undefined,
        json === undefined ? text : undefined,
        headers,
      );
    }
    const text = new StringDecoder('utf8');
    const events = new SseDecoder();
    let done = false;
    for await (const piece of res.body) {
      for (const event of events.push(text.write(piece as Buffer))) {
        if (done || event.data === '') continue;
        if (event.data.startsWith('[DONE]')) {
          done = true;
          continue;
        }
        // Throws on a broken event, as the SDK does.
        const data = JSON.parse(event.data) as ChatCompletionChunk & { error?: unknown };
        if (data?.error) throw new APIError(undefined, data.error as object, undefined, headers);
        yield data;
      }
    }
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
  }
}
