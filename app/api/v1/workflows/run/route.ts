// POST /api/v1/workflows/run: runs the workflow app's published version, blocking or streaming
// (Dify Service API), or async (202 at once, optional signed callback_url; beyond Dify).
import { readBody } from '@/server/public-api/body';
import { apiRoute } from '@/server/public-api/handler';
import { runWorkflow, runWorkflowBody } from '@/server/public-api/workflow-runs';

export { OPTIONS } from '@/server/public-api/handler';
export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const POST = apiRoute(async ({ req, db, engine, caller }) =>
  runWorkflow(req, db, engine, caller, await readBody(req, runWorkflowBody)),
);
