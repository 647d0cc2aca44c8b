// Model providers: keys encrypted at rest and never returned, one default per workspace, a "test
// connection" against the mock OpenAI server, and the environment's key as the fallback.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@/db/client';
import { modelProviders } from '@/db/schema';
import { resolveModelTarget } from '@/server/services/provider-service';
import { testDatabases } from '../support/databases';
import { type MockOpenAI, startMockOpenAI } from '../support/mock-openai';
import { errorOf, signUpUser } from '../support/trpc-harness';

const APP_SECRET = process.env.APP_SECRET ?? '';

describe.each(testDatabases())('model providers on $name', ({ open }) => {
  let database: Database;
  let model: MockOpenAI;
  let owner: Awaited<ReturnType<typeof signUpUser>>;
  let ws: { workspaceId: string };
  beforeAll(async () => {
    database = await open();
    model = await startMockOpenAI({ apiKey: 'sk-right' });
    owner = await signUpUser(database.db, 'models-owner');
    ws = { workspaceId: owner.workspaceId };
  });
  afterAll(async () => {
    await model.close();
    await database.close();
  });

  it('stores the key encrypted, never returns it, and keeps one default', async () => {
    const first = await owner.caller.providers.create({
      ...ws,
      name: 'Local',
      baseUrl: model.url,
      apiKey: 'sk-right',
      defaultModel: 'mock-gpt',
      prices: { 'mock-gpt': { input: 1, output: 2 } },
      isDefault: true,
    });
    const second = await owner.caller.providers.create({
      ...ws,
      name: 'Other',
      baseUrl: model.url,
      apiKey: 'sk-wrong',
      isDefault: true,
    });
    const [row] = await database.db.select().from(modelProviders).where(eq(modelProviders.id, first.id));
    expect(row?.apiKeyEncrypted).not.toContain('sk-right');
    const listed = await owner.caller.providers.list(ws);
    expect(JSON.stringify(listed)).not.toContain('sk-right');
    expect(listed.map((p) => [p.name, p.isDefault])).toEqual([
      ['Local', false],
      ['Other', true],
    ]);
    const target = await resolveModelTarget(database.db, { APP_SECRET }, ws.workspaceId, first.id);
    expect(target).toMatchObject({ providerName: 'Local', apiKey: 'sk-right', defaultModel: 'mock-gpt' });
    expect((await resolveModelTarget(database.db, { APP_SECRET }, ws.workspaceId)).providerName).toBe(
      'Other',
    );
    expect((await errorOf(owner.caller.providers.create({ ...ws, name: 'Local', apiKey: 'x' }))).code).toBe(
      'CONFLICT',
    );
    await owner.caller.providers.update({ ...ws, providerId: second.id, name: 'Other', isDefault: false });
  });

  it('tests a connection: models with the right key, a message naming the provider otherwise', async () => {
    const providers = await owner.caller.providers.list(ws);
    const local = providers.find((p) => p.name === 'Local');
    const other = providers.find((p) => p.name === 'Other');
    const ok = await owner.caller.providers.testConnection({ ...ws, providerId: local?.id ?? '' });
    expect(ok).toMatchObject({ ok: true });
    expect(ok.ok && ok.models).toContain('mock-gpt');
    const bad = await owner.caller.providers.testConnection({ ...ws, providerId: other?.id ?? '' });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.message).toMatch(/^Other: HTTP 401/);
  });

  it('falls back to OPENAI_API_KEY / OPENAI_BASE_URL, and says so when there is nothing', async () => {
    const lonely = await signUpUser(database.db, 'no-models');
    const fallback = await resolveModelTarget(
      database.db,
      { APP_SECRET, OPENAI_API_KEY: 'sk-env', OPENAI_BASE_URL: model.url },
      lonely.workspaceId,
    );
    expect(fallback).toMatchObject({ apiKey: 'sk-env', baseURL: model.url });
    await expect(resolveModelTarget(database.db, { APP_SECRET }, lonely.workspaceId)).rejects.toMatchObject({
      code: 'llm_no_provider',
    });
  });

  it('only owners manage providers; editors may list them', async () => {
    const { token } = await owner.caller.workspace.invite({ ...ws, role: 'editor' });
    const editor = await signUpUser(database.db, 'models-editor', token);
    expect((await editor.caller.providers.list(ws)).length).toBe(2);
    expect((await errorOf(editor.caller.providers.create({ ...ws, name: 'Mine', apiKey: 'k' }))).code).toBe(
      'FORBIDDEN',
    );
  });
});
