// API keys against real databases: a created token authenticates as its app, is stored only as a
// hash and never listed, stops working when revoked; malformed and unknown tokens are refused;
// last use is recorded; only editors manage keys; bad names are refused naming the field.
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Database } from '@/db/client';
import { apiKeys, auditLog } from '@/db/schema';
import { hashToken } from '@/server/auth/tokens';
import { DomainError } from '@/server/errors';
import { authenticateApiKey, clearApiKeyCache, createApiKey } from '@/server/services/api-key-service';
import { testDatabases } from '../support/databases';
import { errorCodeOf, errorOf, httpMutation, signUpUser } from '../support/trpc-harness';

describe.each(testDatabases())('API keys on $name', ({ open }) => {
  let database: Database;
  let owner: Awaited<ReturnType<typeof signUpUser>>;
  let ws: { workspaceId: string };
  let appId: string;
  beforeAll(async () => {
    database = await open();
    owner = await signUpUser(database.db, 'integrator');
    ws = { workspaceId: owner.workspaceId };
    appId = (await owner.caller.apps.create({ ...ws, name: 'Help bot', kind: 'chat' })).id;
  });
  afterAll(() => database.close());

  it('creates a key whose token authenticates as its app, stored only as a hash', async () => {
    const { key, token } = await owner.caller.apiKeys.create({ ...ws, appId, name: '  Website  ' });
    expect(token).toMatch(/^app-[A-Za-z0-9_-]{43}$/);
    expect(key).toMatchObject({ appId, name: 'Website', prefix: token.slice(0, 12), lastUsedAt: null });
    expect(key.prefix).toMatch(/^app-.{8}$/);
    expect(key).not.toHaveProperty('tokenHash');

    expect(await authenticateApiKey(database.db, token)).toEqual({
      keyId: key.id,
      workspaceId: ws.workspaceId,
      appId,
    });

    const [row] = await database.db.select().from(apiKeys).where(eq(apiKeys.id, key.id));
    expect(row?.tokenHash).toBe(hashToken(token));
    expect(JSON.stringify(row)).not.toContain(token);
    const [audit] = await database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'api_key.create'), eq(auditLog.targetId, key.id)));
    expect(JSON.stringify(audit?.details)).not.toContain(token);
  });

  it('lists keys with prefix and name, never a hash or a token', async () => {
    const other = await owner.caller.apps.create({ ...ws, name: 'Other app', kind: 'workflow' });
    const first = await owner.caller.apiKeys.create({ ...ws, appId, name: 'Mobile' });
    const second = await owner.caller.apiKeys.create({ ...ws, appId, name: 'Backend' });
    await owner.caller.apiKeys.create({ ...ws, appId: other.id, name: 'Elsewhere' });

    const listed = await owner.caller.apiKeys.list({ ...ws, appId });
    // Newest first, only this app's keys.
    expect(listed.slice(0, 2).map((k) => k.name)).toEqual(['Backend', 'Mobile']);
    expect(listed.map((k) => k.name)).not.toContain('Elsewhere');
    for (const k of listed) {
      expect(Object.keys(k).sort()).toEqual(
        ['appId', 'createdAt', 'createdBy', 'id', 'lastUsedAt', 'name', 'prefix', 'revokedAt'].sort(),
      );
    }
    const text = JSON.stringify(listed);
    for (const { token } of [first, second]) {
      expect(text).not.toContain(token);
      expect(text).not.toContain(hashToken(token));
    }
    expect(await authenticateApiKey(database.db, second.token)).toMatchObject({ appId });
  });

  it('refuses a revoked key; revoking again changes nothing', async () => {
    const { key, token } = await owner.caller.apiKeys.create({ ...ws, appId, name: 'Short-lived' });
    expect(await authenticateApiKey(database.db, token)).not.toBeNull();

    const revoked = await owner.caller.apiKeys.revoke({ ...ws, appId, keyId: key.id });
    expect(revoked.revokedAt).toBeInstanceOf(Date);
    expect(await authenticateApiKey(database.db, token)).toBeNull();

    const again = await owner.caller.apiKeys.revoke({ ...ws, appId, keyId: key.id });
    expect(again.revokedAt).toEqual(revoked.revokedAt);
    const revocations = await database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'api_key.revoke'), eq(auditLog.targetId, key.id)));
    expect(revocations).toHaveLength(1);

    const listed = await owner.caller.apiKeys.list({ ...ws, appId });
    expect(listed.find((k) => k.id === key.id)?.revokedAt).toEqual(revoked.revokedAt);

    // Under another of the workspace's apps the key does not exist.
    const other = await owner.caller.apps.create({ ...ws, name: 'Not the key’s app', kind: 'chat' });
    expect(await errorCodeOf(owner.caller.apiKeys.revoke({ ...ws, appId: other.id, keyId: key.id }))).toBe(
      'NOT_FOUND',
    );
  });

  it('refuses malformed and unknown tokens', async () => {
    const { token } = await owner.caller.apiKeys.create({ ...ws, appId, name: 'Real' });
    const unknown = `app-${'A'.repeat(43)}`;
    const candidates = [
      '',
      'app-',
      'Bearer x',
      token.slice(4), // without the prefix
      `${token}x`, // one character too many
      token.slice(0, -1), // one too few
      `sk-${token.slice(4)}`,
      `${token.slice(0, 10)}!${token.slice(11)}`, // not base64url
      hashToken(token), // the stored hash is not a token
      unknown,
    ];
    for (const candidate of candidates) {
      expect(await authenticateApiKey(database.db, candidate), candidate).toBeNull();
    }
    expect(await authenticateApiKey(database.db, undefined as unknown as string)).toBeNull();
  });

  it('records the last use, at most once a minute', async () => {
    const { key, token } = await owner.caller.apiKeys.create({ ...ws, appId, name: 'Used' });
    const lastUsed = async () =>
      (await database.db.select().from(apiKeys).where(eq(apiKeys.id, key.id)))[0]?.lastUsedAt ?? null;
    expect(await lastUsed()).toBeNull();

    await authenticateApiKey(database.db, token);
    // Stamped in the background, so the request does not wait for the write.
    await vi.waitFor(async () => expect(await lastUsed()).toBeInstanceOf(Date));
    const first = await lastUsed();
    const listed = await owner.caller.apiKeys.list({ ...ws, appId });
    expect(listed.find((k) => k.id === key.id)?.lastUsedAt).toEqual(first);

    // A second use within the minute writes nothing.
    await authenticateApiKey(database.db, token);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await lastUsed()).toEqual(first);

    // Once the stamp is older than a minute, the next use refreshes it (here the stamp is aged
    // behind the service's back, so its few seconds of memory of the key are dropped first).
    await database.db
      .update(apiKeys)
      .set({ lastUsedAt: new Date(Date.now() - 5 * 60_000) })
      .where(eq(apiKeys.id, key.id));
    clearApiKeyCache();
    await authenticateApiKey(database.db, token);
    await vi.waitFor(async () => expect((await lastUsed())?.getTime()).toBeGreaterThan(Date.now() - 60_000));
  });

  it('lets editors manage keys and refuses viewers', async () => {
    const editorInvite = await owner.caller.workspace.invite({ ...ws, role: 'editor' });
    const editor = await signUpUser(database.db, 'key-editor', editorInvite.token);
    const created = await editor.caller.apiKeys.create({ ...ws, appId, name: 'By an editor' });
    expect(created.key.createdBy).toBe(editor.user.id);
    expect((await editor.caller.apiKeys.list({ ...ws, appId })).map((k) => k.id)).toContain(created.key.id);

    const viewerInvite = await owner.caller.workspace.invite({ ...ws, role: 'viewer' });
    const viewer = await signUpUser(database.db, 'key-viewer', viewerInvite.token);
    const before = await database.db.select().from(apiKeys).where(eq(apiKeys.appId, appId));
    expect(await errorCodeOf(viewer.caller.apiKeys.create({ ...ws, appId, name: 'Sneaky' }))).toBe(
      'FORBIDDEN',
    );
    expect(await errorCodeOf(viewer.caller.apiKeys.list({ ...ws, appId }))).toBe('FORBIDDEN');
    expect(await errorCodeOf(viewer.caller.apiKeys.revoke({ ...ws, appId, keyId: created.key.id }))).toBe(
      'FORBIDDEN',
    );
    expect(await database.db.select().from(apiKeys).where(eq(apiKeys.appId, appId))).toEqual(before);
  });

  it('refuses a bad name naming the field, and writes nothing', async () => {
    const before = await database.db.select().from(apiKeys).where(eq(apiKeys.appId, appId));
    for (const name of ['', '   ', 'x'.repeat(101)]) {
      const res = await httpMutation(database.db, 'apiKeys.create', { ...ws, appId, name }, owner.token);
      expect(res.status).toBe(400);
      expect(res.error?.data.code).toBe('BAD_REQUEST');
      expect(res.error?.data.field).toBe('name');
    }
    const error = await errorOf(owner.caller.apiKeys.create({ ...ws, appId, name: ' ' }));
    expect(error.code).toBe('BAD_REQUEST');
    // The service checks names on its own too (the published API's callers bypass tRPC's schema).
    const direct = await createApiKey(database.db, owner.user.id, ws.workspaceId, appId, '').catch((e) => e);
    expect(direct).toBeInstanceOf(DomainError);
    expect(direct).toMatchObject({ code: 'BAD_REQUEST', field: 'name' });
    expect(await database.db.select().from(apiKeys).where(eq(apiKeys.appId, appId))).toEqual(before);
  });

  it('answers NOT_FOUND for an unknown app or key', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    expect(await errorCodeOf(owner.caller.apiKeys.create({ ...ws, appId: missing, name: 'x' }))).toBe(
      'NOT_FOUND',
    );
    expect(await errorCodeOf(owner.caller.apiKeys.list({ ...ws, appId: missing }))).toBe('NOT_FOUND');
    expect(await errorCodeOf(owner.caller.apiKeys.revoke({ ...ws, appId, keyId: missing }))).toBe(
      'NOT_FOUND',
    );
  });

  it('a key goes with its app', async () => {
    const doomed = await owner.caller.apps.create({ ...ws, name: 'Doomed', kind: 'chat' });
    const { token } = await owner.caller.apiKeys.create({ ...ws, appId: doomed.id, name: 'Orphan' });
    await owner.caller.apps.delete({ ...ws, appId: doomed.id });
    expect(await authenticateApiKey(database.db, token)).toBeNull();
    expect(await database.db.select().from(apiKeys).where(eq(apiKeys.appId, doomed.id))).toEqual([]);
  });
});
