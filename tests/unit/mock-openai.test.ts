// Exercises the mock OpenAI server (tests/support/mock-openai.ts) through the real openai SDK.
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockOpenAI, startMockOpenAI } from '../support/mock-openai';

const API_KEY = 'sk-mock-test';

let mock: MockOpenAI;
let client: OpenAI;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function catchError(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the promise to reject');
}

beforeAll(async () => {
  mock = await startMockOpenAI({ apiKey: API_KEY });
  client = new OpenAI({ apiKey: API_KEY, baseURL: mock.url, maxRetries: 0 });
});

afterAll(async () => {
  await mock.close();
});

describe('mock OpenAI server', () => {
  it('listens on 127.0.0.1 with a /v1 base URL and lists models', async () => {
    mock.reset();
    expect(mock.url).toBe(`http://127.0.0.1:${mock.port}/v1`);
    expect(mock.port).toBeGreaterThan(0);
    const page = await client.models.list();
    const ids = page.data.map((m) => m.id);
    expect(ids).toContain('mock-gpt');
    expect(ids).toContain('mock-embed');
  });

  it('returns a non-streaming completion with content and usage', async () => {
    mock.reset();
    const completion = await client.chat.completions.create({
      model: 'mock-gpt',
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'hello mock' },
      ],
    });
    expect(completion.object).toBe('chat.completion');
    expect(completion.id).toMatch(/^chatcmpl-/);
    expect(completion.model).toBe('mock-gpt');
    const choice = completion.choices[0];
    expect(choice?.message.role).toBe('assistant');
    expect(choice?.message.content).toBe('Echo: hello mock');
    expect(choice?.finish_reason).toBe('stop');
    // 'You are terse.' + 'hello mock' = 24 chars -> 6 tokens; 'Echo: hello mock' = 16 -> 4.
    expect(completion.usage).toEqual({ prompt_tokens: 6, completion_tokens: 4, total_tokens: 10 });
  });

  it('uses the reply option and accepts response_format json_object', async () => {
    mock.reset();
    mock.setOptions({ reply: () => '{"ok":true}' });
    const completion = await client.chat.completions.create({
      model: 'mock-gpt',
      messages: [{ role: 'user', content: 'give me json' }],
      response_format: { type: 'json_object' },
    });
    expect(JSON.parse(completion.choices[0]?.message.content ?? '')).toEqual({ ok: true });
    mock.reset();
  });

  it('streams deltas in order that join into the full text, with a usage chunk', async () => {
    mock.reset();
    const text = 'The quick brown fox jumps over the lazy dog';
    mock.setOptions({ reply: () => text });
    const stream = await client.chat.completions.create({
      model: 'mock-gpt',
      messages: [{ role: 'user', content: 'tell me a pangram' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const deltas: string[] = [];
    const roles: string[] = [];
    const finishReasons: string[] = [];
    let usageChunk: OpenAI.Chat.Completions.ChatCompletionChunk | undefined;
    for await (const chunk of stream) {
      expect(chunk.object).toBe('chat.completion.chunk');
      if (chunk.choices.length === 0) {
        usageChunk = chunk;
        continue;
      }
      const choice = chunk.choices[0];
      if (choice?.delta.role) roles.push(choice.delta.role);
      if (choice?.delta.content) deltas.push(choice.delta.content);
      if (choice?.finish_reason) finishReasons.push(choice.finish_reason);
    }
    expect(roles).toEqual(['assistant']);
    expect(deltas.length).toBeGreaterThan(3);
    expect(deltas[0]).toBe('The ');
    expect(deltas.join('')).toBe(text);
    expect(finishReasons).toEqual(['stop']);
    expect(usageChunk?.usage).toEqual({
      prompt_tokens: Math.ceil('tell me a pangram'.length / 4),
      completion_tokens: Math.ceil(text.length / 4),
      total_tokens: Math.ceil('tell me a pangram'.length / 4) + Math.ceil(text.length / 4),
    });
    mock.reset();
  });

  it('omits the usage chunk when include_usage is not requested', async () => {
    mock.reset();
    const stream = await client.chat.completions.create({
      model: 'mock-gpt',
      messages: [{ role: 'user', content: 'no usage please' }],
      stream: true,
    });
    let text = '';
    let emptyChoiceChunks = 0;
    for await (const chunk of stream) {
      if (chunk.choices.length === 0) emptyChoiceChunks++;
      text += chunk.choices[0]?.delta.content ?? '';
    }
    expect(text).toBe('Echo: no usage please');
    expect(emptyChoiceChunks).toBe(0);
  });

  it('honours first-token and chunk latency', async () => {
    mock.reset();
    mock.setOptions({ firstTokenLatencyMs: 150, chunkLatencyMs: 20 });
    const started = performance.now();
    const stream = await client.chat.completions.create({
      model: 'mock-gpt',
      messages: [{ role: 'user', content: 'one two three' }],
      stream: true,
    });
    let firstTokenAt: number | undefined;
    let contentChunks = 0;
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content) {
        firstTokenAt ??= performance.now();
        contentChunks++;
      }
    }
    const total = performance.now() - started;
    expect(firstTokenAt).toBeDefined();
    expect((firstTokenAt ?? 0) - started).toBeGreaterThanOrEqual(150 - 10);
    // 'Echo: one two three' -> 4 word chunks plus role and finish chunks, 20 ms apart.
    expect(contentChunks).toBe(4);
    expect(total).toBeGreaterThanOrEqual(150 + 5 * 20 - 15);

    mock.setOptions({ chunkLatencyMs: 0 });
    const t0 = performance.now();
    const completion = await client.chat.completions.create({
      model: 'mock-gpt',
      messages: [{ role: 'user', content: 'slow' }],
    });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(150 - 10);
    expect(completion.choices[0]?.message.content).toBe('Echo: slow');
    mock.reset();
  });

  it('surfaces an enqueued 429 with Retry-After as an APIError, then recovers', async () => {
    mock.reset();
    mock.enqueue({
      status: 429,
      error: {
        message: 'Rate limit reached',
        type: 'rate_limit_error',
        code: 'rate_limit_exceeded',
      },
      headers: { 'Retry-After': '7' },
    });
    const err = await catchError(
      client.chat.completions.create({
        model: 'mock-gpt',
        messages: [{ role: 'user', content: 'hi' }],
      }),
    );
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    if (!(err instanceof OpenAI.APIError)) throw err;
    expect(err.status).toBe(429);
    expect(err.headers?.get('retry-after')).toBe('7');
    expect(err.message).toContain('Rate limit reached');
    expect(err.code).toBe('rate_limit_exceeded');
    expect(err.type).toBe('rate_limit_error');
    expect(mock.requests).toHaveLength(1);

    // The queued reply is one-shot: the next call gets the default echo.
    const ok = await client.chat.completions.create({
      model: 'mock-gpt',
      messages: [{ role: 'user', content: 'again' }],
    });
    expect(ok.choices[0]?.message.content).toBe('Echo: again');
  });

  it('uses enqueued replies in order, including tool calls', async () => {
    mock.reset();
    mock.enqueue(
      { toolCalls: [{ name: 'get_weather', arguments: '{"city":"Paris","unit":"celsius"}' }] },
      { content: 'second' },
    );
    const first = await client.chat.completions.create({
      model: 'mock-gpt',
      messages: [{ role: 'user', content: 'weather?' }],
      tools: [
        {
          type: 'function',
          function: { name: 'get_weather', parameters: { type: 'object', properties: {} } },
        },
      ],
    });
    const choice = first.choices[0];
    expect(choice?.finish_reason).toBe('tool_calls');
    expect(choice?.message.content).toBeNull();
    const call = choice?.message.tool_calls?.[0];
    expect(call?.type).toBe('function');
    if (call?.type !== 'function') throw new Error('expected a function tool call');
    expect(call.function.name).toBe('get_weather');
    expect(JSON.parse(call.function.arguments)).toEqual({ city: 'Paris', unit: 'celsius' });

    const stream = await client.chat.completions.create({
      model: 'mock-gpt',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('second');
  });

  it('streams tool call arguments in pieces', async () => {
    mock.reset();
    const args = '{"query":"streaming tool call arguments","limit":10}';
    mock.enqueue({ toolCalls: [{ name: 'search', arguments: args }] });
    const stream = await client.chat.completions.create({
      model: 'mock-gpt',
      messages: [{ role: 'user', content: 'search it' }],
      stream: true,
    });
    const names: string[] = [];
    const pieces: string[] = [];
    let finish: string | null = null;
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      for (const tc of choice?.delta.tool_calls ?? []) {
        if (tc.function?.name) names.push(tc.function.name);
        if (tc.function?.arguments) pieces.push(tc.function.arguments);
      }
      finish = choice?.finish_reason ?? finish;
    }
    expect(names).toEqual(['search']);
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.join('')).toBe(args);
    expect(finish).toBe('tool_calls');
  });

  it('rejects a wrong API key with 401', async () => {
    mock.reset();
    const bad = new OpenAI({ apiKey: 'sk-wrong', baseURL: mock.url, maxRetries: 0 });
    const messages = [{ role: 'user' as const, content: 'hi' }];
    const err = await catchError(bad.chat.completions.create({ model: 'mock-gpt', messages }));
    expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
    if (!(err instanceof OpenAI.APIError)) throw err;
    expect(err.status).toBe(401);
    expect(err.code).toBe('invalid_api_key');
    // The failed request is still logged, with its body.
    expect(mock.requests).toHaveLength(1);
    expect(mock.requests[0]?.headers.authorization).toBe('Bearer sk-wrong');
    expect(isRecord(mock.requests[0]?.body)).toBe(true);
  });

  it('returns deterministic unit-length embeddings of the requested size', async () => {
    mock.reset();
    const res = await client.embeddings.create({
      model: 'mock-embed',
      input: ['alpha', 'beta', 'alpha'],
      dimensions: 8,
    });
    expect(res.data).toHaveLength(3);
    const [a1, b, a2] = res.data.map((d) => d.embedding);
    expect(a1).toHaveLength(8);
    expect(b).toHaveLength(8);
    expect(a1).toEqual(a2);
    expect(a1).not.toEqual(b);
    const norm = Math.hypot(...(a1 ?? []));
    expect(norm).toBeCloseTo(1, 5);
    expect(res.data.map((d) => d.index)).toEqual([0, 1, 2]);
    expect(res.usage.prompt_tokens).toBe(2 + 1 + 2);
    expect(res.usage.total_tokens).toBe(res.usage.prompt_tokens);

    // Default size is 16; the float encoding matches the SDK's default base64 path.
    const single = await client.embeddings.create({ model: 'mock-embed', input: 'alpha' });
    const asFloat = await client.embeddings.create({
      model: 'mock-embed',
      input: 'alpha',
      encoding_format: 'float',
    });
    expect(single.data[0]?.embedding).toHaveLength(16);
    expect(asFloat.data[0]?.embedding).toEqual(single.data[0]?.embedding);
    expect(single.data[0]?.embedding).not.toEqual(
      (await client.embeddings.create({ model: 'mock-embed', input: 'beta' })).data[0]?.embedding,
    );
  });

  it('records request method, path, headers and parsed body', async () => {
    mock.reset();
    const messages = [{ role: 'user' as const, content: 'log me' }];
    await client.chat.completions.create({ model: 'mock-gpt', messages, temperature: 0.25 });
    expect(mock.requests).toHaveLength(1);
    const logged = mock.requests[0];
    expect(logged?.method).toBe('POST');
    expect(logged?.path).toBe('/v1/chat/completions');
    expect(logged?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(logged?.body).toEqual({ model: 'mock-gpt', messages, temperature: 0.25 });
    expect(logged?.at).toBeGreaterThan(0);
  });

  it('answers bad JSON with 400 and unknown paths with 404, logging both', async () => {
    mock.reset();
    const auth = { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' };
    const badJson = await fetch(`${mock.url}/chat/completions`, {
      method: 'POST',
      headers: auth,
      body: '{"model": ',
    });
    expect(badJson.status).toBe(400);
    const badBody: unknown = await badJson.json();
    expect(isRecord(badBody) && isRecord(badBody.error)).toBe(true);

    const unknown = await fetch(`${mock.url}/does/not/exist`, { headers: auth });
    expect(unknown.status).toBe(404);
    const unknownBody: unknown = await unknown.json();
    expect(isRecord(unknownBody) && isRecord(unknownBody.error)).toBe(true);
    if (isRecord(unknownBody) && isRecord(unknownBody.error)) {
      expect(unknownBody.error.message).toContain('/v1/does/not/exist');
    }

    expect(mock.requests.map((r) => [r.method, r.path])).toEqual([
      ['POST', '/v1/chat/completions'],
      ['GET', '/v1/does/not/exist'],
    ]);
    expect(mock.requests[0]?.body).toBe('{"model": ');
  });

  it('close() tears down in-flight connections instead of hanging', async () => {
    const slow = await startMockOpenAI({ firstTokenLatencyMs: 60_000 });
    const slowClient = new OpenAI({ apiKey: 'unused', baseURL: slow.url, maxRetries: 0 });
    const pending = catchError(
      slowClient.chat.completions.create({
        model: 'mock-gpt',
        messages: [{ role: 'user', content: 'never answered' }],
      }),
    );
    while (slow.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    const started = performance.now();
    await slow.close();
    const err = await pending;
    expect(performance.now() - started).toBeLessThan(1000);
    expect(err).toBeInstanceOf(OpenAI.APIConnectionError);
  });
});
