// POST /api/v1/conversations/{id}/name: renames one of the user's conversations (Dify Service API).
import { readBody } from '@/server/public-api/body';
import { nameConversation, renameBody } from '@/server/public-api/chat-messages';
import { apiRoute } from '@/server/public-api/handler';

export { OPTIONS } from '@/server/public-api/handler';
export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const POST = apiRoute<{ id: string }>(async ({ req, db, caller, params }) =>
  nameConversation(db, caller, params.id, await readBody(req, renameBody)),
);
