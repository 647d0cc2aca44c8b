// The studio's tRPC endpoint. Mutations must come from this site (CSRF); queries are read-only.
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { isSameOriginRequest } from '@/server/auth/csrf';
import { getEngineRuntime } from '@/server/engine/runtime';
import { createContextFromHeaders } from '@/server/trpc/context';
import { appRouter } from '@/server/trpc/root';

export const dynamic = 'force-dynamic';

async function handler(req: Request) {
  if (req.method !== 'GET' && !isSameOriginRequest(req.headers, req.url)) {
    return Response.json(
      { error: { message: 'Cross-site request refused', code: 'FORBIDDEN' } },
      { status: 403 },
    );
  }
  const { database, engine } = await getEngineRuntime();
  return fetchRequestHandler({
    endpoint: '/api/trpc',
    req,
    router: appRouter,
    // Queries with large inputs (a draft to inspect) arrive as POST; the CSRF check above covers them.
    allowMethodOverride: true,
    createContext: ({ req, resHeaders }) =>
      createContextFromHeaders({ db: database.db, engine }, req.headers, resHeaders, req.url),
    onError({ error, path }) {
      if (error.code === 'INTERNAL_SERVER_ERROR') console.error(`tRPC ${path ?? '?'} failed:`, error);
    },
  });
}

export { handler as GET, handler as POST };
