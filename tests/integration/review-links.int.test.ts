// Signed links for reviewers outside the workspace, on the real engine: a reviewer issues a link for
// a review whose node allows it; the outsider reads the review and decides it through the link's
// HTTP handlers; the run resumes with the outsider recorded as reviewer, and the link stops working.
// Expired, replaced and revoked links are 410 Gone, a forged token is a 404, bad decisions are a
// 400 naming the field; links cannot be issued by viewers or for reviews that do not allow them.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@/db/client';
import { auditLog, reviews } from '@/db/schema';
import { TokenBucketLimiter } from '@/server/public-api/rate-limit';
import { reviewLinkGet, reviewLinkPost } from '@/server/public-api/review-link-handlers';
import { issueReviewLink, parseReviewLink, signReviewLink } from '@/server/services/review-links';
import { setReviewDeliveryOverrides } from '@/server/services/review-outbound';
import { createInvitation } from '@/server/services/workspace-service';
import { testDatabases } from '../support/databases';
import { type EngineHarness, startEngineHarness, workflow } from '../support/engine-harness';
import { type SmtpCapture, startSmtpCapture } from '../support/smtp-capture';
import { errorOf, httpMutation, registerEngine, signUpUser } from '../support/trpc-harness';

const flow = (allowExternal: boolean) =>
  workflow(
    [
      { id: 'start', type: 'start', config: { inputs: [] } },
      {
        id: 'review',
        type: 'human-review',
        config: {
          title: 'Approve the quote',
          instructions: 'Check the amount',
          context: [{ label: 'Customer', value: 'ACME' }],
          data: 'Quote text',
          fields: [{ name: 'amount', label: 'Amount', type: 'number', value: 10, required: true }],
          allowExternal,
        },
      },
      {
        id: 'end',
        type: 'end',
        config: {
          outputs: {
            decision: '{{review.decision}}',
            reviewer: '{{review.reviewer}}',
            amount: '{{review.fields.amount}}',
            comment: '{{review.comment}}',
          },
        },
      },
    ],
    [
      ['start', 'review'],
      ['review', 'end', 'approved'],
    ],
  );

