// The endpoints behind the public chat page and the /embed.js bubble, under /api/web/<token>/…:
// authenticated by the web chat's public token instead of an API key, for chat apps whose web chat
// is enabled and that have a published version (anything else is a 404). They reuse the published
// API's chat functions, so a message behaves exactly like a streaming POST /api/v1/chat-messages.
//
// The page's anonymous `user` is namespaced (`web:<id>`), so a visitor can never reach the
// conversations an integrator keeps through /api/v1 for the same app.
//
// CORS: unlike /api/v1 (any origin, a secret key), these endpoints need no secret, so browsers are
// only let in from the page's own origin and the web chat's allowed origins; a request carrying any
// other Origin is refused with 403 and gets no Access-Control-Allow-Origin.
import type { z } from 'zod';
import type { Db } from '@/db/client';
import { getEngineRuntime } from '@/server/engine/runtime';
import { findWebChatByToken, type PublicWebChat } from '@/server/services/web-chat-service';
import type { RunEngine } from '@/workflows/engines/run-engine';
import { appInfo, appParameters } from './app-info';
import type { ApiCaller } from './auth';
import { parseWith, readBody } from './body';
import {
  chatMessageBody,
  conversationsQuery,
  getConversations,
  getMessages,
  messagesQuery,
  queryOf,
  sendChatMessage,
} from './chat-messages';
import { ApiError, errorResponse } from './errors';
import { latestPublishedVersion } from './published-version';
import { enforceWebRateLimit } from './rate-limit';

export interface WebChatContext {
  req: Request;
  db: Db;
  engine: RunEngine;
  webChat: PublicWebChat;
  /** The app as the published API's chat functions expect their caller. */
  caller: ApiCaller;
}

type TokenSegment = { params: Promise<{ token: string }> };

const notFound = () => new ApiError(404, 'not_found', 'This chat does not exist or is not available');

/** The enabled web chat of a published chat app with this token; otherwise a 404. */
export async function resolveWebChat(db: Db, token: string): Promise<PublicWebChat> {
  const webChat = await findWebChatByToken(db, token);
  if (!webChat) throw notFound();
  try {
    await latestPublishedVersion(db, webChat.app);
  } catch (error) {
    if (error instanceof ApiError) throw notFound();
    throw error;
  }
  return webChat;
}

/** The origin the request was addressed to, as the browser sees it (Host, forwarded proto). */
function ownOrigins(req: Request): string[] {
  const url = new URL(req.url);
  const out = [url.origin];
  const host = req.headers.get('x-forwarded-host') ?? req.headers.get('host');
  if (host) {
    const proto = (req.headers.get('x-forwarded-proto') ?? url.protocol.replace(':', '')).split(',')[0];
    out.push(`${proto?.trim()}://${host.split(',')[0]?.trim()}`);
  }
  return out;
}

/**
 * The CORS verdict for a request: `same` (no Origin, or the page's own), `allowed` (one of the
 * web chat's origins; it is echoed back) or `refused`.
 */
export function originVerdict(req: Request, allowedOrigins: string[]) {
  const origin = req.headers.get('origin');
  if (!origin || ownOrigins(req).includes(origin)) return { kind: 'same' as const };
  if (allowedOrigins.includes(origin)) return { kind: 'allowed' as const, origin };
  return { kind: 'refused' as const };
}

const corsHeadersFor = (origin: string): Record<string, string> => ({
  'access-control-allow-origin': origin,
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-allow-headers': 'Content-Type',
  'access-control-max-age': '600',
});

/** Replaces any CORS headers on the response (e.g. /api/v1's `*`) with this request's. */
function applyCors(response: Response, allowedOrigin: string | null): Response {
  for (const name of [...response.headers.keys()])
    if (name.startsWith('access-control-')) response.headers.delete(name);
  if (allowedOrigin)
    for (const [name, value] of Object.entries(corsHeadersFor(allowedOrigin)))
      response.headers.set(name, value);
  response.headers.append('vary', 'Origin');
  response.headers.set('cache-control', response.headers.get('cache-control') ?? 'no-store');
  return response;
}

const forbiddenOrigin = () =>
  new ApiError(403, 'forbidden', 'This site is not allowed to use this chat (its origin is not allowed)');

/** A route handler for /api/web/<token>/…: the handler returns a Response or a JSON value. */
export function webChatRoute(handler: (ctx: WebChatContext) => Promise<Response | object>) {
  return async (req: Request, segment: TokenSegment): Promise<Response> => {
    let allowedOrigin: string | null = null;
    try {
      const { token } = await segment.params;
      const { database, engine } = await getEngineRuntime();
      const db = database.db;
      const webChat = await resolveWebChat(db, token);
      const verdict = originVerdict(req, webChat.allowedOrigins);
      if (verdict.kind === 'refused') throw forbiddenOrigin();
      if (verdict.kind === 'allowed') allowedOrigin = verdict.origin;
      enforceWebRateLimit(webChat.appId, req);
      const caller: ApiCaller = {
        keyId: `web-chat:${webChat.appId}`,
        workspaceId: webChat.workspaceId,
        app: webChat.app,
      };
      const result = await handler({ req, db, engine, webChat, caller });
      return applyCors(result instanceof Response ? result : Response.json(result), allowedOrigin);
    } catch (error) {
      const where = `${req.method} /api/web/…${new URL(req.url).pathname.replace(/^\/api\/web\/[^/]+/, '')}`;
      return applyCors(errorResponse(error, where), allowedOrigin);
    }
  };
}

/** OPTIONS: the preflight, answered for the page's own origin and the allowed origins only. */
export async function webChatPreflight(req: Request, segment: TokenSegment): Promise<Response> {
  try {
    const { token } = await segment.params;
    const { database } = await getEngineRuntime();
    const webChat = await resolveWebChat(database.db, token);
    const verdict = originVerdict(req, webChat.allowedOrigins);
    if (verdict.kind === 'refused') throw forbiddenOrigin();
    return applyCors(new Response(null, { status: 204 }), verdict.kind === 'allowed' ? verdict.origin : null);
  } catch (error) {
    return applyCors(errorResponse(error), null);
  }
}

/** The end user the published API sees for the page's anonymous id. */
export const webUser = (user: string) => `web:${user}`;

/** POST /api/web/<token>/chat-messages: always streaming, as POST /api/v1/chat-messages does. */
export async function webChatMessage({ req, db, engine, caller }: WebChatContext) {
  const body: z.output<typeof chatMessageBody> = await readBody(req, chatMessageBody);
  return sendChatMessage(req, db, engine, caller, {
    ...body,
    user: webUser(body.user),
    response_mode: 'streaming',
  });
}

/** GET /api/web/<token>/conversations?user=… */
export async function webConversations({ req, db, caller }: WebChatContext) {
  const query = parseWith(conversationsQuery, queryOf(req));
  return getConversations(db, caller, { ...query, user: webUser(query.user) });
}

/** GET /api/web/<token>/messages?conversation_id=…&user=… */
export async function webMessages({ req, db, caller }: WebChatContext) {
  const query = parseWith(messagesQuery, queryOf(req));
  return getMessages(db, caller, { ...query, user: webUser(query.user) });
}

/** GET /api/web/<token>/info: the app's name and description and its input form. */
export async function webChatInfo({ db, webChat }: WebChatContext) {
  const parameters = await appParameters(db, webChat.app);
  return { ...appInfo(webChat.app), user_input_form: parameters.user_input_form };
}
