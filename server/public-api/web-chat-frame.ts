// Who may frame the chat page /chat/<token>: the page's own origin and the web chat's allowed
// origins, as a Content-Security-Policy `frame-ancestors` directive (set by proxy.ts).
//
// The proxy only reads the database this process has already opened (db/client.ts keeps it on
// globalThis). It never opens one itself, so it can never open the PGlite files a second time;
// when no database is there yet, the policy falls back to 'self' alone (framing elsewhere refused).
import type { Database } from '@/db/client';
import { findWebChatByToken } from '@/server/services/web-chat-service';

export async function frameAncestorsFor(token: string): Promise<string> {
  const sources = ["'self'"];
  const holder = globalThis as unknown as { __weftDatabase?: Promise<Database> };
  try {
    if (holder.__weftDatabase) {
      const database = await holder.__weftDatabase;
      const webChat = await findWebChatByToken(database.db, token);
      if (webChat) sources.push(...webChat.allowedOrigins);
    }
  } catch (error) {
    console.error('web chat: reading the allowed origins failed:', error);
  }
  return `frame-ancestors ${sources.join(' ')}`;
}
