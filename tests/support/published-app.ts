// The set-up the published-API and embed e2e suites share on a running Weft server: sign up,
// register the mock OpenAI provider, create and publish an app with a definition, and create an
// API key for it — all through tRPC (weftHttpClient, or any caller with the same shape).
import type { Page } from 'playwright-core';
import type { MockOpenAI } from './mock-openai';
import { weftHttpClient } from './weft-http-client';

/** Anything that calls tRPC procedures the way weftHttpClient does. */
export interface TrpcCaller {
  call(procedure: string, input: unknown): Promise<Record<string, unknown>>;
  query(procedure: string, input: unknown): Promise<Record<string, unknown>>;
}

/** A node position for app definitions (layout does not matter to the tests). */
export const pos = { x: 0, y: 0 };

/** A definition edge from `source` (its `sourceHandle`, the default one when null) to `target`. */
export const edge = (source: string, target: string, sourceHandle: string | null = null) => ({
  id: `${source}_${target}`,
  source,
  sourceHandle,
  target,
  targetHandle: null,
});

/** Signs up a new user over HTTP; the returned client carries its session cookie. */
export async function signUpOverHttp(serverUrl: string, user: { email: string; name: string }) {
  const client = weftHttpClient(serverUrl);
  const { workspaceId } = (await client.call('auth.signUp', {
    email: user.email,
    password: 'Correct-Horse-42',
    name: user.name,
  })) as { workspaceId: string };
  return { client, workspaceId };
}

/** Signs up a new user through the studio's sign-up page; returns their workspace id. */
export async function signUpInBrowser(page: Page, serverUrl: string, user: { email: string; name: string }) {
  await page.goto(`${serverUrl}/sign-up`);
  await page.getByLabel('Name').fill(user.name);
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill('Correct-Horse-42');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL(/\/studio\/[0-9a-f-]{36}$/);
  return new URL(page.url()).pathname.split('/')[2] ?? '';
}

/** A tRPC caller over the page's request context (it shares the browser's session cookie). */
export function pageTrpc(page: () => Page, serverUrl: () => string) {
  return async (procedure: string, input: unknown) => {
    const res = await page().request.post(`${serverUrl()}/api/trpc/${procedure}`, {
      headers: { 'content-type': 'application/json', origin: serverUrl() },
      data: { json: input },
    });
    const body = (await res.json()) as { result?: { data: { json: unknown } } };
    if (res.status() !== 200) throw new Error(`${procedure}: ${JSON.stringify(body)}`);
    return body.result?.data.json as Record<string, unknown>;
  };
}

/** Registers the mock OpenAI server as the workspace's default provider ("Mock AI", key sk-e2e). */
export async function addMockProvider(
  client: Pick<TrpcCaller, 'call'>,
  workspaceId: string,
  model: MockOpenAI,
  defaultModel = 'mock-gpt',
) {
  await client.call('providers.create', {
    workspaceId,
    name: 'Mock AI',
    baseUrl: model.url,
    apiKey: 'sk-e2e',
    defaultModel,
    isDefault: true,
  });
}

/** Creates an app, saves `definition` as its draft (when given) and publishes it (unless told not to). */
export async function publishApp(
  client: TrpcCaller,
  workspaceId: string,
  app: {
    name: string;
    kind: 'chat' | 'workflow';
    definition?: unknown;
    description?: string;
    publish?: boolean;
  },
) {
  const { name, kind, definition, description, publish = true } = app;
  const created = (await client.call('apps.create', {
    workspaceId,
    name,
    kind,
    ...(description === undefined ? {} : { description }),
  })) as { id: string };
  const appId = created.id;
  if (definition) {
    const draft = (await client.query('apps.getDraft', { workspaceId, appId })) as { revision: number };
    await client.call('apps.saveDraft', { workspaceId, appId, baseRevision: draft.revision, definition });
  }
  if (publish) await client.call('apps.publish', { workspaceId, appId });
  return { appId };
}

/** Creates an API key for the app; returns its id and the (only once shown) token. */
export async function createApiKey(
  client: Pick<TrpcCaller, 'call'>,
  workspaceId: string,
  appId: string,
  name: string,
) {
  const created = (await client.call('apiKeys.create', { workspaceId, appId, name })) as {
    key: { id: string };
    token: string;
  };
  return { keyId: created.key.id, token: created.token };
}

/** start { query } → LLM (streaming, on the workspace's default provider) → answer: a chat app. */
export const chatbotDefinition = {
  schemaVersion: 1,
  nodes: [
    {
      id: 'start',
      type: 'start',
      title: 'Start',
      config: { inputs: [{ name: 'query', type: 'string', required: true }] },
      position: pos,
    },
    {
      id: 'reply',
      type: 'llm',
      title: 'Reply',
      config: { messages: [{ role: 'user', content: '{{start.query}}' }], stream: true },
      position: pos,
    },
    { id: 'answer', type: 'answer', title: 'Answer', config: { text: '{{reply.text}}' }, position: pos },
  ],
  edges: [edge('start', 'reply'), edge('reply', 'answer')],
};

/** start { name } → template "Hello, {{start.name}}!" → end { greeting }: one node between start and end. */
export const greeterDefinition = {
  schemaVersion: 1,
  nodes: [
    {
      id: 'start',
      type: 'start',
      title: 'Start',
      config: { inputs: [{ name: 'name', type: 'string', required: true }] },
      position: pos,
    },
    {
      id: 'greet',
      type: 'template',
      title: 'Greet',
      config: { template: 'Hello, {{start.name}}!' },
      position: pos,
    },
    {
      id: 'end',
      type: 'end',
      title: 'End',
      config: { outputs: { greeting: '{{greet.text}}' } },
      position: pos,
    },
  ],
  edges: [edge('start', 'greet'), edge('greet', 'end')],
};

/** start {ms} → delay → end {slept}: a run that stays in flight as long as asked. */
export const sleeperDefinition = {
  schemaVersion: 1,
  nodes: [
    {
      id: 'start',
      type: 'start',
      title: 'Start',
      config: { inputs: [{ name: 'ms', type: 'number', required: true }] },
      position: pos,
    },
    { id: 'wait', type: 'delay', title: 'Wait', config: { ms: '{{start.ms}}' }, position: pos },
    {
      id: 'end',
      type: 'end',
      title: 'End',
      config: { outputs: { slept: '{{wait.sleptMs}}' } },
      position: pos,
    },
  ],
  edges: [edge('start', 'wait'), edge('wait', 'end')],
};
