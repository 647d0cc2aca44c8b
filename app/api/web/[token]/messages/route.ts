// GET /api/web/<token>/messages: one conversation's messages, oldest first. For the public chat page and the embed bubble.
import { webChatPreflight, webChatRoute, webMessages } from '@/server/public-api/web-chat';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = webChatRoute(webMessages);
export const OPTIONS = webChatPreflight;
