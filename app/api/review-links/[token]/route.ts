// GET /api/review-links/<token>: the review a signed external-reviewer link opens.
// POST: the outsider's decision ({ action, fields?, data?, comment? }); the run resumes.
// 404 for a token that is not a link, 410 Gone for one that no longer works, 400 naming the field
// for a bad decision. See server/public-api/review-link-handlers.ts.
import { getEngineRuntime } from '@/server/engine/runtime';
import { reviewLinkGet, reviewLinkPost } from '@/server/public-api/review-link-handlers';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

type Segment = { params: Promise<{ token: string }> };

export async function GET(_req: Request, segment: Segment): Promise<Response> {
  const [{ token }, { database }] = await Promise.all([segment.params, getEngineRuntime()]);
  return reviewLinkGet(database.db, token);
}

export async function POST(req: Request, segment: Segment): Promise<Response> {
  const [{ token }, { database, engine }] = await Promise.all([segment.params, getEngineRuntime()]);
  return reviewLinkPost(database.db, engine, token, req);
}
