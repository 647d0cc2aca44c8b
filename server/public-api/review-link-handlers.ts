// The HTTP side of signed external-reviewer links (/api/review-links/<token>): GET answers the
// review, POST takes the outsider's decision. A token that is not a link is a 404 `not_found`; a
// link that no longer works (expired, revoked or replaced, its review decided, expired or closed) is
// a 410 `link_gone` whose message says which; a bad decision body is a 400 naming the field.
// Decisions are rate-limited per link (a person deciding one review sends a handful of requests).
// The logic lives in server/services/review-links.ts; this file only speaks HTTP.
import type { Db } from '@/db/client';
import {
  decideThroughLink,
  linkDecisionBody,
  linkIdOf,
  ReviewLinkError,
  reviewForLink,
} from '@/server/services/review-links';
import type { RunEngine } from '@/workflows/engines/run-engine';
import { parseWith, readJsonBody } from './body';
import { ApiError, errorResponse } from './errors';
import { TokenBucketLimiter } from './rate-limit';

const decisionLimiter = new TokenBucketLimiter(() => ({ perMinute: 10, burst: 5 }));

/** The token is the reviewer's credential: never cached, never passed on in a Referer. */
const PRIVATE = { 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' };

function respond(body: unknown, status = 200): Response {
  return Response.json(body, { status, headers: PRIVATE });
}

function failure(error: unknown, where: string): Response {
  if (error instanceof ReviewLinkError)
    return respond(
      {
        code: error.status === 410 ? 'link_gone' : 'not_found',
        message: error.message,
        status: error.status,
      },
      error.status,
    );
  const res = errorResponse(error, where);
  for (const [name, value] of Object.entries(PRIVATE)) res.headers.set(name, value);
  return res;
}

/** GET: the review the link opens. */
export async function reviewLinkGet(db: Db, token: string): Promise<Response> {
  try {
    return respond(await reviewForLink(db, token));
  } catch (error) {
    return failure(error, 'GET /api/review-links/…');
  }
}

/** POST: the outsider's decision; the run resumes. */
export async function reviewLinkPost(
  db: Db,
  engine: RunEngine,
  token: string,
  req: Request,
  limiter: TokenBucketLimiter = decisionLimiter,
): Promise<Response> {
  try {
    const linkId = linkIdOf(token);
    if (linkId) {
      const decision = limiter.take(linkId);
      if (!decision.ok)
        throw new ApiError(
          429,
          'too_many_requests',
          `Too many attempts with this link: retry in ${decision.retryAfterSeconds} s`,
          { 'retry-after': String(decision.retryAfterSeconds) },
        );
    }
    const body = parseWith(linkDecisionBody, await readJsonBody(req, 256 * 1024));
    const decided = await decideThroughLink(db, engine, token, body);
    return respond({ ok: true, ...decided });
  } catch (error) {
    return failure(error, 'POST /api/review-links/…');
  }
}
