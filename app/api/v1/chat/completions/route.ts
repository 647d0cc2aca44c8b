// POST /api/v1/chat/completions: the chat app behind OpenAI's Chat Completions API, errors in
// OpenAI's shape.
import { chatCompletions, withOpenAiErrors } from '@/server/public-api/chat-completions';
import { apiRoute } from '@/server/public-api/handler';

export { OPTIONS } from '@/server/public-api/handler';
export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const POST = withOpenAiErrors(apiRoute(chatCompletions));
