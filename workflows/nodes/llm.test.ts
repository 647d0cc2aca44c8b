// The LLM node against the mock OpenAI-compatible server (real HTTP on 127.0.0.1): streaming,
// usage and cost, classification of provider failures, Retry-After, JSON-schema repair and memory.
import { describe, expect, it } from 'vitest';
import { approxTokens, startMockOpenAI } from '@/tests/support/mock-openai';
import { modelNodeHarness } from '@/tests/support/model-node-harness';
import type { Json } from '@/workflows/interpreter/types';
import { llmNode } from '@/workflows/nodes/llm';
import { RetryAfterError } from '@/workflows/nodes/llm-client';
import type { NodeRunContext } from '@/workflows/nodes/node-spec';

const h = modelNodeHarness('ask');
const { events, usages, ctx, target, sentBody, sentMessages } = h;
const runLlm = (config: Record<string, unknown>) => h.run(llmNode, config);
const failure = (config: Record<string, unknown>) => h.failure(llmNode, config);

const ask = (content: string) => ({ messages: [{ role: 'user', content }] });

describe('llm node: text', () => {
  it('streams deltas in order and joins them into the answer', async () => {
    h.mock.enqueue({ content: 'The quick brown fox jumps.' });
    const out = await runLlm({ system: 'Be brief.', ...ask('Tell me about foxes') });
    const deltas = events.filter((e) => e.type === 'llm_delta').map((e) => e.data as Record<string, Json>);
    expect(deltas.map((d) => d.delta)).toEqual(['The ', 'quick ', 'brown ', 'fox ', 'jumps.']);
    expect(deltas.map((d) => d.index)).toEqual([0, 1, 2, 3, 4]);
    expect(deltas.every((d) => d.stepKey === 'ask')).toBe(true);
    expect(out.text).toBe('The quick brown fox jumps.');
    expect(sentMessages(0)).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Tell me about foxes' },
    ]);
  });

  it("reports the provider's usage priced by the table", async () => {
    h.mock.enqueue({ content: 'A fairly short answer.' });
    const out = await runLlm({ system: 'You are terse.', ...ask('Say something short') });
    const body = sentBody(0);
    expect(body.model).toBe('mock-gpt');
    expect(body.stream_options).toEqual({ include_usage: true });
    // The mock counts ceil(chars / 4) over all prompt messages and over the answer.
    const prompt = approxTokens('You are terse.Say something short');
    const completion = approxTokens('A fairly short answer.');
    const cost = (prompt * 1) / 1e6 + (completion * 2) / 1e6;
    expect(usages).toEqual([{ model: 'mock-gpt', promptTokens: prompt, completionTokens: completion, cost }]);
    expect(out.usage).toEqual({
      promptTokens: prompt,
      completionTokens: completion,
      cost,
      model: 'mock-gpt',
    });
  });

  it('waits out a 429 with Retry-After and tries once more', async () => {
    h.mock.enqueue({ status: 429, error: { message: 'Slow down' }, headers: { 'retry-after': '1' } });
    h.mock.enqueue({ content: 'Finally' });
    const started = Date.now();
    const out = await runLlm({ ...ask('hi'), stream: false });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(out.text).toBe('Finally');
    expect(h.mock.requests).toHaveLength(2);
  });

  it('fails a 429 without Retry-After as retryable', async () => {
    h.mock.enqueue({ status: 429, error: { message: 'Rate limit reached' } });
    const err = await failure(ask('hi'));
    expect(err).toMatchObject({ code: 'llm_rate_limited', retryable: true });
    expect(err).not.toBeInstanceOf(RetryAfterError);
    expect(h.mock.requests).toHaveLength(1);
  });

  it('hands a long Retry-After to the engine with retryAfterMs', async () => {
    h.mock.enqueue({ status: 429, error: { message: 'Quota' }, headers: { 'retry-after': '120' } });
    const err = await failure(ask('hi'));
    expect(err).toBeInstanceOf(RetryAfterError);
    expect((err as RetryAfterError).retryAfterMs).toBe(120_000);
    expect(err.retryable).toBe(true);
    expect(h.mock.requests).toHaveLength(1);
  });

  it('fails a rejected API key without retry, naming the provider', async () => {
    h.mock.setOptions({ apiKey: 'sk-other' });
    const err = await failure(ask('hi'));
    expect(err).toMatchObject({ code: 'llm_auth', retryable: false });
    expect(err.message).toBe('Model provider "Mock AI" rejected the API key (401)');
  });

  it('fails a server error as retryable, and a bad request or unknown model as not', async () => {
    h.mock.enqueue({ status: 500, error: { message: 'Boom' } });
    expect(await failure(ask('hi'))).toMatchObject({ code: 'llm_unavailable', retryable: true });
    h.mock.enqueue({ status: 400, error: { message: 'Bad stop' } });
    const bad = await failure(ask('hi'));
    expect(bad).toMatchObject({ code: 'llm_bad_request', retryable: false });
    expect(bad.message).toContain('Bad stop');
    h.mock.enqueue({ status: 404, error: { message: 'No such model' } });
    expect(await failure({ ...ask('hi'), model: 'gpt-9' })).toMatchObject({
      code: 'llm_not_found',
      retryable: false,
    });
    expect(h.mock.requests).toHaveLength(3);
  });

  it('fails as retryable when the provider cannot be reached', async () => {
    const closed = await startMockOpenAI();
    const url = closed.url;
    await closed.close();
    const offline: NodeRunContext = {
      ...ctx,
      services: { modelTarget: async () => ({ ...target(), baseURL: url }) },
    };
    const config = llmNode.configSchema.parse(ask('hi'));
    const err = await Promise.resolve(llmNode.run?.(config, offline)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'llm_unavailable', retryable: true });
    expect((err as Error).message).toContain('Mock AI');
  });

  it("passes the engine's abort reason through", async () => {
    h.mock.setOptions({ firstTokenLatencyMs: 5000 });
    const controller = new AbortController();
    const reason = new Error('step timed out');
    setTimeout(() => controller.abort(reason), 50);
    const config = llmNode.configSchema.parse(ask('hi'));
    const err = await Promise.resolve(llmNode.run?.(config, { ...ctx, signal: controller.signal })).catch(
      (e: unknown) => e,
    );
    expect(err).toBe(reason);
  });
});

