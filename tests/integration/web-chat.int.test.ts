// The web chat settings service against real databases: enabling creates a URL-safe public token
// (once), disabling and rotating retire links, allowed origins are validated and normalised, only
// chat apps qualify, the public lookup by token sees enabled chat apps only, and everything is
// scoped to the app's workspace.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@/db/client';
import { DomainError } from '@/server/errors';
import {
  checkAllowedOrigins,
  disableWebChat,
  enableWebChat,
  findWebChatByToken,
  getWebChat,
  normalizeOrigin,
  rotateWebChatToken,
  setAllowedOrigins,
} from '@/server/services/web-chat-service';
import { testDatabases } from '../support/databases';
import { signUpUser } from '../support/trpc-harness';

async function errorOf(promise: Promise<unknown>): Promise<DomainError | undefined> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  return undefined;
}

describe('allowed origins', () => {
  it('normalises origins and refuses anything else', () => {
    expect(normalizeOrigin('https://Example.com/')).toBe('https://example.com');
    expect(normalizeOrigin('http://127.0.0.1:1234')).toBe('http://127.0.0.1:1234');
    expect(normalizeOrigin('https://example.com:443')).toBe('https://example.com');
    for (const bad of [
      'example.com',
      'ftp://example.com',
      'https://example.com/path',
      'https://example.com?x=1',
      'https://user@example.com',
      'javascript:alert(1)',
      '*',
      '',
    ])
      expect(normalizeOrigin(bad), bad).toBeNull();
    expect(checkAllowedOrigins(['https://a.test', 'https://a.test/', 'http://b.test:8080'])).toEqual([
      'https://a.test',
      'http://b.test:8080',
    ]);
  });
});

describe.each(testDatabases())('web chat on $name', ({ open }) => {
  let database: Database;
  let owner: Awaited<ReturnType<typeof signUpUser>>;
  let chatAppId: string;
  let flowAppId: string;
  let strangerWs: string;

  beforeAll(async () => {
    database = await open();
    owner = await signUpUser(database.db, 'web-chat-owner');
    const ws = { workspaceId: owner.workspaceId };
    chatAppId = (await owner.caller.apps.create({ ...ws, name: 'Help bot', kind: 'chat' })).id;
    flowAppId = (await owner.caller.apps.create({ ...ws, name: 'Flow', kind: 'workflow' })).id;
    strangerWs = (await signUpUser(database.db, 'web-chat-stranger')).workspaceId;
  });
  afterAll(() => database.close());

  it('enables a chat app once, with a URL-safe token found by the public lookup', async () => {
    const db = database.db;
    expect(await getWebChat(db, owner.workspaceId, chatAppId)).toEqual({ kind: 'chat', webChat: null });
    const first = await enableWebChat(db, owner.user.id, owner.workspaceId, chatAppId);
    expect(first.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(first).toMatchObject({ enabled: true, allowedOrigins: [] });
    const again = await enableWebChat(db, owner.user.id, owner.workspaceId, chatAppId);
    expect(again.token).toBe(first.token);
    const found = await findWebChatByToken(db, first.token);
    expect(found).toMatchObject({ appId: chatAppId, workspaceId: owner.workspaceId, app: { kind: 'chat' } });
    expect(await findWebChatByToken(db, 'x'.repeat(32))).toBeNull();
    expect(await findWebChatByToken(db, "'; drop table web_chats; --")).toBeNull();
  });

  it('disabling hides it from the public lookup; enabling keeps the same token', async () => {
    const db = database.db;
    const { token } = await enableWebChat(db, owner.user.id, owner.workspaceId, chatAppId);
    const disabled = await disableWebChat(db, owner.user.id, owner.workspaceId, chatAppId);
    expect(disabled.enabled).toBe(false);
    expect(await findWebChatByToken(db, token)).toBeNull();
    expect((await enableWebChat(db, owner.user.id, owner.workspaceId, chatAppId)).token).toBe(token);
    expect(await findWebChatByToken(db, token)).not.toBeNull();
  });

  it('rotating the token retires the old one', async () => {
    const db = database.db;
    const before = (await getWebChat(db, owner.workspaceId, chatAppId)).webChat;
    const after = await rotateWebChatToken(db, owner.user.id, owner.workspaceId, chatAppId);
    expect(after.token).not.toBe(before?.token);
    expect(await findWebChatByToken(db, before?.token as string)).toBeNull();
    expect(await findWebChatByToken(db, after.token)).not.toBeNull();
  });

  it('stores validated allowed origins and names a bad one', async () => {
    const db = database.db;
    const saved = await setAllowedOrigins(db, owner.user.id, owner.workspaceId, chatAppId, [
      'https://shop.example.com/',
      'http://127.0.0.1:4000',
    ]);
    expect(saved.allowedOrigins).toEqual(['https://shop.example.com', 'http://127.0.0.1:4000']);
    const bad = await errorOf(
      setAllowedOrigins(db, owner.user.id, owner.workspaceId, chatAppId, ['https://ok.test', 'not a url']),
    );
    expect(bad).toMatchObject({ code: 'BAD_REQUEST', field: 'allowedOrigins.1' });
    expect((await getWebChat(db, owner.workspaceId, chatAppId)).webChat?.allowedOrigins).toEqual(
      saved.allowedOrigins,
    );
  });

  it('refuses workflow apps, and apps without a web chat yet', async () => {
    const db = database.db;
    expect(await errorOf(enableWebChat(db, owner.user.id, owner.workspaceId, flowAppId))).toMatchObject({
      code: 'BAD_REQUEST',
    });
    expect((await errorOf(disableWebChat(db, owner.user.id, owner.workspaceId, flowAppId)))?.code).toBe(
      'NOT_FOUND',
    );
  });

  it("another workspace cannot see or change the app's web chat", async () => {
    const db = database.db;
    const before = (await getWebChat(db, owner.workspaceId, chatAppId)).webChat;
    for (const attempt of [
      () => getWebChat(db, strangerWs, chatAppId),
      () => enableWebChat(db, owner.user.id, strangerWs, chatAppId),
      () => disableWebChat(db, owner.user.id, strangerWs, chatAppId),
      () => rotateWebChatToken(db, owner.user.id, strangerWs, chatAppId),
      () => setAllowedOrigins(db, owner.user.id, strangerWs, chatAppId, ['https://evil.test']),
    ])
      expect((await errorOf(attempt()))?.code).toBe('NOT_FOUND');
    expect((await getWebChat(db, owner.workspaceId, chatAppId)).webChat).toEqual(before);
  });

  it('goes with its app', async () => {
    const db = database.db;
    const { token } = await enableWebChat(db, owner.user.id, owner.workspaceId, chatAppId);
    await owner.caller.apps.delete({ workspaceId: owner.workspaceId, appId: chatAppId });
    expect(await findWebChatByToken(db, token)).toBeNull();
  });
});
