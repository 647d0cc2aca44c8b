// The model SDK's fetch, against the mock OpenAI server through the real SDK: plain and streamed
// completions, error statuses with their headers (Retry-After), and a call aborted mid-stream.
import OpenAI, { RateLimitError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockOpenAI, startMockOpenAI } from '@/tests/support/mock-openai';
import { modelFetch } from './model-fetch';

let mock: MockOpenAI;
let client: OpenAI;

beforeAll(async () => {
  mock = await startMockOpenAI({ apiKey: 'sk-fetch' });
  client = new OpenAI({ apiKey: 'sk-fetch', baseURL: mock.url, maxRetries: 0, fetch: modelFetch });
});

afterAll(async () => {
  await mock.close();
});

const messages = [{ role: 'user' as const, content: 'Hello there' }];

describe('modelFetch', () => {
  it('carries plain and streamed completions', async () => {
    mock.reset();
    const plain = await client.chat.completions.create({ model: 'mock-gpt', messages });
    expect(plain.choices[0]?.message.content).toBe('Echo: Hello there');
    const stream = await client.chat.completions.create({ model: 'mock-gpt', messages, stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    expect(text).toBe('Echo: Hello there');
    expect(mock.requests.at(-1)?.headers.authorization).toBe('Bearer sk-fetch');
  });

  it('passes error statuses and their headers to the SDK', async () => {
    mock.reset();
    mock.enqueue({ status: 429, headers: { 'retry-after': '2' }, error: { message: 'slow down' } });
    const error = await client.chat.completions.create({ model: 'mock-gpt', messages }).catch((e) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).headers.get('retry-after')).toBe('2');
  });

  it('stops a streamed call when it is aborted', async () => {
    mock.reset();
    mock.setOptions({ firstTokenLatencyMs: 0, chunkLatencyMs: 200 });
    const controller = new AbortController();
    const stream = await client.chat.completions.create(
      { model: 'mock-gpt', messages, stream: true },
      { signal: controller.signal },
    );
    const seen: string[] = [];
    const reading = (async () => {
      for await (const chunk of stream) {
        seen.push(chunk.choices[0]?.delta?.content ?? '');
        controller.abort();
      }
    })();
    // The SDK ends an aborted stream quietly, as it does with the built-in fetch; the rest of the
    // answer (a chunk every 200 ms) is never waited for.
    const began = performance.now();
    await reading;
    expect(performance.now() - began).toBeLessThan(150);
    expect(seen).toHaveLength(1);
    mock.setOptions({ chunkLatencyMs: 0 });
  });
});
