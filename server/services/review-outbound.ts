// Review notices that leave Weft: the workspace's Slack-compatible webhook (review-webhook.ts) and
// e-mail to each member who may decide the review (review-email.ts, only with SMTP_URL set). Sent
// when a review opens and when its reminder comes due. Links in them are absolute, built on
// WEFT_PUBLIC_URL (default http://localhost:<PORT>).
//
// Everything here is best effort: failures are logged, nothing rejects, so a broken webhook or
// mail server never holds up or fails a run.
import { eq, inArray } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { apps, reviews, users, workspaces } from '@/db/schema';
import { config, type WeftConfig } from '@/server/config';
import { reviewMail, type SendResult, type SmtpSettings, sendMails } from './review-email';
import { eligibleReviewers, reviewLink } from './review-notifications';
import {
  postReviewWebhook,
  reviewWebhookMessage,
  type WebhookDeliveryOptions,
  type WebhookResult,
} from './review-webhook';

export interface ReviewDeliverySettings {
  /** Base of absolute links, without a trailing slash. */
  publicUrl: string;
  /** null: no e-mail. */
  smtp: SmtpSettings | null;
  webhook: WebhookDeliveryOptions;
}

/** WEFT_PUBLIC_URL, or http://localhost:<PORT>, without a trailing slash. */
export function publicBaseUrl(c: Pick<WeftConfig, 'WEFT_PUBLIC_URL' | 'PORT'> = config()): string {
  return (c.WEFT_PUBLIC_URL ?? `http://localhost:${c.PORT}`).replace(/\/+$/, '');
}

let overrides: Partial<ReviewDeliverySettings> | null = null;

/**
 * Replaces parts of the settings read from the configuration (tests point e-mail at a local SMTP
 * server started after the configuration was read). `null` goes back to the configuration.
 */
export function setReviewDeliveryOverrides(next: Partial<ReviewDeliverySettings> | null): void {
  overrides = next;
}

export function reviewDeliverySettings(): ReviewDeliverySettings {
  const c = config();
  const publicUrl = publicBaseUrl(c);
  const smtp = c.SMTP_URL
    ? { url: c.SMTP_URL, from: c.SMTP_FROM ?? `Weft <weft@${new URL(publicUrl).hostname}>` }
    : null;
  return { publicUrl, smtp, webhook: {}, ...overrides };
}

export const absoluteUrl = (settings: Pick<ReviewDeliverySettings, 'publicUrl'>, path: string) =>
  `${settings.publicUrl}${path.startsWith('/') ? path : `/${path}`}`;

/** E-mail addresses of the members who may decide the review. */
async function reviewerEmails(db: Db, review: { workspaceId: string; assignees: unknown }) {
  const reviewers = await eligibleReviewers(db, review);
  if (reviewers.length === 0) return [];
  const rows = await db
    .select({ email: users.email })
    .from(users)
    .where(
      inArray(
        users.id,
        reviewers.map((r) => r.userId),
      ),
    );
  return rows.map((r) => r.email);
}

export interface NoticeOutcome {
  webhook: WebhookResult | null;
  email: SendResult | null;
}

/**
 * Sends the webhook message and the e-mails for a review that opened (`opened`) or whose reminder
 * is due (`reminder`). Resolves when both are done (or given up); never rejects.
 */
export async function sendReviewNotices(
  db: Db,
  reviewId: string,
  kind: 'opened' | 'reminder',
  settings: ReviewDeliverySettings = reviewDeliverySettings(),
): Promise<NoticeOutcome> {
  const outcome: NoticeOutcome = { webhook: null, email: null };
  try {
    const [row] = await db
      .select({ review: reviews, appName: apps.name, webhookUrl: workspaces.reviewWebhookUrl })
      .from(reviews)
      .innerJoin(apps, eq(apps.id, reviews.appId))
      .innerJoin(workspaces, eq(workspaces.id, reviews.workspaceId))
      .where(eq(reviews.id, reviewId));
    if (!row) return outcome;
    const { review, appName, webhookUrl } = row;
    const link = absoluteUrl(settings, reviewLink(review));
    const webhook = async () => {
      if (!webhookUrl) return;
      let url: URL;
      try {
        url = new URL(webhookUrl);
      } catch {
        outcome.webhook = { ok: false, error: 'the stored webhook URL is not a URL' };
        return;
      }
      const message = reviewWebhookMessage({
        kind,
        title: review.title,
        appName,
        link,
        deadlineAt: review.deadlineAt,
      });
      outcome.webhook = await postReviewWebhook(url, message, settings.webhook);
    };
    const email = async () => {
      const smtp = settings.smtp;
      if (!smtp) return;
      const to = await reviewerEmails(db, review);
      const content = {
        kind,
        title: review.title,
        appName,
        instructions: review.instructions,
        link,
        deadlineAt: review.deadlineAt,
      };
      outcome.email = await sendMails(
        smtp,
        to.map((address) => reviewMail(address, content)),
      );
    };
    const results = await Promise.allSettled([webhook(), email()]);
    for (const r of results)
      if (r.status === 'rejected') console.error(`review ${reviewId}: ${kind} notice failed:`, r.reason);
  } catch (error) {
    console.error(`review ${reviewId}: ${kind} notices failed:`, error);
  }
  return outcome;
}
