// GET /embed.js: the chat bubble script integrators include with one tag (see web-chat-embed.ts).
import { createHash } from 'node:crypto';
import { EMBED_SCRIPT } from '@/server/public-api/web-chat-embed';

export const dynamic = 'force-dynamic';

const etag = `"${createHash('sha256').update(EMBED_SCRIPT).digest('base64url').slice(0, 16)}"`;

export function GET(req: Request): Response {
  const headers = {
    'content-type': 'application/javascript; charset=utf-8',
    'cache-control': 'public, max-age=300, stale-while-revalidate=86400',
    etag,
    'access-control-allow-origin': '*',
    'x-content-type-options': 'nosniff',
  };
  if (req.headers.get('if-none-match') === etag) return new Response(null, { status: 304, headers });
  return new Response(EMBED_SCRIPT, { headers });
}
