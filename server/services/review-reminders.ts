// Review reminders: a review node with `reminderMs` stores `remind_at` when its review opens. Once
// that time has come and the review is still pending (undecided, before its deadline, its run still
// live), the reviewers get one reminder: an in-app notification (kind `review.reminder`), an e-mail
// when SMTP is configured, and the workspace's webhook message.
//
// Each web process runs a sweeper. A sweep claims due reviews with one conditional update
// (`set reminded_at = now() where reminded_at is null and remind_at <= now() … returning`), so when
// several processes share a database each reminder is claimed by exactly one of them, and a
// process that restarts never reminds twice. A reminder claimed by a process that dies before
// sending it is lost rather than repeated: a missed reminder is the lesser harm.
import { and, asc, eq, gt, inArray, isNotNull, isNull, lte, or, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { reviews, runs } from '@/db/schema';
import { notifyInApp, reviewForNotice } from './review-notifications';
import { type ReviewDeliverySettings, reviewDeliverySettings, sendReviewNotices } from './review-outbound';

const LIVE_RUN = ['queued', 'running', 'paused'];

/**
 * Claims up to `limit` due reviews (marking them reminded) and returns their ids. Safe to run in
 * several processes at once: a row is claimed by one update only.
 */
export async function claimDueReminders(db: Db, limit = 50): Promise<string[]> {
  const due = db
    .select({ id: reviews.id })
    .from(reviews)
    .innerJoin(runs, eq(runs.id, reviews.runId))
    .where(
      and(
        isNull(reviews.remindedAt),
        isNotNull(reviews.remindAt),
        lte(reviews.remindAt, sql`now()`),
        eq(reviews.status, 'pending'),
        or(isNull(reviews.deadlineAt), gt(reviews.deadlineAt, sql`now()`)),
        inArray(runs.status, LIVE_RUN as ('queued' | 'running' | 'paused')[]),
      ),
    )
    .orderBy(asc(reviews.remindAt))
    .limit(limit)
    .for('update', { of: reviews, skipLocked: true });
  const claimed = await db
    .update(reviews)
    .set({ remindedAt: sql`now()` })
    .where(
      and(
        inArray(reviews.id, due),
        // Checked again on the row itself: a concurrent claim that committed first wins.
        isNull(reviews.remindedAt),
        eq(reviews.status, 'pending'),
      ),
    )
    .returning({ id: reviews.id });
  return claimed.map((r) => r.id);
}

/** Sends the reminder of one claimed review: in-app, e-mail (with SMTP) and webhook. */
export async function sendReminder(
  db: Db,
  reviewId: string,
  settings: ReviewDeliverySettings = reviewDeliverySettings(),
): Promise<void> {
  const review = await reviewForNotice(db, reviewId);
  if (!review) return;
  const results = await Promise.allSettled([
    notifyInApp(db, review, 'review.reminder'),
    sendReviewNotices(db, reviewId, 'reminder', settings),
  ]);
  for (const r of results)
    if (r.status === 'rejected') console.error(`review ${reviewId}: reminder failed:`, r.reason);
}

/** One sweep: claims the due reminders and sends them. Returns the ids reminded. */
export async function remindDueReviews(
  db: Db,
  settings: ReviewDeliverySettings = reviewDeliverySettings(),
): Promise<string[]> {
  const ids = await claimDueReminders(db);
  await Promise.all(ids.map((id) => sendReminder(db, id, settings)));
  return ids;
}

export class ReviewReminderSweeper {
  private timer: NodeJS.Timeout | null = null;
  private sweeping: Promise<void> | null = null;

  constructor(
    private readonly db: Db,
    private readonly sweepMs = 15_000,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.kick(), this.sweepMs);
    this.timer.unref();
    this.kick();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.sweeping;
  }

  /** Sweeps now unless a sweep is under way. */
  kick(): void {
    if (this.sweeping) return;
    this.sweeping = remindDueReviews(this.db)
      .then(() => undefined)
      .catch((error: unknown) => console.error('review reminders: sweep failed:', error))
      .finally(() => {
        this.sweeping = null;
      });
  }
}

const holder = globalThis as typeof globalThis & { __weftReviewReminders?: ReviewReminderSweeper };

/** This process's reminder sweeper, started on first use (instrumentation.ts starts it at boot). */
export function processReviewReminders(db: Db): ReviewReminderSweeper {
  if (!holder.__weftReviewReminders) {
    holder.__weftReviewReminders = new ReviewReminderSweeper(db);
    holder.__weftReviewReminders.start();
  }
  return holder.__weftReviewReminders;
}
