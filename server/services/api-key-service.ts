// API keys for the published API (/api/v1): one app each, created by editors in the studio and sent
// by integrators as `Authorization: Bearer app-…`. A token is shown once, when it is created; only
// its SHA-256 hash is stored (like session tokens), so a leaked database yields no usable key.
// Every studio-side query is scoped by workspace id and app id. Authentication results are kept in
// memory for a few seconds (the published API checks a key on every request): revoking a key, or
// changing or deleting its app, drops them at once in this process; other processes sharing the
// database stop accepting a revoked key within PUBLISHED_API_CACHE_TTL_MS.
import { randomBytes } from 'node:crypto';
import { and, desc, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '@/db/client';
import { apiKeys, apps } from '@/db/schema';
import { hashToken } from '@/server/auth/tokens';
import { badInput, notFound } from '@/server/errors';
import { onAppChanged, PUBLISHED_API_CACHE_TTL_MS, TtlCache } from './app-changes';
import { recordAudit } from './audit';

export const API_KEY_PREFIX = 'app-';
export const API_KEY_NAME_MAX = 100;
/** `app-` and 32 random bytes in base64url (43 characters, no padding). */
const TOKEN_SHAPE = /^app-[A-Za-z0-9_-]{43}$/;
/** Characters of the token kept in `prefix`: `app-` and 8 more, enough to tell keys apart. */
const SHOWN_LENGTH = API_KEY_PREFIX.length + 8;
/** last_used_at is refreshed at most this often per key, so most requests only read. */
const LAST_USED_GRANULARITY_MS = 60_000;

/** The columns anyone may see: never the hash (and the token itself is never stored). */
const visible = {
  id: apiKeys.id,
  appId: apiKeys.appId,
  name: apiKeys.name,
  prefix: apiKeys.prefix,
  createdBy: apiKeys.createdBy,
  createdAt: apiKeys.createdAt,
  lastUsedAt: apiKeys.lastUsedAt,
  revokedAt: apiKeys.revokedAt,
};

export interface ApiKeyPrincipal {
  keyId: string;
  workspaceId: string;
  appId: string;
}

/** The key's app, as the published API describes it. */
export interface ApiKeyApp {
  id: string;
  workspaceId: string;
  name: string;
  description: string;
  kind: 'chat' | 'workflow';
}

interface CachedKey {
  principal: ApiKeyPrincipal;
  app: ApiKeyApp;
  /** When this process last knew last_used_at to be fresh (ms since the epoch, 0: unknown). */
  lastUsedAt: number;
}

/** Authenticated keys by token hash; never unknown or revoked ones. */
const keyCache = new TtlCache<string, CachedKey>(PUBLISHED_API_CACHE_TTL_MS);
onAppChanged((appId) => keyCache.invalidate((_hash, entry) => entry.app.id === appId));

/** Forgets every cached authentication (tests that change keys behind the service's back). */
export function clearApiKeyCache(): void {
  keyCache.clear();
}

async function requireApp(db: DbOrTx, workspaceId: string, appId: string) {
  const [app] = await db
    .select({ id: apps.id })
    .from(apps)
    .where(and(eq(apps.id, appId), eq(apps.workspaceId, workspaceId)));
  if (!app) throw notFound('App');
}

function checkName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length < 1) throw badInput('name', 'is required');
  if (trimmed.length > API_KEY_NAME_MAX)
    throw badInput('name', `must be at most ${API_KEY_NAME_MAX} characters`);
  return trimmed;
}

/** Creates a key for an app. The token is in the result only; it cannot be retrieved later. */
export async function createApiKey(
  db: Db,
  actorId: string,
  workspaceId: string,
  appId: string,
  name: string,
) {
  const keyName = checkName(name);
  const token = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  const prefix = token.slice(0, SHOWN_LENGTH);
  return db.transaction(async (tx) => {
    await requireApp(tx, workspaceId, appId);
    const [key] = await tx
      .insert(apiKeys)
      .values({ workspaceId, appId, name: keyName, prefix, tokenHash: hashToken(token), createdBy: actorId })
      .returning(visible);
    if (!key) throw new Error('inserting the API key returned no row');
    await recordAudit(tx, {
      workspaceId,
      actorUserId: actorId,
      action: 'api_key.create',
      targetType: 'api_key',
      targetId: key.id,
      details: { appId, name: keyName, prefix },
    });
    return { key, token };
  });
}

