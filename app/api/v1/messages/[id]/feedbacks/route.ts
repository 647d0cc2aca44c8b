// POST /api/v1/messages/{id}/feedbacks: the user's rating of an answer (Dify Service API).
import { readBody } from '@/server/public-api/body';
import { feedbackBody, rateMessage } from '@/server/public-api/chat-messages';
import { apiRoute } from '@/server/public-api/handler';

export { OPTIONS } from '@/server/public-api/handler';
export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const POST = apiRoute<{ id: string }>(async ({ req, db, caller, params }) =>
  rateMessage(db, caller, params.id, await readBody(req, feedbackBody)),
);
