// A node run context for testing model nodes against the mock OpenAI server: the mock is started
// and reset around each test, the provider points at it, and emitted events and reported usage are
// collected. Also runs a node spec the way the engine does (config parsed first).
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { type ChatMessage, type MockOpenAI, startMockOpenAI } from '@/tests/support/mock-openai';
import { type Json, StepError } from '@/workflows/interpreter/types';
import type { ModelTarget, NodeRunContext, NodeSpec, TokenUsage } from '@/workflows/nodes/node-spec';

export function modelNodeHarness(stepKey: string) {
  let mock: MockOpenAI | undefined;
  let defaultModel: string | undefined = 'mock-gpt';
  const events: { type: string; data: Json }[] = [];
  const usages: TokenUsage[] = [];

  beforeAll(async () => {
    mock = await startMockOpenAI();
  });
  afterAll(async () => {
    await mock?.close();
  });
  beforeEach(() => {
    mock?.reset();
    events.length = 0;
    usages.length = 0;
    defaultModel = 'mock-gpt';
  });

  const theMock = (): MockOpenAI => {
    if (!mock) throw new Error('the mock OpenAI server is not running');
    return mock;
  };
  const target = (): ModelTarget => ({
    providerName: 'Mock AI',
    baseURL: theMock().url,
    apiKey: 'sk-test',
    defaultModel,
    prices: { 'mock-gpt': { input: 1, output: 2 } },
  });
  const ctx: NodeRunContext = {
    runId: 'run1',
    workspaceId: 'ws1',
    stepKey,
    idempotencyKey: `run1:${stepKey}`,
    attempt: 1,
    signal: new AbortController().signal,
    log: () => {},
    emit: (type, data) => {
      events.push({ type, data });
    },
    reportUsage: (usage) => {
      usages.push(usage);
    },
    services: { modelTarget: async () => target() },
  };

  async function run<C>(spec: NodeSpec<C>, config: unknown): Promise<Record<string, Json>> {
    if (!spec.run) throw new Error(`${spec.type} has no run function`);
    return (await spec.run(spec.configSchema.parse(config), ctx)) as Record<string, Json>;
  }

  async function failure<C>(spec: NodeSpec<C>, config: unknown): Promise<StepError> {
    const err = await run(spec, config).then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!(err instanceof StepError)) throw new Error(`expected a StepError, got ${String(err)}`);
    return err;
  }

  /** The JSON body of the i-th request the mock received. */
  function sentBody(i: number): Record<string, unknown> {
    const request = theMock().requests[i];
    if (!request) throw new Error(`the mock received no request #${i}`);
    return request.body as Record<string, unknown>;
  }

  return {
    get mock() {
      return theMock();
    },
    events,
    usages,
    ctx,
    target,
    setDefaultModel: (model: string | undefined) => {
      defaultModel = model;
    },
    run,
    failure,
    sentBody,
    sentMessages: (i: number) => sentBody(i).messages as ChatMessage[],
  };
}
