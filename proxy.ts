// Next.js proxy, for the public chat page only: sets its Content-Security-Policy frame-ancestors
// so the page can be framed (by /embed.js) on the web chat's allowed origins and nowhere else.
import { type NextRequest, NextResponse } from 'next/server';
import { frameAncestorsFor } from '@/server/public-api/web-chat-frame';

export async function proxy(request: NextRequest) {
  const token = decodeURIComponent(request.nextUrl.pathname.split('/')[2] ?? '');
  const response = NextResponse.next();
  response.headers.set('content-security-policy', await frameAncestorsFor(token));
  response.headers.set('referrer-policy', 'strict-origin-when-cross-origin');
  return response;
}

export const config = { matcher: ['/chat/:token'] };
