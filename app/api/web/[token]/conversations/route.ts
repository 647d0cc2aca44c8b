// GET /api/web/<token>/conversations: the visitor's conversations, newest first. For the public chat page and the embed bubble.
import { webChatPreflight, webChatRoute, webConversations } from '@/server/public-api/web-chat';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = webChatRoute(webConversations);
export const OPTIONS = webChatPreflight;
