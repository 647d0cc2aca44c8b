// POST /api/v1/chat-messages: sends a message to the chat app, blocking or streaming (Dify Service API).
import { readBody } from '@/server/public-api/body';
import { chatMessageBody, sendChatMessage } from '@/server/public-api/chat-messages';
import { apiRoute } from '@/server/public-api/handler';

export { OPTIONS } from '@/server/public-api/handler';
export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const POST = apiRoute(async ({ req, db, engine, caller }) =>
  sendChatMessage(req, db, engine, caller, await readBody(req, chatMessageBody)),
);
