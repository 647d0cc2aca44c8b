// Signed links for reviewers outside the workspace. When a review's node allows it
// (`allowExternal`), a member who may decide the review issues a link for a named person (name and
// e-mail), valid for 1 to 720 hours. The outsider opens /review/<token>, sees that one review (and
// nothing else of the workspace) and decides it; the decision goes through `decideReview` like the
// inbox's, recorded as "Name <email> (external)".
//
// The token is stateless apart from one column: `rvl_<payload>.<mac>`, where the payload carries
// the review id, a link id, the expiry and the outsider's name and e-mail, and the MAC is an
// HMAC-SHA256 keyed with HKDF(APP_SECRET, "weft:review-links"), so a forged or altered token is
// refused. Issuing stores the new link id in `reviews.external_link_id`: only the newest link of a
// review works, and revoking clears it. A link stops working (410 Gone) once it expires, is
// replaced or revoked, or its review is decided, expired or closed; a token that is not one is a
// 404.
import { createHmac, hkdfSync, randomUUID, timingSafeEqual } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '@/db/client';
import { apps, reviews, runs } from '@/db/schema';
import { config } from '@/server/config';
import { DomainError, forbidden, notFound } from '@/server/errors';
import type { RunEngine } from '@/workflows/engines/run-engine';
import type { ReviewAssignees, ReviewField } from '@/workflows/nodes/human-review';
import { recordAudit } from './audit';
import { reviewLinkMail, sendMails } from './review-email';
import { absoluteUrl, type ReviewDeliverySettings, reviewDeliverySettings } from './review-outbound';
import { actionsOf, mayDecide, type ReviewAction } from './review-rules';
import { closedReason, type DecisionInput, decideReview, type ReviewRow } from './review-service';
import type { Role } from './roles';

const TOKEN_PREFIX = 'rvl_';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const LINK_HOURS_MIN = 1;
export const LINK_HOURS_MAX = 720;
export const LINK_HOURS_DEFAULT = 72;

/** What a link carries. */
export interface LinkClaims {
  reviewId: string;
  linkId: string;
  /** Expiry, Unix milliseconds. */
  expiresAt: number;
  name: string;
  email: string;
}

/** A link that cannot be used: 404 (not a link) or 410 (a link that no longer works). */
export class ReviewLinkError extends Error {
  constructor(
    readonly status: 404 | 410,
    message: string,
  ) {
    super(message);
    this.name = 'ReviewLinkError';
  }
}

let cachedKey: { secret: string; key: Buffer } | null = null;

function linkKey(): Buffer {
  const secret = config().APP_SECRET;
  if (cachedKey?.secret !== secret)
    cachedKey = { secret, key: Buffer.from(hkdfSync('sha256', secret, 'weft', 'weft:review-links', 32)) };
  return cachedKey.key;
}

const mac = (payload: string) =>
  createHmac('sha256', linkKey()).update(payload).digest().subarray(0, 24).toString('base64url');

/** The token of a link (signed; see the file's first lines). */
export function signReviewLink(claims: LinkClaims): string {
  const payload = Buffer.from(
    JSON.stringify({
      v: 1,
      r: claims.reviewId,
      l: claims.linkId,
      e: Math.floor(claims.expiresAt / 1000),
      n: claims.name,
      m: claims.email,
    }),
  ).toString('base64url');
  return `${TOKEN_PREFIX}${payload}.${mac(payload)}`;
}

/** The claims of a token, or null when it is malformed or its MAC is wrong. */
export function parseReviewLink(token: string): LinkClaims | null {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 2048) return null;
  const [payload, given, extra] = token.slice(TOKEN_PREFIX.length).split('.');
  if (!payload || !given || extra !== undefined) return null;
  const expected = Buffer.from(mac(payload));
  const actual = Buffer.from(given);
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  const c = raw as Record<string, unknown>;
  if (
    c.v !== 1 ||
    typeof c.r !== 'string' ||
    !UUID.test(c.r) ||
    typeof c.l !== 'string' ||
    !UUID.test(c.l) ||
    typeof c.e !== 'number' ||
    !Number.isInteger(c.e) ||
    typeof c.n !== 'string' ||
    typeof c.m !== 'string'
  )
    return null;
  return { reviewId: c.r, linkId: c.l, expiresAt: c.e * 1000, name: c.n, email: c.m };
}

/** The path of a link's page. */
export const reviewLinkPath = (token: string) => `/review/${token}`;