/** An app's keys, newest first, revoked ones included (with revokedAt) so their history shows. */
export async function listApiKeys(db: Db, workspaceId: string, appId: string) {
  await requireApp(db, workspaceId, appId);
  return db
    .select(visible)
    .from(apiKeys)
    .where(and(eq(apiKeys.workspaceId, workspaceId), eq(apiKeys.appId, appId)))
    .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id));
}

/**
 * Revokes a key: requests with it are refused from now on. Revoking a revoked key changes nothing
 * and succeeds, so a retried click is harmless; the audit log records the first revocation only.
 */
export async function revokeApiKey(
  db: Db,
  actorId: string,
  workspaceId: string,
  appId: string,
  keyId: string,
) {
  // Before and after: no request of this process accepts the key once the revoke has committed
  // (an authentication that read the key meanwhile cannot store it: the cache's generation moved).
  keyCache.invalidate((_hash, entry) => entry.principal.keyId === keyId);
  const result = await db.transaction(async (tx) => {
    const scope = and(eq(apiKeys.id, keyId), eq(apiKeys.workspaceId, workspaceId), eq(apiKeys.appId, appId));
    const [revoked] = await tx
      .update(apiKeys)
      .set({ revokedAt: sql`now()` })
      .where(and(scope, isNull(apiKeys.revokedAt)))
      .returning(visible);
    if (!revoked) {
      const [existing] = await tx.select(visible).from(apiKeys).where(scope);
      if (!existing) throw notFound('API key');
      return existing;
    }
    await recordAudit(tx, {
      workspaceId,
      actorUserId: actorId,
      action: 'api_key.revoke',
      targetType: 'api_key',
      targetId: keyId,
      details: { appId, name: revoked.name, prefix: revoked.prefix },
    });
    return revoked;
  });
  keyCache.invalidate((_hash, entry) => entry.principal.keyId === keyId);
  return result;
}

/**
 * The app a bearer token grants access to, or null when the token is malformed, unknown or
 * revoked (callers answer 401 without saying which). See authenticateApiKeyWithApp.
 */
export async function authenticateApiKey(db: Db, token: string): Promise<ApiKeyPrincipal | null> {
  return (await authenticateApiKeyWithApp(db, token))?.principal ?? null;
}

/**
 * The key's principal and its app, or null (malformed, unknown or revoked token). One indexed read
 * by hash joined with the app, then served from memory for a few seconds (see the file comment).
 * last_used_at is refreshed at most once a minute per key, in the background, so the request does
 * not wait for a write; the update is conditional, so concurrent requests of the same minute (and
 * other processes) write once.
 */
export async function authenticateApiKeyWithApp(
  db: Db,
  token: string,
): Promise<{ principal: ApiKeyPrincipal; app: ApiKeyApp } | null> {
  if (typeof token !== 'string' || !TOKEN_SHAPE.test(token)) return null;
  const tokenHash = hashToken(token);
  const entry = await keyCache.getOrLoad(tokenHash, async (previous) => {
    const [row] = await db
      .select({
        keyId: apiKeys.id,
        lastUsedAt: apiKeys.lastUsedAt,
        app: {
          id: apps.id,
          workspaceId: apps.workspaceId,
          name: apps.name,
          description: apps.description,
          kind: apps.kind,
        },
      })
      .from(apiKeys)
      .innerJoin(apps, and(eq(apps.id, apiKeys.appId), eq(apps.workspaceId, apiKeys.workspaceId)))
      .where(and(eq(apiKeys.tokenHash, tokenHash), isNull(apiKeys.revokedAt)));
    if (!row) return undefined;
    const { app } = row;
    return {
      principal: { keyId: row.keyId, workspaceId: app.workspaceId, appId: app.id },
      app,
      // A stamp this process sent may not have been stored yet when the row was read.
      lastUsedAt: Math.max(row.lastUsedAt?.getTime() ?? 0, previous?.lastUsedAt ?? 0),
    };
  });
  if (!entry) return null;
  const now = Date.now();
  if (now - entry.lastUsedAt >= LAST_USED_GRANULARITY_MS) {
    entry.lastUsedAt = now;
    void touchLastUsed(db, entry.principal.keyId);
  }
  return { principal: { ...entry.principal }, app: { ...entry.app } };
}

async function touchLastUsed(db: Db, keyId: string): Promise<void> {
  try {
    await db
      .update(apiKeys)
      .set({ lastUsedAt: sql`now()` })
      .where(
        and(
          eq(apiKeys.id, keyId),
          or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, sql`now() - interval '1 minute'`)),
        ),
      );
  } catch {
    // Best effort: a missed last-used stamp must never fail or slow an API request (e.g. the
    // database closing during shutdown); the next request a minute later tries again.
  }
}
