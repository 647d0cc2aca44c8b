// GET /api/v1/conversations: the user's conversations, newest first (Dify Service API).
import { parseWith } from '@/server/public-api/body';
import { conversationsQuery, getConversations, queryOf } from '@/server/public-api/chat-messages';
import { apiRoute } from '@/server/public-api/handler';

export { OPTIONS } from '@/server/public-api/handler';
export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = apiRoute(async ({ req, db, caller }) =>
  getConversations(db, caller, parseWith(conversationsQuery, queryOf(req))),
);