describe('llm node: JSON', () => {
  const schema = {
    type: 'object',
    properties: { name: { type: 'string' }, age: { type: 'integer' } },
    required: ['name', 'age'],
  };

  it('parses JSON answers', async () => {
    h.mock.enqueue({ content: '```json\n{"ok": true, "n": [1, 2]}\n```' });
    const out = await runLlm({ ...ask('Give me JSON'), output: { type: 'json' } });
    expect(out.json).toEqual({ ok: true, n: [1, 2] });
    const body = sentBody(0);
    expect(body.response_format).toEqual({ type: 'json_object' });
  });

  it('repairs an answer that breaks the schema once', async () => {
    h.mock.enqueue({ content: '{"name": "Ada", "age": "36"}' }, { content: '{"name": "Ada", "age": 36}' });
    const out = await runLlm({ ...ask('Who?'), output: { type: 'json_schema', schema } });
    expect(out.json).toEqual({ name: 'Ada', age: 36 });
    expect(h.mock.requests).toHaveLength(2);
    const format = sentBody(0).response_format;
    expect(format).toEqual({ type: 'json_schema', json_schema: { name: 'answer', schema } });
    const repair = sentMessages(1);
    expect(repair.at(-2)).toEqual({ role: 'assistant', content: '{"name": "Ada", "age": "36"}' });
    expect(repair.at(-1)?.role).toBe('user');
    expect(String(repair.at(-1)?.content)).toContain('$.age: expected integer, got "36"');
    // Both calls are paid for: reported separately, summed in the output.
    expect(usages).toHaveLength(2);
    const usage = out.usage as Record<string, number>;
    expect(usage.promptTokens).toBe((usages[0]?.promptTokens ?? 0) + (usages[1]?.promptTokens ?? 0));
  });

  it('fails clearly when the repair is broken too', async () => {
    h.mock.enqueue({ content: '{"name": "Ada"}' }, { content: '{"name": "Ada", "age": 36.5}' });
    const err = await failure({ ...ask('Who?'), output: { type: 'json_schema', schema } });
    expect(err).toMatchObject({ code: 'llm_invalid_output', retryable: false });
    expect(err.message).toBe(
      "The model's answer did not match the schema after one repair: $.age: expected integer, got 36.5",
    );
    expect(String(sentMessages(1).at(-1)?.content)).toContain('$.age: is required');
  });

  it('reports answers that are not JSON at all', async () => {
    h.mock.enqueue({ content: 'Sure! Here it is' }, { content: 'name: Ada' });
    const err = await failure({ ...ask('Who? Answer in JSON'), output: { type: 'json' } });
    expect(err.code).toBe('llm_invalid_output');
    expect(err.message).toMatch(/^The model's answer was not valid JSON after one repair: /);
  });
});

describe('llm node: memory and config', () => {
  const history = Array.from({ length: 10 }, (_, i) => ({
    role: i % 2 === 0 ? 'user' : 'assistant',
    content: `message ${i}`,
  }));

  it('keeps only the last N turns of the history', async () => {
    await runLlm({ system: 'S', ...ask('now'), memory: { history, mode: 'last-turns', turns: 2 } });
    expect(sentMessages(0).map((m) => m.content)).toEqual([
      'S',
      'message 6',
      'message 7',
      'message 8',
      'message 9',
      'now',
    ]);
  });

  it('keeps the newest messages that fit a token budget', async () => {
    // Each "message i" is 9 characters: 3 estimated tokens, so 7 tokens fit two messages.
    await runLlm({ ...ask('now'), memory: { history, mode: 'token-budget', tokens: 7 } });
    expect(sentMessages(0).map((m) => m.content)).toEqual(['message 8', 'message 9', 'now']);
  });

  it("falls back to the provider's default model and checks the config", async () => {
    await runLlm(ask('hi'));
    expect(sentBody(0).model).toBe('mock-gpt');
    const bad = llmNode.configSchema.safeParse({
      messages: [],
      temperature: 3,
      stop: ['a', 'b', 'c', 'd', 'e'],
    });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => i.path.join('.')).sort()).toEqual([
      'messages',
      'stop',
      'temperature',
    ]);
  });
});
