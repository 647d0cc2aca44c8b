// Who is calling /api/v1: `Authorization: Bearer <key>` names one app through its API key. A
// missing, malformed, unknown or revoked key all get the same 401, so the answer reveals nothing
// about which keys exist.
import type { Db } from '@/db/client';
import { authenticateApiKeyWithApp } from '@/server/services/api-key-service';
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
  // The key and its app in one read (and from memory for a few seconds; see api-key-service). A
  // deleted app takes its keys with it: its key is unknown, as a revoked one. A fresh object for
  // every request: per-request bookkeeping is keyed by it (usage-recorder).
  const found = await authenticateApiKeyWithApp(db, token);
  if (!found) throw unauthorized();
  return { keyId: found.principal.keyId, workspaceId: found.principal.workspaceId, app: found.app };
}
