// Model calls on the engine: a transient provider failure is retried by the llm node's default
// policy (journaled attempts, durable backoff), and a rejected key fails at once, naming the provider.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@/db/client';
import { runSteps } from '@/db/schema';
import { testDatabases } from '../support/databases';
import { type EngineHarness, startEngineHarness, workflow } from '../support/engine-harness';
import { type MockOpenAI, startMockOpenAI } from '../support/mock-openai';

describe.each(testDatabases())('llm node on the engine on $name', ({ open }) => {
  let database: Database;
  let h: EngineHarness;
  let model: MockOpenAI;
  beforeAll(async () => {
    database = await open();
    model = await startMockOpenAI({ apiKey: 'sk-right', reply: () => 'All good.' });
    h = await startEngineHarness(database, {
      servicesFor: () => ({
        modelTarget: async () => ({
          providerName: 'Mock AI',
          baseURL: model.url,
          apiKey,
          defaultModel: 'mock-gpt',
          prices: {},
        }),
      }),
    });
  });
  // A test switches to a key the mock refuses.
  let apiKey = 'sk-right';
  afterAll(async () => {
    await h.close();
    await model.close();
    await database.close();
  });

  const ask = workflow(
    [
      { id: 'start', type: 'start', config: { inputs: [] } },
      {
        id: 'chat',
        type: 'llm',
        config: { messages: [{ role: 'user', content: 'Status?' }], stream: false },
      },
      { id: 'end', type: 'end', config: { outputs: { text: '{{chat.text}}' } } },
    ],
    [
      ['start', 'chat'],
      ['chat', 'end'],
    ],
  );

  it('retries a 503 with the default policy and succeeds', async () => {
    model.enqueue({ status: 503, error: { message: 'overloaded' } });
    const runId = await h.start(ask);
    const run = await h.waitFor(runId, undefined, 30_000);
    expect(run.status).toBe('succeeded');
    expect(run.outputs).toEqual({ text: 'All good.' });
    const attempts = await database.db.select().from(runSteps).where(eq(runSteps.runId, runId));
    expect(
      attempts
        .filter((s) => s.nodeId === 'chat' && s.stepKey.includes('#'))
        .map((s) => s.status)
        .sort(),
    ).toEqual(['failed', 'succeeded']);
  });

  it('fails at once on a rejected key, naming the provider', async () => {
    apiKey = 'sk-wrong';
    const before = model.requests.length;
    const runId = await h.start(ask);
    const run = await h.waitFor(runId);
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ code: 'llm_auth', nodeId: 'chat' });
    expect((run.error as { message: string }).message).toMatch(/Mock AI/);
    expect(model.requests.length - before).toBe(1);
    apiKey = 'sk-right';
  });
});
