// GET /api/v1/workflows/run/{id}/events: re-attaches to a run's Dify event stream (beyond Dify).
// Sends the events after `Last-Event-ID` (or `?after=`), then follows the run until it finishes.
import { apiRoute } from '@/server/public-api/handler';
import { reattachWorkflowRun } from '@/server/public-api/workflow-runs';

export { OPTIONS } from '@/server/public-api/handler';
export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = apiRoute<{ id: string }>(async ({ req, db, engine, caller, params }) =>
  reattachWorkflowRun(req, db, engine, caller, params.id),
);
