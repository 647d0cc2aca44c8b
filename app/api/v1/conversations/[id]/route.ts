// DELETE /api/v1/conversations/{id}: deletes one of the user's conversations (Dify Service API);
// `user` comes in the JSON body (as Dify's clients send it) or the query string.
import { readJsonBody } from '@/server/public-api/body';
import { removeConversation, userOfDelete } from '@/server/public-api/chat-messages';
import { apiRoute } from '@/server/public-api/handler';

export { OPTIONS } from '@/server/public-api/handler';
export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const DELETE = apiRoute<{ id: string }>(async ({ req, db, caller, params }) =>
  removeConversation(db, caller, params.id, await userOfDelete(req, () => readJsonBody(req))),
);
