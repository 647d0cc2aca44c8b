// The tRPC request context: the database, the signed-in user (from the session cookie) and the
// response headers (for Set-Cookie).
import type { Db } from '@/db/client';
import { readCookie, SESSION_COOKIE } from '@/server/auth/session-cookie';
import { type SessionUser, userForSessionToken } from '@/server/services/auth-service';
import type { RunEngine } from '@/workflows/engines/run-engine';

export interface Context {
  db: Db;
  engine: RunEngine;
  user: SessionUser | null;
  sessionToken: string | null;
  resHeaders: Headers;
  /** Mark cookies Secure (the request came over https). */
  secureCookies: boolean;
}

export async function createContextFromHeaders(
  services: { db: Db; engine: RunEngine },
  headers: Headers,
  resHeaders: Headers,
  requestUrl: string,
): Promise<Context> {
  const { db } = services;
  const sessionToken = readCookie(headers.get('cookie'), SESSION_COOKIE) ?? null;
  const user = sessionToken ? await userForSessionToken(db, sessionToken) : null;
  const proto = headers.get('x-forwarded-proto') ?? new URL(requestUrl).protocol.replace(':', '');
  return {
    ...services,
    user,
    sessionToken: user ? sessionToken : null,
    resHeaders,
    secureCookies: proto === 'https',
  };
}
