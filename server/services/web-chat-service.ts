// An app's public web chat: the page /chat/<token> and the /embed.js bubble. Editors enable it
// (which creates the public token), disable it, rotate the token (old links and snippets stop
// working) and list the other sites allowed to embed it and call its endpoints from a browser.
// The token is public by design, so it is stored as is. Studio-side queries are scoped by
// workspace id and app id; the public side looks a web chat up by its token alone.
import { randomBytes } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '@/db/client';
import { apps, webChats } from '@/db/schema';
import { badInput, notFound } from '@/server/errors';
import { recordAudit } from './audit';

export const MAX_ALLOWED_ORIGINS = 20;
/** 24 random bytes in base64url: 32 URL-safe characters. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{32}$/;

export interface WebChatSettings {
  appId: string;
  token: string;
  enabled: boolean;
  allowedOrigins: string[];
  createdAt: Date;
  updatedAt: Date;
}

const columns = {
  appId: webChats.appId,
  token: webChats.token,
  enabled: webChats.enabled,
  allowedOrigins: webChats.allowedOrigins,
  createdAt: webChats.createdAt,
  updatedAt: webChats.updatedAt,
};

const newToken = () => randomBytes(24).toString('base64url');

/** Whether a string can be a web chat token at all (anything else is looked up as not found). */
export const isWebChatToken = (token: string) => TOKEN_SHAPE.test(token);

/**
 * An origin as browsers send it (`https://example.com`, `http://127.0.0.1:1234`): http or https,
 * a host, an optional port, and nothing else. Returns the normalised form, or null.
 */