export const issueLinkInput = z.object({
  name: z
    .string()
    .trim()
    .min(1, 'is required')
    .max(100)
    // Shown as the decider's name: no line breaks or angle brackets (the e-mail goes in <…>).
    .regex(/^[^\p{Cc}<>]+$/u, 'must not contain line breaks or < >'),
  email: z.string().trim().max(254).pipe(z.email('must be an e-mail address')),
  expiresInHours: z.number().int().min(LINK_HOURS_MIN).max(LINK_HOURS_MAX).default(LINK_HOURS_DEFAULT),
  /** E-mail the link to the person too (when SMTP is configured). */
  sendEmail: z.boolean().default(true),
});
export type IssueLinkInput = z.input<typeof issueLinkInput>;

export interface LinkIssuer {
  userId: string;
  role: Role;
  name: string;
}

async function loadForLink(db: Db, workspaceId: string, reviewId: string) {
  const [row] = await db
    .select({ review: reviews, runStatus: runs.status })
    .from(reviews)
    .innerJoin(runs, eq(runs.id, reviews.runId))
    .where(and(eq(reviews.id, reviewId), eq(reviews.workspaceId, workspaceId)));
  if (!row) throw notFound('Review');
  return row;
}

function assertMayManage(review: ReviewRow, issuer: LinkIssuer) {
  if (!mayDecide(review.assignees as ReviewAssignees, issuer))
    throw forbidden('This review is assigned to other reviewers');
  if (!review.allowExternal)
    throw forbidden(
      'This review does not allow external reviewers (its node’s “allow external” setting is off)',
    );
}

export interface IssuedLink {
  /** /review/<token> */
  url: string;
  absoluteUrl: string;
  expiresAt: Date;
  /** Whether the link was e-mailed to the person. */
  emailed: boolean;
}

/**
 * Issues a link for an outsider: replaces any earlier link of the review (only the newest works).
 * The issuer must be allowed to decide the review, the review must allow external reviewers and
 * still be pending.
 */
export async function issueReviewLink(
  db: Db,
  issuer: LinkIssuer,
  workspaceId: string,
  reviewId: string,
  rawInput: IssueLinkInput,
  options: { now?: number; settings?: ReviewDeliverySettings } = {},
): Promise<IssuedLink> {
  const parsed = issueLinkInput.safeParse(rawInput);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.map(String).join('.') || 'input';
    throw new DomainError('BAD_REQUEST', `${field}: ${issue?.message ?? 'is invalid'}`, field);
  }
  const input = parsed.data;
  const { review, runStatus } = await loadForLink(db, workspaceId, reviewId);
  assertMayManage(review, issuer);
  const closed = closedReason(review, runStatus);
  if (closed) throw closed;

  const now = options.now ?? Date.now();
  const linkId = randomUUID();
  const expiresAt = now + input.expiresInHours * 3_600_000;
  const [updated] = await db
    .update(reviews)
    .set({ externalLinkId: linkId })
    .where(
      and(eq(reviews.id, review.id), eq(reviews.workspaceId, workspaceId), eq(reviews.status, 'pending')),
    )
    .returning({ id: reviews.id });
  if (!updated) throw new DomainError('CONFLICT', 'This review was decided meanwhile');
  await recordAudit(db, {
    workspaceId,
    actorUserId: issuer.userId,
    action: 'review.link_issued',
    targetType: 'review',
    targetId: review.id,
    details: { name: input.name, email: input.email, expiresAt: new Date(expiresAt).toISOString() },
  });

  const token = signReviewLink({
    reviewId: review.id,
    linkId,
    expiresAt,
    name: input.name,
    email: input.email,
  });
  const settings = options.settings ?? reviewDeliverySettings();
  const url = reviewLinkPath(token);
  const link = absoluteUrl(settings, url);
  let emailed = false;
  if (input.sendEmail && settings.smtp) {
    const sent = await sendMails(settings.smtp, [
      reviewLinkMail(
        { name: input.name, email: input.email },
        { title: review.title, issuerName: issuer.name, link, expiresAt: new Date(expiresAt) },
      ),
    ]);
    emailed = sent.sent.length === 1;
  }
  return { url, absoluteUrl: link, expiresAt: new Date(expiresAt), emailed };
}

/** Makes the review's current link stop working. */
export async function revokeReviewLink(
  db: Db,
  issuer: LinkIssuer,
  workspaceId: string,
  reviewId: string,
): Promise<{ revoked: boolean }> {
  const { review } = await loadForLink(db, workspaceId, reviewId);
  assertMayManage(review, issuer);
  if (!review.externalLinkId) return { revoked: false };
  await db
    .update(reviews)
    .set({ externalLinkId: null })
    .where(and(eq(reviews.id, review.id), eq(reviews.workspaceId, workspaceId)));
  await recordAudit(db, {
    workspaceId,
    actorUserId: issuer.userId,
    action: 'review.link_revoked',
    targetType: 'review',
    targetId: review.id,
  });
  return { revoked: true };
}

