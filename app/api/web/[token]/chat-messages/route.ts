// POST /api/web/<token>/chat-messages: sends a message, the answer streamed as Server-Sent Events (as POST /api/v1/chat-messages). For the public chat page and the embed bubble.
import { webChatMessage, webChatPreflight, webChatRoute } from '@/server/public-api/web-chat';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const POST = webChatRoute(webChatMessage);
export const OPTIONS = webChatPreflight;