export function normalizeOrigin(value: string): string | null {
  const text = value.trim();
  if (!/^https?:\/\/[^/?#\s]+\/?$/i.test(text)) return null;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (url.username || url.password || !url.hostname) return null;
  return url.origin;
}

async function requireApp(db: DbOrTx, workspaceId: string, appId: string) {
  const [app] = await db
    .select({ id: apps.id, kind: apps.kind })
    .from(apps)
    .where(and(eq(apps.id, appId), eq(apps.workspaceId, workspaceId)));
  if (!app) throw notFound('App');
  return app;
}

async function current(db: DbOrTx, workspaceId: string, appId: string): Promise<WebChatSettings | null> {
  const [row] = await db
    .select(columns)
    .from(webChats)
    .where(and(eq(webChats.appId, appId), eq(webChats.workspaceId, workspaceId)));
  return row ?? null;
}

/** The app's kind and its web chat (null until it is first enabled). */
export async function getWebChat(db: DbOrTx, workspaceId: string, appId: string) {
  const app = await requireApp(db, workspaceId, appId);
  return { kind: app.kind, webChat: await current(db, workspaceId, appId) };
}

async function audit(db: DbOrTx, actorId: string, workspaceId: string, appId: string, action: string) {
  await recordAudit(db, {
    workspaceId,
    actorUserId: actorId,
    action: `web_chat.${action}`,
    targetType: 'app',
    targetId: appId,
    details: {},
  });
}

async function update(
  db: DbOrTx,
  workspaceId: string,
  appId: string,
  values: Partial<{ enabled: boolean; token: string; allowedOrigins: string[] }>,
): Promise<WebChatSettings> {
  const [row] = await db
    .update(webChats)
    .set({ ...values, updatedAt: sql`now()` })
    .where(and(eq(webChats.appId, appId), eq(webChats.workspaceId, workspaceId)))
    .returning(columns);
  if (!row) throw notFound('Web chat');
  return row;
}

/** Turns the web chat on, creating it (and its token) the first time. Chat apps only. */
export function enableWebChat(db: Db, actorId: string, workspaceId: string, appId: string) {
  return db.transaction(async (tx) => enable(tx, actorId, workspaceId, appId));
}

async function enable(db: DbOrTx, actorId: string, workspaceId: string, appId: string) {
  const app = await requireApp(db, workspaceId, appId);
  if (app.kind !== 'chat') throw badInput('appId', 'web chat is available for chat apps only');
  const existing = await current(db, workspaceId, appId);
  let row: WebChatSettings;
  if (existing) {
    row = existing.enabled ? existing : await update(db, workspaceId, appId, { enabled: true });
  } else {
    const [inserted] = await db
      .insert(webChats)
      .values({ appId, workspaceId, token: newToken(), enabled: true, allowedOrigins: [] })
      .onConflictDoNothing()
      .returning(columns);
    // A concurrent enable won the insert: use its row.
    row = inserted ?? (await update(db, workspaceId, appId, { enabled: true }));
  }
  await audit(db, actorId, workspaceId, appId, 'enable');
  return row;
}

export function disableWebChat(db: Db, actorId: string, workspaceId: string, appId: string) {
  return db.transaction(async (tx) => {
    await requireApp(tx, workspaceId, appId);
    const row = await update(tx, workspaceId, appId, { enabled: false });
    await audit(tx, actorId, workspaceId, appId, 'disable');
    return row;
  });
}

/** A new public token: the page link and embed snippets with the old one stop working. */
export function rotateWebChatToken(db: Db, actorId: string, workspaceId: string, appId: string) {
  return db.transaction(async (tx) => {
    await requireApp(tx, workspaceId, appId);
    const row = await update(tx, workspaceId, appId, { token: newToken() });
    await audit(tx, actorId, workspaceId, appId, 'rotate_token');
    return row;
  });
}

/** Checks and normalises the origins (duplicates dropped); a bad one is a 400 naming its index. */
export function checkAllowedOrigins(origins: string[]): string[] {
  if (origins.length > MAX_ALLOWED_ORIGINS)
    throw badInput('allowedOrigins', `at most ${MAX_ALLOWED_ORIGINS} origins`);
  const out: string[] = [];
  origins.forEach((value, index) => {
    const origin = normalizeOrigin(value);
    if (!origin)
      throw badInput(
        `allowedOrigins.${index}`,
        `“${value}” is not an origin like https://example.com or http://127.0.0.1:8080`,
      );
    if (!out.includes(origin)) out.push(origin);
  });
  return out;
}

export async function setAllowedOrigins(
  db: Db,
  actorId: string,
  workspaceId: string,
  appId: string,
  origins: string[],
) {
  const allowedOrigins = checkAllowedOrigins(origins);
  return db.transaction(async (tx) => {
    await requireApp(tx, workspaceId, appId);
    const row = await update(tx, workspaceId, appId, { allowedOrigins });
    await audit(tx, actorId, workspaceId, appId, 'set_allowed_origins');
    return row;
  });
}

export interface PublicWebChat {
  appId: string;
  workspaceId: string;
  allowedOrigins: string[];
  app: { id: string; workspaceId: string; name: string; description: string; kind: 'chat' | 'workflow' };
}

/** The enabled web chat of a chat app with this token, or null (unknown, disabled or not chat). */
export async function findWebChatByToken(db: DbOrTx, token: string): Promise<PublicWebChat | null> {
  if (!isWebChatToken(token)) return null;
  const [row] = await db
    .select({
      appId: webChats.appId,
      workspaceId: webChats.workspaceId,
      allowedOrigins: webChats.allowedOrigins,
      enabled: webChats.enabled,
      name: apps.name,
      description: apps.description,
      kind: apps.kind,
    })
    .from(webChats)
    .innerJoin(apps, and(eq(apps.id, webChats.appId), eq(apps.workspaceId, webChats.workspaceId)))
    .where(eq(webChats.token, token));
  if (!row?.enabled || row.kind !== 'chat') return null;
  return {
    appId: row.appId,
    workspaceId: row.workspaceId,
    allowedOrigins: row.allowedOrigins ?? [],
    app: {
      id: row.appId,
      workspaceId: row.workspaceId,
      name: row.name,
      description: row.description,
      kind: row.kind,
    },
  };
}
