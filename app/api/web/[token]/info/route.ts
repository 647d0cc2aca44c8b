// GET /api/web/<token>/info: the app's name, description and input form. For the public chat page and the embed bubble.
import { webChatInfo, webChatPreflight, webChatRoute } from '@/server/public-api/web-chat';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = webChatRoute(webChatInfo);
export const OPTIONS = webChatPreflight;
