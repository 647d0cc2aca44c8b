// The signed-in user of the current request (from the session cookie), for server components.
import 'server-only';
import { cookies } from 'next/headers';
import { cache } from 'react';
import { getDb } from '@/db/client';
import { SESSION_COOKIE } from '@/server/auth/session-cookie';
import { type SessionUser, userForSessionToken } from '@/server/services/auth-service';

/** The user whose session cookie came with this request, or null. Cached per request. */
export const currentUser = cache(async function currentUser(): Promise<SessionUser | null> {
  const token = (await cookies()).get(SESSION_COOKIE)?.value;
  if (!token) return null;
  return userForSessionToken(await getDb(), token);
});
