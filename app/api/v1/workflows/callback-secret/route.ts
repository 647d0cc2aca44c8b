// GET /api/v1/workflows/callback-secret: the secret that signs this key's async-run callbacks
// (X-Weft-Signature; beyond Dify). See server/public-api/callbacks.ts for the scheme.
import { apiRoute } from '@/server/public-api/handler';
import { getCallbackSecret } from '@/server/public-api/workflow-runs';

export { OPTIONS } from '@/server/public-api/handler';
export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = apiRoute(async ({ caller }) =>
  Response.json(getCallbackSecret(caller), { headers: { 'cache-control': 'no-store' } }),
);
