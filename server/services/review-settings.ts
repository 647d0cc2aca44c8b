// A workspace's review notification settings: the Slack-compatible webhook URL (owners set, clear
// and test it), plus what the operator configured for every workspace (e-mail through SMTP, the
// public address links use), shown read-only.
import { eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { workspaces } from '@/db/schema';
import { DomainError, notFound } from '@/server/errors';
import { recordAudit } from './audit';
import { reviewDeliverySettings } from './review-outbound';
import { checkReviewWebhookUrl, postReviewWebhook, reviewWebhookMessage } from './review-webhook';

export async function getReviewNotificationSettings(db: Db, workspaceId: string) {
  const [row] = await db
    .select({ webhookUrl: workspaces.reviewWebhookUrl })
    .from(workspaces)
    .where(eq(workspaces.id, workspaceId));
  if (!row) throw notFound('Workspace');
  const settings = reviewDeliverySettings();
  return {
    webhookUrl: row.webhookUrl,
    emailEnabled: settings.smtp !== null,
    publicUrl: settings.publicUrl,
  };
}

/** Sets (a checked http(s) URL) or clears (null or empty) the webhook. */
export async function setReviewWebhook(
  db: Db,
  actorUserId: string,
  workspaceId: string,
  rawUrl: string | null,
): Promise<{ webhookUrl: string | null }> {
  const url = rawUrl?.trim() ? (await checkReviewWebhookUrl(rawUrl)).toString() : null;
  const [row] = await db
    .update(workspaces)
    .set({ reviewWebhookUrl: url })
    .where(eq(workspaces.id, workspaceId))
    .returning({ webhookUrl: workspaces.reviewWebhookUrl });
  if (!row) throw notFound('Workspace');
  await recordAudit(db, {
    workspaceId,
    actorUserId,
    action: url ? 'review_webhook.set' : 'review_webhook.cleared',
    targetType: 'workspace',
    targetId: workspaceId,
    // The URL itself is a credential (Slack's path is the secret): only its host is logged.
    details: url ? { host: new URL(url).host } : {},
  });
  return { webhookUrl: row.webhookUrl };
}

/**
 * Sends a test message to `rawUrl`, or to the saved webhook when none is given, once (no retries,
 * so the owner gets the answer now). Failures are a BAD_REQUEST naming `url`.
 */
export async function sendTestWebhook(
  db: Db,
  workspaceId: string,
  rawUrl?: string | null,
): Promise<{ delivered: true }> {
  let target = rawUrl?.trim() || null;
  if (!target) {
    const [row] = await db
      .select({ webhookUrl: workspaces.reviewWebhookUrl })
      .from(workspaces)
      .where(eq(workspaces.id, workspaceId));
    if (!row) throw notFound('Workspace');
    target = row.webhookUrl;
  }
  if (!target) throw new DomainError('BAD_REQUEST', 'url: no webhook URL is set', 'url');
  const url = await checkReviewWebhookUrl(target);
  const settings = reviewDeliverySettings();
  const result = await postReviewWebhook(
    url,
    reviewWebhookMessage({ kind: 'test', title: 'Test', appName: 'Weft', link: settings.publicUrl }),
    { ...settings.webhook, retryDelaysMs: [] },
  );
  if (!result.ok)
    throw new DomainError(
      'BAD_REQUEST',
      `url: the webhook did not accept the message (${result.error})`,
      'url',
    );
  return { delivered: true };
}
