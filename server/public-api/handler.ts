// The wrapper every /api/v1 route goes through: authenticates the bearer key, applies the key's
// rate limit (429 with Retry-After, see rate-limit.ts), hands the handler the database, the engine
// and the caller's app, turns a returned value into JSON and any thrown error into Dify's error
// body, and adds the CORS headers. Route files stay a few lines long.
import type { Db } from '@/db/client';
import { getEngineRuntime } from '@/server/engine/runtime';
import type { RunEngine } from '@/workflows/engines/run-engine';
import { type ApiCaller, authenticateRequest } from './auth';
import { preflightResponse, withCors } from './cors';
import { ApiError, errorResponse } from './errors';
import { enforceRateLimit } from './rate-limit';

export interface ApiContext<P> {
  req: Request;
  db: Db;
  engine: RunEngine;
  caller: ApiCaller;
  params: P;
}

type RouteSegment<P> = { params: Promise<P> };

/** A route handler for /api/v1: the handler returns a Response, or a value sent as JSON (200). */
export function apiRoute<P = Record<string, never>>(
  handler: (ctx: ApiContext<P>) => Promise<Response | object>,
) {
  return async (req: Request, segment: RouteSegment<P>): Promise<Response> => {
    try {
      const { database, engine } = await getEngineRuntime();
      const db = database.db;
      const caller = await authenticateRequest(db, req);
      enforceRateLimit(caller.keyId);
      const params = (await segment?.params) ?? ({} as P);
      const result = await handler({ req, db, engine, caller, params });
      return withCors(result instanceof Response ? result : Response.json(result));
    } catch (error) {
      return withCors(errorResponse(error, `${req.method} ${new URL(req.url).pathname}`));
    }
  };
}

/** OPTIONS: the CORS preflight (no key needed, browsers send none). */
export async function OPTIONS(): Promise<Response> {
  return preflightResponse();
}

/** For paths and methods /api/v1 does not have. */
export function notFoundRoute() {
  return async (req: Request): Promise<Response> =>
    withCors(
      errorResponse(
        new ApiError(404, 'not_found', `${req.method} ${new URL(req.url).pathname} does not exist`),
      ),
    );
}
