// The shipped "customer support triage" template end to end on the embedded engine: a classifier
// routes to a streaming LLM answer, an authenticated order lookup, or a human hand-off, against the
// mock OpenAI server and a local HTTP API. Usage and cost add up from steps to the run.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@/db/client';
import { runEvents, runSteps } from '@/db/schema';
import type { WorkflowDefinition } from '@/workflows/dsl/definition';
import { type CountingServer, startCountingServer } from '../support/counting-server';
import { testDatabases } from '../support/databases';
import { type EngineHarness, startEngineHarness } from '../support/engine-harness';
import { type MockOpenAI, startMockOpenAI } from '../support/mock-openai';
import { registerEngine, signUpUser } from '../support/trpc-harness';

// Templates are Weft files (the export format): the app's settings under `app`.
const file = JSON.parse(
  readFileSync(path.join(process.cwd(), 'workflows/templates/support-triage.json'), 'utf8'),
) as {
  app: { name: string; kind: 'chat' };
  definition: WorkflowDefinition;
};
const template = { ...file.app, definition: file.definition };
const TROUBLESHOOTING = '1. Restart the app. 2. Update to the latest version.';
const PRICES = { 'mock-gpt': { input: 2, output: 8 } };

function lastUserText(messages: unknown): string {
  const list = messages as { role: string; content: string }[];
  return [...list].reverse().find((m) => m.role === 'user')?.content ?? '';
}

describe.each(testDatabases())('support triage template on $name', ({ open }) => {
  let database: Database;
  let h: EngineHarness;
  let model: MockOpenAI;
  let orders: CountingServer;
  let owner: Awaited<ReturnType<typeof signUpUser>>;
  let ws: { workspaceId: string };
  let appId: string;

  beforeAll(async () => {
    process.env.WEFT_HTTP_ALLOWLIST = '127.0.0.1';
    database = await open();
    h = await startEngineHarness(database);
    registerEngine(database.db, h.runtime.engine);
    orders = await startCountingServer();
    orders.behave('/orders', { body: { summary: 'order 42 ships on Monday' } });
    model = await startMockOpenAI({
      apiKey: 'sk-mock',
      reply: (req) => {
        const text = lastUserText(req.messages);
        if (!req.response_format) return TROUBLESHOOTING;
        const kind = /refund|order/i.test(text)
          ? 'billing'
          : /crash|error/i.test(text)
            ? 'technical'
            : 'other';
        return JSON.stringify({ class: kind, reason: `looks like ${kind}` });
      },
    });
    owner = await signUpUser(database.db, 'support-lead');
    ws = { workspaceId: owner.workspaceId };
    await owner.caller.providers.create({
      ...ws,
      name: 'Mock AI',
      baseUrl: model.url,
      apiKey: 'sk-mock',
      defaultModel: 'mock-gpt',
      prices: PRICES,
      isDefault: true,
    });
    await owner.caller.secrets.set({ ...ws, name: 'ORDERS_API_TOKEN', value: 'orders-token-123456' });
    const app = await owner.caller.apps.create({ ...ws, name: template.name, kind: template.kind });
    appId = app.id;
    const draft = await owner.caller.apps.getDraft({ ...ws, appId });
    // The one thing a builder sets up after picking the template: where the order API lives.
    const definition: WorkflowDefinition = {
      ...template.definition,
      nodes: template.definition.nodes.map((n) =>
        n.id === 'lookup' ? { ...n, config: { ...n.config, url: `${orders.url}/orders` } } : n,
      ),
    };
    await owner.caller.apps.saveDraft({ ...ws, appId, baseRevision: draft.revision, definition });
  });
  afterAll(async () => {
    await h.close();
    await model.close();
    await orders.close();
    await database.close();
  });

  const ask = async (query: string) => {
    const { runId } = await owner.caller.runs.start({ ...ws, appId, inputs: { query } });
    await h.waitFor(runId);
    return owner.caller.runs.get({ ...ws, runId });
  };

  it('answers a technical question with a streamed model answer, and usage adds up', async () => {
    const run = await ask('The app crashes when I open it');
    expect(run.status).toBe('succeeded');
    expect(run.outputs).toEqual({ answer: TROUBLESHOOTING });
    expect(run.nodes.triage?.output).toMatchObject({ branch: 'technical' });
    expect(run.nodes.lookup?.status).toBe('skipped');

    const deltas = await database.db
      .select()
      .from(runEvents)
      .where(and(eq(runEvents.runId, run.id), eq(runEvents.type, 'llm_delta')))
      .orderBy(runEvents.seq);
    expect(deltas.length).toBeGreaterThan(2);
    expect(deltas.map((d) => (d.data as { delta: string }).delta).join('')).toBe(TROUBLESHOOTING);

    const steps = await database.db.select().from(runSteps).where(eq(runSteps.runId, run.id));
    const usages = steps.flatMap(
      (s) => (s.usage ?? []) as { promptTokens: number; completionTokens: number; cost: number }[],
    );
    expect(usages).toHaveLength(2);
    const sum = (pick: (u: (typeof usages)[number]) => number) => usages.reduce((a, u) => a + pick(u), 0);
    const usage = run.usage as { promptTokens: number; completionTokens: number; cost: number };
    expect(usage.promptTokens).toBe(sum((u) => u.promptTokens));
    expect(usage.completionTokens).toBe(sum((u) => u.completionTokens));
    expect(usage.cost).toBeCloseTo(
      sum((u) => u.cost),
      9,
    );
    const expectedCost = (sum((u) => u.promptTokens) * 2 + sum((u) => u.completionTokens) * 8) / 1e6;
    expect(usage.cost).toBeCloseTo(expectedCost, 9);
    expect(usage.promptTokens).toBeGreaterThan(0);
    // Per node, too: the classifier's and the model answer's calls add up to the run's totals.
    const perNode = [run.nodes.triage?.usage, run.nodes.troubleshoot?.usage];
    expect(perNode.reduce((a, u) => a + (u?.promptTokens ?? 0), 0)).toBe(usage.promptTokens);
  });

  it('looks billing questions up in the order API with the secret token', async () => {
    const run = await ask('I want a refund for order 42');
    expect(run.outputs).toEqual({
      answer: 'Here is what we found about your order: order 42 ships on Monday',
    });
    expect(orders.authorizations('/orders')).toEqual(['Bearer orders-token-123456']);
    expect(JSON.stringify(run)).not.toContain('orders-token-123456');
  });

  it('hands anything else to a human', async () => {
    const run = await ask('Hello, nice weather today');
    expect(run.outputs).toEqual({ answer: 'Thanks! A member of our team will get back to you shortly.' });
    expect(run.nodes.troubleshoot?.status).toBe('skipped');
  });
});