const tokenOf = (url: string) => url.replace(/^\/review\//, '');

const post = (body: unknown) =>
  new Request('http://127.0.0.1/api/review-links/x', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

async function json(res: Response) {
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe.each(testDatabases())('external review links on $name', (testDb) => {
  let database: Database;
  let h: EngineHarness;
  let smtp: SmtpCapture;
  let reviewer: Awaited<ReturnType<typeof signUpUser>>;
  let viewer: Awaited<ReturnType<typeof signUpUser>>;
  let ws: { workspaceId: string };
  // A generous limiter, so these tests are not slowed by the per-link limit (tested on its own).
  const limiter = () => new TokenBucketLimiter(() => ({ perMinute: 1000, burst: 1000 }));

  async function pausedReview(allowExternal: boolean) {
    const runId = await h.start(flow(allowExternal));
    await h.waitFor(runId, ['paused']);
    for (let i = 0; i < 200; i++) {
      const [row] = await database.db.select().from(reviews).where(eq(reviews.runId, runId));
      if (row) return { runId, review: row };
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error('no review');
  }

  beforeAll(async () => {
    smtp = await startSmtpCapture();
    setReviewDeliveryOverrides({
      publicUrl: 'https://weft.example.test',
      smtp: { url: smtp.url, from: 'weft@example.test' },
      webhook: { retryDelaysMs: [] },
    });
    database = await testDb.open();
    h = await startEngineHarness(database);
    registerEngine(database.db, h.runtime.engine);
    ws = { workspaceId: h.owner.workspaceId };
    const asReviewer = await createInvitation(database.db, h.owner.userId, ws.workspaceId, {
      role: 'reviewer',
    });
    reviewer = await signUpUser(database.db, 'link-reviewer', asReviewer.token);
    const asViewer = await createInvitation(database.db, h.owner.userId, ws.workspaceId, { role: 'viewer' });
    viewer = await signUpUser(database.db, 'link-viewer', asViewer.token);
  });
  afterAll(async () => {
    // Let the e-mails about reviews opening (sent in the background) finish first.
    await new Promise((r) => setTimeout(r, 500));
    setReviewDeliveryOverrides(null);
    await h.close();
    await database.close();
    await smtp.close();
  });

  it('lets an outsider decide through the link; the run resumes with them recorded; the link then stops', async () => {
    const { runId, review } = await pausedReview(true);
    const mailsBefore = smtp.messages.length;
    const issued = await reviewer.caller.reviewLinks.issue({
      ...ws,
      reviewId: review.id,
      name: 'Olga Outside',
      email: 'olga@example.com',
    });
    expect(issued.url).toMatch(/^\/review\/rvl_[\w-]+\.[\w-]+$/);
    expect(issued.absoluteUrl).toBe(`https://weft.example.test${issued.url}`);
    expect(issued.expiresAt.getTime()).toBeGreaterThan(Date.now() + 71 * 3_600_000);
    expect(issued.expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + 72 * 3_600_000);
    // With SMTP configured, the link is e-mailed to the person.
    expect(issued.emailed).toBe(true);
    // (Reviewers are e-mailed about the review opening at the same time: pick Olga's message.)
    let mail = smtp.messages.slice(mailsBefore).find((m) => m.to.includes('olga@example.com'));
    for (let i = 0; !mail && i < 200; i++) {
      await new Promise((r) => setTimeout(r, 20));
      mail = smtp.messages.slice(mailsBefore).find((m) => m.to.includes('olga@example.com'));
    }
    expect(mail?.to).toEqual(['olga@example.com']);
    expect(mail?.subject).toBe('Review requested: Approve the quote');
    expect(mail?.raw.replace(/=\r?\n/g, '')).toContain(issued.url.slice(0, 40));

    const token = tokenOf(issued.url);
    const got = await json(await reviewLinkGet(database.db, token));
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({
      title: 'Approve the quote',
      instructions: 'Check the amount',
      appName: 'Engine app',
      context: [{ label: 'Customer', value: 'ACME' }],
      data: 'Quote text',
      reviewer: { name: 'Olga Outside', email: 'olga@example.com' },
    });
    expect((got.body.actions as { id: string }[]).map((a) => a.id)).toEqual(['approve', 'reject']);
    // Nothing that leads into the workspace.
    const text = JSON.stringify(got.body);
    for (const id of [ws.workspaceId, runId, review.id, h.owner.appId]) expect(text).not.toContain(id);

    // Bad decisions: a 400 naming the field, and the review stays open.
    const missing = await json(
      await reviewLinkPost(database.db, h.runtime.engine, token, post({}), limiter()),
    );
    expect(missing.status).toBe(400);
    expect(missing.body.message).toMatch(/^action: /);
    const notANumber = await json(
      await reviewLinkPost(
        database.db,
        h.runtime.engine,
        token,
        post({ action: 'approve', fields: { amount: 'lots' } }),
        limiter(),
      ),
    );
    expect(notANumber).toMatchObject({ status: 400, body: { message: 'fields.amount: must be a number' } });
    const badAction = await json(
      await reviewLinkPost(database.db, h.runtime.engine, token, post({ action: 'escalate' }), limiter()),
    );
    expect(badAction.status).toBe(400);
    expect(badAction.body.message).toMatch(/^action: must be one of: approve, reject/);

    const decided = await json(
      await reviewLinkPost(
        database.db,
        h.runtime.engine,
        token,
        post({ action: 'approve', fields: { amount: '12.5' }, comment: 'fine by me' }),
        limiter(),
      ),
    );
    expect(decided.status).toBe(200);
    expect(decided.body).toMatchObject({ ok: true, decision: 'approve' });

    const run = await h.waitFor(runId);
    expect(run.status).toBe('succeeded');
    expect(run.outputs).toEqual({
      decision: 'approve',
      reviewer: 'Olga Outside <olga@example.com> (external)',
      amount: 12.5,
      comment: 'fine by me',
    });
    const [row] = await database.db.select().from(reviews).where(eq(reviews.id, review.id));
    expect(row).toMatchObject({
      status: 'decided',
      decidedBy: null,
      decidedByName: 'Olga Outside <olga@example.com> (external)',
      decision: 'approve',
    });
    const audit = await database.db.select().from(auditLog).where(eq(auditLog.targetId, review.id));
    expect(audit.map((a) => a.action).sort()).toEqual(['review.decided', 'review.link_issued']);
    expect(audit.find((a) => a.action === 'review.decided')?.details).toMatchObject({ via: 'external' });

    // Decided: the link is gone for reading and for deciding.
    const after = await json(await reviewLinkGet(database.db, token));
    expect(after).toMatchObject({ status: 410, body: { code: 'link_gone' } });
    expect(after.body.message).toMatch(/already been decided/);
    const again = await json(
      await reviewLinkPost(database.db, h.runtime.engine, token, post({ action: 'reject' }), limiter()),
    );
    expect(again.status).toBe(410);
    // Nor can a new one be issued.
    expect(
      (
        await errorOf(
          reviewer.caller.reviewLinks.issue({
            ...ws,
            reviewId: review.id,
            name: 'Late',
            email: 'late@example.com',
          }),
        )
      ).code,
    ).toBe('CONFLICT');
  });

  it('refuses expired, replaced and revoked links with 410, and forged tokens with 404', async () => {
    const { review } = await pausedReview(true);
    const issuer = { userId: reviewer.user.id, role: 'reviewer' as const, name: 'link-reviewer' };
    // Issued 73 hours ago with the default 72-hour validity: expired an hour ago.
    const old = await issueReviewLink(
      database.db,
      issuer,
      ws.workspaceId,
      review.id,
      { name: 'Past', email: 'past@example.com', sendEmail: false },
      { now: Date.now() - 73 * 3_600_000 },
    );
    const expired = await json(await reviewLinkGet(database.db, tokenOf(old.url)));
    expect(expired.status).toBe(410);
    expect(expired.body.message).toMatch(/^This review link expired at /);

    const first = await reviewer.caller.reviewLinks.issue({
      ...ws,
      reviewId: review.id,
      name: 'First',
      email: 'first@example.com',
      expiresInHours: 1,
      sendEmail: false,
    });
    expect(first.emailed).toBe(false);
    expect((await reviewLinkGet(database.db, tokenOf(first.url))).status).toBe(200);
    const second = await reviewer.caller.reviewLinks.issue({
      ...ws,
      reviewId: review.id,
      name: 'Second',
      email: 'second@example.com',
      sendEmail: false,
    });
    const replaced = await json(await reviewLinkGet(database.db, tokenOf(first.url)));
    expect(replaced.status).toBe(410);
    expect(replaced.body.message).toMatch(/revoked or replaced/);
    const replacedPost = await json(
      await reviewLinkPost(
        database.db,
        h.runtime.engine,
        tokenOf(first.url),
        post({ action: 'approve' }),
        limiter(),
      ),
    );
    expect(replacedPost.status).toBe(410);
    expect((await reviewLinkGet(database.db, tokenOf(second.url))).status).toBe(200);

    expect(await reviewer.caller.reviewLinks.revoke({ ...ws, reviewId: review.id })).toEqual({
      revoked: true,
    });
    expect((await reviewLinkGet(database.db, tokenOf(second.url))).status).toBe(410);
    const [row] = await database.db.select().from(reviews).where(eq(reviews.id, review.id));
    expect(row?.status).toBe('pending');

    // Forged: another review id under the old signature, a flipped MAC, garbage.
    const claims = parseReviewLink(tokenOf(second.url));
    expect(claims?.name).toBe('Second');
    const [payload = '', mac = ''] = tokenOf(second.url).slice(4).split('.');
    const swapped = Buffer.from(
      Buffer.from(payload, 'base64url').toString().replace(review.id, crypto.randomUUID()),
    ).toString('base64url');
    for (const bad of [
      `rvl_${swapped}.${mac}`,
      `rvl_${payload}.${mac.slice(0, -2)}${mac.endsWith('AA') ? 'BB' : 'AA'}`,
      'rvl_nothing.here',
      'not-a-token',
    ]) {
      const res = await json(await reviewLinkGet(database.db, bad));
      expect(res.status, bad).toBe(404);
      expect(res.body.code).toBe('not_found');
    }
    // A correctly signed token for a review that does not exist is gone, not a crash.
    const ghost = signReviewLink({
      reviewId: crypto.randomUUID(),
      linkId: crypto.randomUUID(),
      expiresAt: Date.now() + 60_000,
      name: 'Ghost',
      email: 'ghost@example.com',
    });
    expect((await reviewLinkGet(database.db, ghost)).status).toBe(410);
  });

  it('cannot be issued for a review whose node does not allow external reviewers, nor by a viewer', async () => {
    const { review } = await pausedReview(false);
    const refused = await errorOf(
      reviewer.caller.reviewLinks.issue({
        ...ws,
        reviewId: review.id,
        name: 'Olga',
        email: 'olga@example.com',
      }),
    );
    expect(refused.code).toBe('FORBIDDEN');
    expect(refused.message).toMatch(/does not allow external reviewers/);

    const open = await pausedReview(true);
    const viewerTry = await errorOf(
      viewer.caller.reviewLinks.issue({
        ...ws,
        reviewId: open.review.id,
        name: 'Olga',
        email: 'olga@example.com',
      }),
    );
    expect(viewerTry.code).toBe('FORBIDDEN');
    expect((await errorOf(viewer.caller.reviewLinks.revoke({ ...ws, reviewId: open.review.id }))).code).toBe(
      'FORBIDDEN',
    );
    const [row] = await database.db.select().from(reviews).where(eq(reviews.id, open.review.id));
    expect(row?.externalLinkId).toBeNull();

    // Bad input is a 400 naming the field.
    for (const [input, field] of [
      [{ name: '', email: 'olga@example.com' }, 'name'],
      [{ name: 'Olga', email: 'not-an-address' }, 'email'],
      [{ name: 'Olga', email: 'olga@example.com', expiresInHours: 0 }, 'expiresInHours'],
      [{ name: 'Olga', email: 'olga@example.com', expiresInHours: 721 }, 'expiresInHours'],
      [{ name: 'Olga\nEvil', email: 'olga@example.com' }, 'name'],
    ] as const) {
      const res = await httpMutation(
        database.db,
        'reviewLinks.issue',
        { ...ws, reviewId: open.review.id, ...input },
        reviewer.token,
      );
      expect(res.status, JSON.stringify(input)).toBe(400);
      expect(res.error?.data.field, JSON.stringify(input)).toBe(field);
    }
  });

  it('limits decision attempts per link', async () => {
    const { review } = await pausedReview(true);
    const issued = await reviewer.caller.reviewLinks.issue({
      ...ws,
      reviewId: review.id,
      name: 'Hammer',
      email: 'hammer@example.com',
      sendEmail: false,
    });
    const token = tokenOf(issued.url);
    const strict = new TokenBucketLimiter(() => ({ perMinute: 10, burst: 5 }));
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push((await reviewLinkPost(database.db, h.runtime.engine, token, post({}), strict)).status);
    expect(statuses).toEqual([400, 400, 400, 400, 400, 429]);
  });

  it('closes the link when the run ends without a decision', async () => {
    const { runId, review } = await pausedReview(true);
    const issued = await reviewer.caller.reviewLinks.issue({
      ...ws,
      reviewId: review.id,
      name: 'Late',
      email: 'late@example.com',
      sendEmail: false,
    });
    await h.runtime.engine.cancel(ws.workspaceId, runId);
    await h.waitFor(runId, ['cancelled']);
    const res = await json(await reviewLinkGet(database.db, tokenOf(issued.url)));
    expect(res.status).toBe(410);
    expect(res.body.message).toMatch(/closed/);
  });
});
