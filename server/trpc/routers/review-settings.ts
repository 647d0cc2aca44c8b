// A workspace's review notification settings: the Slack-compatible webhook told about new reviews
// and reminders. Owners read, set, clear and test it (the URL is a credential); e-mail and the
// public address come from the server's configuration and are shown read-only.
import { z } from 'zod';
import * as reviewSettings from '@/server/services/review-settings';
import { WEBHOOK_URL_MAX } from '@/server/services/review-webhook';
import { ownerProcedure, router } from '../init';

const webhookUrl = z.string().max(WEBHOOK_URL_MAX, `must be at most ${WEBHOOK_URL_MAX} characters`);

export const reviewSettingsRouter = router({
  // The workspace id is its whole input (from the base procedure).
  get: ownerProcedure.query(({ ctx }) =>
    reviewSettings.getReviewNotificationSettings(ctx.db, ctx.workspaceId),
  ),

  /** Sets the webhook URL; null or an empty string clears it. */
  setWebhook: ownerProcedure
    .input(z.object({ url: webhookUrl.nullable() }))
    .mutation(({ ctx, input }) =>
      reviewSettings.setReviewWebhook(ctx.db, ctx.user.id, ctx.workspaceId, input.url),
    ),

  /** Sends a test message to `url` (before saving it) or to the saved webhook. */
  testWebhook: ownerProcedure
    .input(z.object({ url: webhookUrl.optional() }))
    .mutation(({ ctx, input }) => reviewSettings.sendTestWebhook(ctx.db, ctx.workspaceId, input.url)),
});
