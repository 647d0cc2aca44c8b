// The wrapper every /api/v1 route goes through: authenticates the bearer key, applies the key's
// rate limit (429 with Retry-After, see rate-limit.ts), hands the handler the database, the engine
// and the caller's app, turns a returned value into JSON and any thrown error into Dify's error
// body, and adds the CORS headers. Route files stay a few lines long. Every authenticated request,
// errors included, also leaves a usage row (usage-recorder.ts: buffered, never awaited here).
import type { Db } from '@/db/client';
import { getEngineRuntime } from '@/server/engine/runtime';
import { registerApiRoutes } from '@/server/http/api-fast-path';
import type { RunEngine } from '@/workflows/engines/run-engine';
import { type ApiCaller, authenticateRequest } from './auth';
import { preflightResponse, withCors } from './cors';
import { ApiError, errorResponse } from './errors';
import { enforceRateLimit } from './rate-limit';
import { trackRequest } from './usage-recorder';

// Hands the route table to the web server's short way in (server/http/api-fast-path.ts). It must
// come from here, the route handlers' own module graph: Next bundles instrumentation.ts apart, and
// handlers taken from there would have caches of their own that the studio's changes never reach.
// Loaded once the first /api/v1 route is (the server sends itself a preflight at start).
void import('./api-v1-routes').then(({ apiV1Handler }) => registerApiRoutes(apiV1Handler));

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
    // Latency is what the integrator sees, so the clock starts before authentication.
    const arrived = performance.now();
    let usage: ReturnType<typeof trackRequest> | null = null;
    let params = {} as P;
    let response: Response;
    try {
      params = (await segment?.params) ?? params;
      const { database, engine } = await getEngineRuntime();
      const db = database.db;
      const caller = await authenticateRequest(db, req);
      usage = trackRequest(db, req, caller, arrived);
      enforceRateLimit(caller.keyId);
      const result = await handler({ req, db, engine, caller, params });
      response = withCors(result instanceof Response ? result : Response.json(result));
    } catch (error) {
      response = withCors(errorResponse(error, `${req.method} ${new URL(req.url).pathname}`));
    }
    // Requests refused at authentication belong to no app and are not recorded.
    return usage ? usage.finish(response, paramValues(params)) : response;
  };
}

/** The route's parameter values (ids in the path), which the usage row's route pattern hides. */
function paramValues(params: unknown): string[] {
  if (!params || typeof params !== 'object') return [];
  return Object.values(params)
    .flatMap((v) => (Array.isArray(v) ? v : [v]))
    .map(String);
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
