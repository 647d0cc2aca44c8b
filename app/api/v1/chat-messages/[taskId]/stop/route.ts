// POST /api/v1/chat-messages/{task_id}/stop: stops the user's running message (Dify Service API).
import { readBody } from '@/server/public-api/body';
import { stopChatMessage, userBody } from '@/server/public-api/chat-messages';
import { apiRoute } from '@/server/public-api/handler';

export { OPTIONS } from '@/server/public-api/handler';
export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const POST = apiRoute<{ taskId: string }>(async ({ req, db, engine, caller, params }) => {
  const { user } = await readBody(req, userBody);
  return stopChatMessage(db, engine, caller, params.taskId, user);
});
