// POST /api/v1/workflows/tasks/{task_id}/stop: stops a run of this app (Dify Service API).
import { readBody } from '@/server/public-api/body';
import { apiRoute } from '@/server/public-api/handler';
import { stopTaskBody, stopWorkflowTask } from '@/server/public-api/workflow-runs';

export { OPTIONS } from '@/server/public-api/handler';
export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const POST = apiRoute<{ taskId: string }>(async ({ req, db, engine, caller, params }) => {
  await readBody(req, stopTaskBody);
  return stopWorkflowTask(db, engine, caller, params.taskId);
});
