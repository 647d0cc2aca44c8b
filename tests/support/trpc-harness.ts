// Calls the real tRPC router in-process, as a browser would: each user is a session cookie, and
// the context is built from request headers exactly as the HTTP route builds it.
import { TRPCError } from '@trpc/server';
import { expect } from 'vitest';
import type { Db } from '@/db/client';
import { SESSION_COOKIE } from '@/server/auth/session-cookie';
import { createContextFromHeaders } from '@/server/trpc/context';
import { createCaller } from '@/server/trpc/root';
import { createEmbeddedEngine } from '@/workflows/engines/embedded/engine';
import { createEventBus } from '@/workflows/engines/embedded/event-bus';
import { createRunEngine, type RunEngine } from '@/workflows/engines/run-engine';

export type Caller = ReturnType<typeof createCaller>;

// The engine each test database's callers use: a test that runs workers registers its runtime's
// engine; otherwise an engine on an in-process bus is made on first use.
const engines = new WeakMap<Db, RunEngine>();

export function registerEngine(db: Db, engine: RunEngine) {
  engines.set(db, engine);
}

async function servicesFor(db: Db) {
  let engine = engines.get(db);
  if (!engine) {
    const bus = await createEventBus({ db, kind: 'pglite', close: async () => {} });
    engine = createRunEngine({ db, embedded: createEmbeddedEngine({ db, bus }), temporal: null });
    engines.set(db, engine);
  }
  return { db, engine };
}

export const STRONG_PASSWORD = 'Correct-Horse-42';

export async function callerAs(db: Db, sessionToken: string | null) {
  const headers = new Headers();
  if (sessionToken) headers.set('cookie', `${SESSION_COOKIE}=${sessionToken}`);
  const resHeaders = new Headers();
  const ctx = await createContextFromHeaders(
    await servicesFor(db),
    headers,
    resHeaders,
    'http://127.0.0.1/api/trpc',
  );
  return { caller: createCaller(ctx), resHeaders };
}

export function sessionTokenFrom(resHeaders: Headers): string {
  const cookie = resHeaders.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`));
  const token = cookie?.split(';')[0]?.slice(SESSION_COOKIE.length + 1);
  if (!token) throw new Error('no session cookie was set');
  return token;
}

let counter = 0;
export function uniqueEmail(label: string) {
  counter += 1;
  return `${label}.${Date.now()}.${counter}@example.test`;
}

/** Signs a new user up (optionally through an invitation) and returns a caller for them. */
export async function signUpUser(db: Db, label: string, inviteToken?: string) {
  const email = uniqueEmail(label);
  const anonymous = await callerAs(db, null);
  const result = await anonymous.caller.auth.signUp({
    email,
    password: STRONG_PASSWORD,
    name: label,
    inviteToken,
  });
  const token = sessionTokenFrom(anonymous.resHeaders);
  const { caller } = await callerAs(db, token);
  if (!result.workspaceId) throw new Error('sign-up returned no workspace');
  return { caller, token, email, user: result.user, workspaceId: result.workspaceId };
}

/** Awaits a call expected to fail and returns its tRPC error code. */
export async function errorCodeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(TRPCError);
    return (error as TRPCError).code;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

export async function errorOf(promise: Promise<unknown>): Promise<TRPCError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(TRPCError);
    return error as TRPCError;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

/**
 * Sends one tRPC mutation over the HTTP handler (fetch adapter, superjson), so the response body
 * is what a browser sees, including the error formatter's output.
 */
export async function httpMutation(db: Db, path: string, input: unknown, sessionToken: string | null) {
  const { fetchRequestHandler } = await import('@trpc/server/adapters/fetch');
  const { default: superjson } = await import('superjson');
  const { appRouter } = await import('@/server/trpc/root');
  const headers = new Headers({ 'content-type': 'application/json' });
  if (sessionToken) headers.set('cookie', `${SESSION_COOKIE}=${sessionToken}`);
  const req = new Request(`http://127.0.0.1/api/trpc/${path}`, {
    method: 'POST',
    headers,
    body: JSON.stringify(superjson.serialize(input)),
  });
  const res = await fetchRequestHandler({
    endpoint: '/api/trpc',
    req,
    router: appRouter,
    createContext: async ({ req, resHeaders }) =>
      createContextFromHeaders(await servicesFor(db), req.headers, resHeaders, req.url),
  });
  const body = (await res.json()) as {
    error?: { json: { message: string; data: { code: string; field: string | null; httpStatus: number } } };
  };
  return { status: res.status, error: body.error?.json };
}
