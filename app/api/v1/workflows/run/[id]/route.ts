// GET /api/v1/workflows/run/{id}: one run of this app (Dify Service API).
import { apiRoute } from '@/server/public-api/handler';
import { getWorkflowRun } from '@/server/public-api/workflow-runs';

export { OPTIONS } from '@/server/public-api/handler';
export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = apiRoute<{ id: string }>(async ({ db, caller, params }) =>
  getWorkflowRun(db, caller, params.id),
);
