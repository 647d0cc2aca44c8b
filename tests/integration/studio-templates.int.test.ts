// Two shipped templates end to end on the embedded engine against the mock OpenAI server, created
// the way a builder does it (studio.createFromTemplate, then runs.start on the draft): the content
// pipeline through its quality gate to the editor's review and on to the end, and the A/B model
// comparison with both models called in parallel before the judge.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@/db/client';
import { testDatabases } from '../support/databases';
import { type EngineHarness, startEngineHarness } from '../support/engine-harness';
import { type ChatCompletionRequest, type MockOpenAI, startMockOpenAI } from '../support/mock-openai';
import { registerEngine, signUpUser } from '../support/trpc-harness';

const OUTLINE = '- What tide pools are\n- Who lives there';
const DRAFT = 'Tide pools are small worlds left behind by the sea.';
const REWRITTEN = 'Tide pools: small worlds the sea leaves behind, full of life.';

function lastUserText(req: ChatCompletionRequest): string {
  const user = [...req.messages].reverse().find((m) => m.role === 'user');
  return typeof user?.content === 'string' ? user.content : '';
}

describe.each(testDatabases())('templates end to end on $name', ({ open }) => {
  let database: Database;
  let h: EngineHarness;
  let model: MockOpenAI;
  let owner: Awaited<ReturnType<typeof signUpUser>>;
  let ws: { workspaceId: string };
  /** The quality check's verdict on the next draft. */
  let score = 6;

  beforeAll(async () => {
    database = await open();
    h = await startEngineHarness(database);
    registerEngine(database.db, h.runtime.engine);
    model = await startMockOpenAI({
      apiKey: 'sk-mock',
      reply: (req) => {
        const text = lastUserText(req);
        const schema = JSON.stringify(req.response_format ?? {});
        if (schema.includes('winner')) return JSON.stringify({ winner: 'B', reasoning: 'B is shorter' });
        if (schema.includes('score')) return JSON.stringify({ score, feedback: 'Open with a scene.' });
        if (text.startsWith('Write an outline')) return OUTLINE;
        if (text.startsWith('Write an article')) return DRAFT;
        if (text.startsWith('Rewrite this article')) return REWRITTEN;
        return `Answer from ${req.model}`;
      },
    });
    owner = await signUpUser(database.db, 'template-runner');
    ws = { workspaceId: owner.workspaceId };
    await owner.caller.providers.create({
      ...ws,
      name: 'Mock AI',
      baseUrl: model.url,
      apiKey: 'sk-mock',
      defaultModel: 'mock-gpt',
      isDefault: true,
    });
  });
  afterAll(async () => {
    await h.close();
    await model.close();
    await database.close();
  });

  const runTemplate = async (templateId: string, inputs: Record<string, unknown>) => {
    const app = await owner.caller.studio.createFromTemplate({ ...ws, templateId });
    const { runId } = await owner.caller.runs.start({ ...ws, appId: app.id, inputs });
    return runId;
  };

  it('content pipeline: outline, draft, a low score sends it to the rewrite, then the editor decides', async () => {
    score = 6;
    const runId = await runTemplate('content-pipeline', { topic: 'Tide pools' });
    await h.waitFor(runId, ['paused']);
    const paused = await owner.caller.runs.get({ ...ws, runId });
    expect(paused.status).toBe('paused');
    expect(paused.nodes.outline?.output).toMatchObject({ text: OUTLINE });
    expect(paused.nodes.quality?.output).toMatchObject({
      json: { score: 6, feedback: 'Open with a scene.' },
    });
    expect(paused.nodes.check?.output).toEqual({ branch: 'else' });
    expect(paused.nodes.rewrite?.output).toMatchObject({ text: REWRITTEN });
    expect(paused.nodes.pick?.output).toEqual({ value: REWRITTEN, from: 'rewritten' });
    // Waiting for the editor: the review has no result yet and the end has not run.
    expect((await h.events(runId)).at(-1)).toMatchObject({
      type: 'paused',
      data: { waitingFor: ['review:review'] },
    });
    expect(paused.nodes.review).toBeUndefined();
    expect(paused.nodes.end).toBeUndefined();
    // The inputs reached the prompts (the audience from its default), and the draft saw the outline.
    const prompts = model.requests.map((r) => lastUserText(r.body as ChatCompletionRequest));
    expect(prompts).toContain(
      'Write an outline of 5 to 7 bullet points for an article about Tide pools for general readers.',
    );
    expect(prompts.some((p) => p.startsWith('Write an article') && p.includes(OUTLINE))).toBe(true);

    await owner.caller.runs.signal({
      ...ws,
      runId,
      name: 'review:review',
      payload: { decision: 'edit', data: { article: 'Edited by the editor' }, comment: 'tightened' },
    });
    const finished = await h.waitFor(runId);
    expect(finished.status).toBe('succeeded');
    expect(finished.outputs).toEqual({
      decision: 'edit',
      article: 'Edited by the editor',
      score: 6,
      comment: 'tightened',
    });
  });

  it('content pipeline: a good score skips the rewrite', async () => {
    score = 9;
    const runId = await runTemplate('content-pipeline', { topic: 'Lighthouses', audience: 'children' });
    await h.waitFor(runId, ['paused']);
    const paused = await owner.caller.runs.get({ ...ws, runId });
    expect(paused.nodes.check?.output).toEqual({ branch: 'good' });
    expect(paused.nodes.rewrite?.status).toBe('skipped');
    expect(paused.nodes.pick?.output).toEqual({ value: DRAFT, from: 'original' });
    await owner.caller.runs.cancel({ ...ws, runId });
  });

  it('A/B comparison: both models answer in parallel, then the judge picks one', async () => {
    model.reset();
    const runId = await runTemplate('ab-model-comparison', {
      prompt: 'Name a colour',
      modelA: 'mock-gpt',
      modelB: 'mock-gpt-mini',
    });
    const run = await h.waitFor(runId);
    expect(run.status).toBe('succeeded');
    expect(run.outputs).toEqual({
      modelA: 'mock-gpt',
      modelB: 'mock-gpt-mini',
      answerA: 'Answer from mock-gpt',
      answerB: 'Answer from mock-gpt-mini',
      winner: 'B',
      reasoning: 'B is shorter',
    });
    const calls = model.requests.filter((r) => r.path === '/v1/chat/completions');
    expect(calls).toHaveLength(3);
    const bodies = calls.map((r) => r.body as ChatCompletionRequest);
    // The judge comes last (it needs both answers) and sees both of them.
    expect(
      bodies
        .slice(0, 2)
        .map((b) => b.model)
        .sort(),
    ).toEqual(['mock-gpt', 'mock-gpt-mini']);
    expect(lastUserText(bodies[2] as ChatCompletionRequest)).toContain(
      'Answer B:\nAnswer from mock-gpt-mini',
    );
    expect(bodies[2]?.model).toBe('mock-gpt');
  });
});
