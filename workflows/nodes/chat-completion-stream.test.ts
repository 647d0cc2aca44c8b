// The streamed chat completion read off the HTTP response: the event decoder on text cut at every
// awkward place, and the client against a provider on 127.0.0.1 that writes its stream by hand
// (pieces split inside lines and inside a UTF-8 character, an error in mid-stream, a non-JSON
// error body, a slow start, an abort).
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { APIConnectionTimeoutError, APIError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChatCompletionChunk, streamChatCompletion } from './chat-completion-stream';
import { SseDecoder } from './sse-decoder';

describe('SseDecoder', () => {
  it('decodes events from pieces cut anywhere, with any line ending', () => {
    const whole =
      ': keep-alive\r\ndata: {"a":1}\r\n\r\nevent: note\ndata: one\ndata: two\n\ndata:three\r\rdata: [DONE]\n\n';
    const expected = [
      { event: null, data: '{"a":1}' },
      { event: 'note', data: 'one\ntwo' },
      { event: null, data: 'three' },
      { event: null, data: '[DONE]' },
    ];
    // Every way of cutting the text in two, and one character at a time.
    for (let cut = 0; cut <= whole.length; cut++) {
      const decoder = new SseDecoder();
      expect([...decoder.push(whole.slice(0, cut)), ...decoder.push(whole.slice(cut))]).toEqual(expected);
    }
    const decoder = new SseDecoder();
    expect([...whole].flatMap((ch) => decoder.push(ch))).toEqual(expected);
  });

  it('keeps an unfinished event until its blank line', () => {
    const decoder = new SseDecoder();
    expect(decoder.push('data: {"x":')).toEqual([]);
    expect(decoder.push('2}\n')).toEqual([]);
    expect(decoder.push('\n')).toEqual([{ event: null, data: '{"x":2}' }]);
  });
});

type Script = (res: ServerResponse) => Promise<void> | void;

describe('streamChatCompletion', () => {
  let script: Script = () => {};
  let baseURL = '';
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => void script(res));
  });
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const chunk = (content: string) => `data: ${JSON.stringify({ choices: [{ delta: { content } }] })}\n\n`;
  const read = async (signal = new AbortController().signal, timeoutMs = 5_000) => {
    const chunks: ChatCompletionChunk[] = [];
    for await (const c of streamChatCompletion(
      { baseURL, apiKey: 'sk-test' },
      { model: 'm' },
      signal,
      timeoutMs,
    ))
      chunks.push(c);
    return chunks;
  };
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => {
        throw new Error('expected a failure');
      },
      (error: unknown) => error,
    );

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('yields the chunks of a stream written in awkward pieces', async () => {
    const bytes = Buffer.from(
      `${chunk('Olá, ')}${chunk('mundo 🌍')}data: {"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":4}}\n\ndata: [DONE]\n\n`,
    );
    script = async (res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      // Seven bytes at a time: cuts fall inside lines and inside the multi-byte characters.
      for (let at = 0; at < bytes.length; at += 7) {
        res.write(bytes.subarray(at, at + 7));
        await sleep(1);
      }
      res.end();
    };
    const chunks = await read();
    expect(chunks.map((c) => c.choices?.[0]?.delta?.content ?? '').join('')).toBe('Olá, mundo 🌍');
    expect(chunks.at(-1)?.usage).toEqual({ prompt_tokens: 3, completion_tokens: 4 });
  });

  it('fails with the provider error sent in mid-stream', async () => {
    script = (res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(`${chunk('Hal')}data: {"error":{"message":"overloaded","type":"server_error"}}\n\n`);
    };
    const error = await failure(read());
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).status).toBeUndefined();
    expect((error as APIError).message).toContain('overloaded');
  });

  it('turns an error status into the SDK error of that status, with a non-JSON body as its message', async () => {
    script = (res) => {
      res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '7' });
      res.end('upstream down');
    };
    const error = (await failure(read())) as APIError;
    expect(error.status).toBe(503);
    expect(error.message).toBe('503 upstream down');
    expect(error.headers?.get('retry-after')).toBe('7');
  });

  it('times out when the response does not start in time', async () => {
    script = async (res) => {
      await sleep(1_000);
      if (!res.destroyed) res.end();
    };
    expect(await failure(read(undefined, 50))).toBeInstanceOf(APIConnectionTimeoutError);
  });

  it("stops with the caller's abort reason in mid-stream", async () => {
    script = (res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunk('first'));
    };
    const controller = new AbortController();
    const reason = new Error('step cancelled');
    const chunks: ChatCompletionChunk[] = [];
    const reading = (async () => {
      for await (const c of streamChatCompletion({ baseURL, apiKey: 'k' }, {}, controller.signal, 5_000)) {
        chunks.push(c);
        controller.abort(reason);
      }
    })();
    expect(await failure(reading)).toBe(reason);
    expect(chunks).toHaveLength(1);
  });
});