const gone = (message: string) => new ReviewLinkError(410, message);
const invalid = () =>
  new ReviewLinkError(404, 'This review link is not valid. Check that it was copied whole.');

/** Why a link's review can no longer be decided through it, or null. */
function linkRefusal(claims: LinkClaims, review: ReviewRow, runStatus: string, now: number) {
  if (claims.expiresAt <= now)
    return gone(`This review link expired at ${new Date(claims.expiresAt).toUTCString()}.`);
  if (!review.allowExternal || review.externalLinkId !== claims.linkId)
    return gone('This review link was revoked or replaced by a newer one. Ask for a new link.');
  if (review.status === 'decided') return gone('This review has already been decided. Thank you.');
  const closed = closedReason(review, runStatus, now);
  if (closed) {
    const expired = review.deadlineAt && review.deadlineAt.getTime() <= now;
    return gone(
      expired
        ? `This review expired at ${review.deadlineAt?.toUTCString()}: it no longer takes decisions.`
        : 'This review is closed: the run it belonged to has ended.',
    );
  }
  return null;
}

/** The link's review, checked usable; throws ReviewLinkError otherwise. */
async function openLink(db: Db, token: string, now: number) {
  const claims = parseReviewLink(token);
  if (!claims) throw invalid();
  const [row] = await db
    .select({ review: reviews, runStatus: runs.status, appName: apps.name })
    .from(reviews)
    .innerJoin(runs, eq(runs.id, reviews.runId))
    .innerJoin(apps, eq(apps.id, reviews.appId))
    .where(eq(reviews.id, claims.reviewId));
  // A valid signature over a review that is gone (its app or workspace was deleted).
  if (!row) throw gone('This review no longer exists.');
  const refusal = linkRefusal(claims, row.review, row.runStatus, now);
  if (refusal) throw refusal;
  return { claims, ...row };
}

/** What the outsider sees: the review only, with nothing that leads elsewhere in the workspace. */
export interface ReviewLinkView {
  title: string;
  instructions: string;
  appName: string;
  context: { label: string; value: unknown }[];
  data: unknown;
  allowEdit: boolean;
  fields: ReviewField[];
  actions: ReviewAction[];
  /** ISO times. */
  deadlineAt: string | null;
  expiresAt: string;
  reviewer: { name: string; email: string };
}

/** The review a link opens (GET /api/review-links/<token>, the /review/<token> page). */
export async function reviewForLink(db: Db, token: string, now = Date.now()): Promise<ReviewLinkView> {
  const { claims, review, appName } = await openLink(db, token, now);
  return {
    title: review.title,
    instructions: review.instructions,
    appName,
    context: (review.context ?? []) as { label: string; value: unknown }[],
    data: review.data ?? null,
    allowEdit: review.allowEdit,
    fields: (review.fields ?? []) as ReviewField[],
    actions: actionsOf((review.actions ?? []) as ReviewAction[]),
    deadlineAt: review.deadlineAt?.toISOString() ?? null,
    expiresAt: new Date(claims.expiresAt).toISOString(),
    reviewer: { name: claims.name, email: claims.email },
  };
}

/** The body of POST /api/review-links/<token>. */
export const linkDecisionBody = z.object({
  action: z.string().min(1, 'is required').max(40),
  fields: z.record(z.string(), z.unknown()).optional(),
  data: z.unknown().optional(),
  comment: z.string().max(10_000).optional(),
});

/**
 * Decides the link's review as the outsider. A decision that loses a race, or arrives after the
 * link stopped working, is a 410; bad values are the usual 400 naming the field.
 */
export async function decideThroughLink(
  db: Db,
  engine: RunEngine,
  token: string,
  input: DecisionInput,
  now = Date.now(),
): Promise<{ decision: string | null; decidedAt: Date | null; decidedBy: string | null }> {
  const { claims, review } = await openLink(db, token, now);
  try {
    const decided = await decideReview(
      db,
      engine,
      { kind: 'external', name: `${claims.name} <${claims.email}>`, linkId: claims.linkId },
      review.workspaceId,
      review.id,
      input,
    );
    return { decision: decided.decision, decidedAt: decided.decidedAt, decidedBy: decided.decidedByName };
  } catch (error) {
    if (error instanceof DomainError && (error.code === 'CONFLICT' || error.code === 'FORBIDDEN')) {
      // Decided, expired, closed or the link replaced between reading and deciding.
      const again = await openLink(db, token, Date.now()).then(
        () => null,
        (refusal: unknown) => refusal,
      );
      throw again ?? gone('This review can no longer be decided through this link.');
    }
    throw error;
  }
}

/** The link id a token carries (for per-link rate limits), or null. */
export const linkIdOf = (token: string) => parseReviewLink(token)?.linkId ?? null;
