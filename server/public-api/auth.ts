// Who is calling /api/v1: `Authorization: Bearer <key>` names one app through its API key. A
// missing, malformed, unknown or revoked key all get the same 401, so the answer reveals nothing
// about which keys exist.
import { and, eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { apps } from '@/db/schema';
import { authenticateApiKey } from '@/server/services/api-key-service';
import { ApiError } from './errors';

export interface ApiApp {
  id: string;
  workspaceId: string;
  name: string;
  description: string;
  kind: 'chat' | 'workflow';
}

export interface ApiCaller {
  keyId: string;
  workspaceId: string;
  app: ApiApp;
}

const UNAUTHORIZED_MESSAGE = 'Access token is missing, invalid or revoked.';

export const unauthorized = () =>
  new ApiError(401, 'unauthorized', UNAUTHORIZED_MESSAGE, { 'www-authenticate': 'Bearer' });

/** The token of an `Authorization: Bearer …` header, or null. */
export function bearerToken(header: string | null): string | null {
  const match = header?.match(/^\s*Bearer\s+(\S+)\s*$/i);
  return match?.[1] ?? null;
}

export async function authenticateRequest(db: Db, req: Request): Promise<ApiCaller> {
  const token = bearerToken(req.headers.get('authorization'));
  if (!token) throw unauthorized();
  const principal = await authenticateApiKey(db, token);
  if (!principal) throw unauthorized();
  const [app] = await db
    .select({
      id: apps.id,
      workspaceId: apps.workspaceId,
      name: apps.name,
      description: apps.description,
      kind: apps.kind,
    })
    .from(apps)
    .where(and(eq(apps.id, principal.appId), eq(apps.workspaceId, principal.workspaceId)));
  // The key's app was deleted (its keys go with it, but a request may race the delete).
  if (!app) throw unauthorized();
  return { keyId: principal.keyId, workspaceId: principal.workspaceId, app };
}
