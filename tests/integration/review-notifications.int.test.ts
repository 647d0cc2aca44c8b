// Review notifications beyond the app: when a run pauses at a human-review node, the workspace's
// Slack-compatible webhook gets a message (retried when it fails) and, with SMTP configured, each
// member who may decide the review gets an e-mail with an absolute link; without SMTP nothing is
// sent. A due reminder is sent once (in-app, e-mail, webhook) even with two sweepers at once. The
// owner-only settings procedures validate and test the webhook URL.
import { and, eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@/db/client';
import { memberships, notifications, reviews, users } from '@/db/schema';
import { parseConfig } from '@/server/config';
import { publicBaseUrl, setReviewDeliveryOverrides } from '@/server/services/review-outbound';
import { claimDueReminders, remindDueReviews } from '@/server/services/review-reminders';
import { setReviewWebhook } from '@/server/services/review-settings';
import { createInvitation } from '@/server/services/workspace-service';
import { testDatabases } from '../support/databases';
import { type EngineHarness, startEngineHarness, workflow } from '../support/engine-harness';
import { type SmtpCapture, startSmtpCapture } from '../support/smtp-capture';
import { errorOf, httpMutation, registerEngine, signUpUser } from '../support/trpc-harness';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver';

const PUBLIC_URL = 'https://weft.example.test';

const reviewFlow = (title: string, extra: Record<string, unknown> = {}) =>
  workflow(
    [
      { id: 'start', type: 'start', config: { inputs: [] } },
      {
        id: 'review',
        type: 'human-review',
        config: { title, instructions: 'Check the **amount**', reminderMs: 60_000, ...extra },
      },
      { id: 'end', type: 'end', config: { outputs: { decision: '{{review.decision}}' } } },
    ],
    [
      ['start', 'review'],
      ['review', 'end', 'approved'],
    ],
  );

async function addMember(database: Database, workspaceId: string, role: 'viewer' | 'reviewer' | 'editor') {
  const [user] = await database.db
    .insert(users)
    .values({ email: `${role}.${Date.now()}.${Math.random()}@example.test`, name: role, passwordHash: 'x' })
    .returning();
  if (!user) throw new Error('no user');
  await database.db.insert(memberships).values({ workspaceId, userId: user.id, role });
  return user;
}

async function reviewOf(database: Database, runId: string) {
  for (let i = 0; i < 200; i++) {
    const [row] = await database.db.select().from(reviews).where(eq(reviews.runId, runId));
    if (row) return row;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no review for run ${runId}`);
}

describe('review notification configuration', () => {
  it('reads SMTP_URL, SMTP_FROM and WEFT_PUBLIC_URL, all optional', () => {
    const none = parseConfig({});
    expect(none.SMTP_URL).toBeUndefined();
    expect(publicBaseUrl(none)).toBe('http://localhost:3000');
    const set = parseConfig({
      SMTP_URL: 'smtp://u:p@mail.example.com:587',
      SMTP_FROM: 'Weft <weft@example.com>',
      WEFT_PUBLIC_URL: 'https://weft.example.com/',
    });
    expect(set.SMTP_URL).toBe('smtp://u:p@mail.example.com:587');
    expect(publicBaseUrl(set)).toBe('https://weft.example.com');
    expect(() => parseConfig({ SMTP_URL: 'http://mail.example.com' })).toThrow(/SMTP_URL/);
    expect(() => parseConfig({ SMTP_FROM: 'not an address' })).toThrow(/SMTP_FROM/);
    expect(() => parseConfig({ WEFT_PUBLIC_URL: 'weft.example.com' })).toThrow(/WEFT_PUBLIC_URL/);
  });
});

describe.each(testDatabases())('review notifications on $name', (testDb) => {
  let database: Database;
  let h: EngineHarness;
  let hook: WebhookReceiver;
  let smtp: SmtpCapture;
  let reviewer: { id: string; email: string };
  let viewer: { id: string; email: string };
  let ownerEmail: string;

  beforeAll(async () => {
    process.env.WEFT_HTTP_ALLOWLIST = '127.0.0.1';
    hook = await startWebhookReceiver();
    smtp = await startSmtpCapture();
    database = await testDb.open();
    h = await startEngineHarness(database);
    registerEngine(database.db, h.runtime.engine);
    reviewer = await addMember(database, h.owner.workspaceId, 'reviewer');
    viewer = await addMember(database, h.owner.workspaceId, 'viewer');
    const [owner] = await database.db.select().from(users).where(eq(users.id, h.owner.userId));
    ownerEmail = owner?.email ?? '';
    await setReviewWebhook(database.db, h.owner.userId, h.owner.workspaceId, hook.url);
  });
  afterEach(() => setReviewDeliveryOverrides(null));
  afterAll(async () => {
    await h.close();
    await database.close();
    await hook.close();
    await smtp.close();
  });

  const withSmtp = () =>
    setReviewDeliveryOverrides({
      publicUrl: PUBLIC_URL,
      smtp: { url: smtp.url, from: 'Weft <weft@example.test>' },
      webhook: { retryDelaysMs: [20, 20] },
    });

  it('posts to the webhook (retrying a failure) and e-mails every member who may decide', async () => {
    withSmtp();
    hook.answerWith([503]);
    const hooksBefore = hook.bodies.length;
    const mailsBefore = smtp.messages.length;
    const runId = await h.start(reviewFlow('Check invoice 42'));
    await h.waitFor(runId, ['paused']);
    const review = await reviewOf(database, runId);
    const link = `${PUBLIC_URL}/studio/${h.owner.workspaceId}/inbox/${review.id}`;

    // The first attempt got a 503; the retry delivered the same message.
    const bodies = (await hook.received(hooksBefore + 2)).slice(hooksBefore);
    expect(bodies[0]).toEqual(bodies[1]);
    const message = bodies[1] as { text: string; blocks: unknown[] };
    expect(message.text).toBe(`Review needed: Check invoice 42 in Engine app — ${link}`);
    expect(JSON.stringify(message.blocks)).toContain(link);

    const mails = (await smtp.received(mailsBefore + 2)).slice(mailsBefore);
    await new Promise((r) => setTimeout(r, 200));
    expect(smtp.messages.length).toBe(mailsBefore + 2);
    expect(mails.flatMap((m) => m.to).sort()).toEqual([ownerEmail, reviewer.email].sort());
    expect(mails.flatMap((m) => m.to)).not.toContain(viewer.email);
    for (const mail of mails) {
      expect(mail.to).toHaveLength(1);
      expect(mail.subject).toBe('Review needed: Check invoice 42');
      expect(mail.user).toBe('weft');
      expect(mail.from).toBe('weft@example.test');
      expect(mail.raw.replace(/=\r?\n/g, '')).toContain(link);
    }
  });

  it('e-mails only the assigned members', async () => {
    withSmtp();
    const mailsBefore = smtp.messages.length;
    const runId = await h.start(
      reviewFlow('Assigned review', { assignees: { mode: 'members', userIds: [reviewer.id] } }),
    );
    await h.waitFor(runId, ['paused']);
    // The owner may always step in, so owners are told too.
    const mails = (await smtp.received(mailsBefore + 2)).slice(mailsBefore);
    expect(mails.flatMap((m) => m.to).sort()).toEqual([ownerEmail, reviewer.email].sort());
  });

  it('attempts no e-mail without SMTP configured', async () => {
    setReviewDeliveryOverrides({ publicUrl: PUBLIC_URL, smtp: null, webhook: { retryDelaysMs: [] } });
    const hooksBefore = hook.bodies.length;
    const mailsBefore = smtp.messages.length;
    const runId = await h.start(reviewFlow('No mail please'));
    await h.waitFor(runId, ['paused']);
    await hook.received(hooksBefore + 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(smtp.messages.length).toBe(mailsBefore);
  });

  it('reminds once when the reminder is due, even with two sweepers at once', async () => {
    withSmtp();
    const runId = await h.start(reviewFlow('Remind me'));
    await h.waitFor(runId, ['paused']);
    const review = await reviewOf(database, runId);
    expect(review.remindAt).not.toBeNull();
    expect(review.remindedAt).toBeNull();
    // Not due yet: nothing is claimed.
    expect(await claimDueReminders(database.db)).not.toContain(review.id);
    // Wait for the opening notices to settle before counting.
    await new Promise((r) => setTimeout(r, 300));
    const hooksBefore = hook.bodies.length;
    const mailsBefore = smtp.messages.length;

    await database.db
      .update(reviews)
      .set({ remindAt: new Date(Date.now() - 1_000) })
      .where(eq(reviews.id, review.id));
    const [a, b] = await Promise.all([remindDueReviews(database.db), remindDueReviews(database.db)]);
    expect([...(a ?? []), ...(b ?? [])].filter((id) => id === review.id)).toHaveLength(1);

    const [after] = await database.db.select().from(reviews).where(eq(reviews.id, review.id));
    expect(after?.remindedAt).toBeInstanceOf(Date);
    const reminders = await database.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.reviewId, review.id), eq(notifications.kind, 'review.reminder')));
    expect(reminders.map((n) => n.userId).sort()).toEqual([h.owner.userId, reviewer.id].sort());
    expect(reminders[0]?.title).toBe('Reminder: "Remind me" is still waiting');

    const mails = smtp.messages.slice(mailsBefore);
    expect(mails.map((m) => m.subject)).toEqual([
      'Reminder: "Remind me" is still waiting for a review',
      'Reminder: "Remind me" is still waiting for a review',
    ]);
    const bodies = hook.bodies.slice(hooksBefore) as { text: string }[];
    expect(bodies).toHaveLength(1);
    expect(bodies[0]?.text).toMatch(/^Reminder, review still waiting: Remind me in Engine app — https:/);

    // Swept again: nothing more.
    expect(await remindDueReviews(database.db)).toEqual([]);
  });

  it('does not remind about a review that was decided or whose run ended', async () => {
    setReviewDeliveryOverrides({ publicUrl: PUBLIC_URL, smtp: null, webhook: { retryDelaysMs: [] } });
    const runId = await h.start(reviewFlow('Decided already'));
    await h.waitFor(runId, ['paused']);
    const review = await reviewOf(database, runId);
    await database.db
      .update(reviews)
      .set({ status: 'decided', remindAt: new Date(Date.now() - 1_000) })
      .where(eq(reviews.id, review.id));
    expect(await claimDueReminders(database.db)).not.toContain(review.id);

    const cancelled = await h.start(reviewFlow('Cancelled run'));
    await h.waitFor(cancelled, ['paused']);
    const other = await reviewOf(database, cancelled);
    await h.runtime.engine.cancel(h.owner.workspaceId, cancelled);
    await h.waitFor(cancelled, ['cancelled']);
    await database.db
      .update(reviews)
      .set({ remindAt: new Date(Date.now() - 1_000) })
      .where(eq(reviews.id, other.id));
    expect(await claimDueReminders(database.db)).not.toContain(other.id);
  });

  it('lets owners set, test and clear the webhook; others cannot; bad URLs are a 400 naming url', async () => {
    const owner = await signUpUser(database.db, 'hook-owner');
    const ws = { workspaceId: owner.workspaceId };
    const initial = await owner.caller.reviewSettings.get(ws);
    expect(initial.webhookUrl).toBeNull();

    for (const url of [
      'not a url',
      'ftp://example.com/hook',
      'http://10.0.0.7/hook',
      'https://u:p@example.com/x',
    ]) {
      const res = await httpMutation(database.db, 'reviewSettings.setWebhook', { ...ws, url }, owner.token);
      expect(res.status, url).toBe(400);
      expect(res.error?.data.field, url).toBe('url');
      expect(res.error?.message, url).toMatch(/^url: /);
    }

    const before = hook.bodies.length;
    await owner.caller.reviewSettings.testWebhook({ ...ws, url: hook.url });
    const [test] = (await hook.received(before + 1)).slice(before) as { text: string }[];
    expect(test?.text).toMatch(/^Test message from Weft/);

    hook.answerWith([500]);
    const failed = await errorOf(owner.caller.reviewSettings.testWebhook({ ...ws, url: hook.url }));
    expect(failed.code).toBe('BAD_REQUEST');
    expect(failed.message).toMatch(/HTTP 500/);

    expect(await owner.caller.reviewSettings.setWebhook({ ...ws, url: hook.url })).toEqual({
      webhookUrl: hook.url,
    });
    expect((await owner.caller.reviewSettings.get(ws)).webhookUrl).toBe(hook.url);
    // Testing with no URL uses the saved one.
    const beforeSaved = hook.bodies.length;
    await owner.caller.reviewSettings.testWebhook(ws);
    await hook.received(beforeSaved + 1);

    // A reviewer of the workspace can neither read nor change it.
    const { token } = await createInvitation(database.db, owner.user.id, owner.workspaceId, {
      role: 'reviewer',
    });
    const member = await signUpUser(database.db, 'hook-reviewer', token);
    expect((await errorOf(member.caller.reviewSettings.get(ws))).code).toBe('FORBIDDEN');
    expect((await errorOf(member.caller.reviewSettings.setWebhook({ ...ws, url: null }))).code).toBe(
      'FORBIDDEN',
    );
    expect((await errorOf(member.caller.reviewSettings.testWebhook(ws))).code).toBe('FORBIDDEN');

    expect(await owner.caller.reviewSettings.setWebhook({ ...ws, url: null })).toEqual({ webhookUrl: null });
    const cleared = await errorOf(owner.caller.reviewSettings.testWebhook(ws));
    expect(cleared.message).toBe('url: no webhook URL is set');
  });
});
