// GET /api/v1/messages: a page of one conversation's messages, oldest first (Dify Service API).
import { parseWith } from '@/server/public-api/body';
import { getMessages, messagesQuery, queryOf } from '@/server/public-api/chat-messages';
import { apiRoute } from '@/server/public-api/handler';

export { OPTIONS } from '@/server/public-api/handler';
export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = apiRoute(async ({ req, db, caller }) =>
  getMessages(db, caller, parseWith(messagesQuery, queryOf(req))),
);
