// Usage stats of an app's published API (the Publish tab's chart): any member who can see the app
// may read them, since they hold no key names or secrets, only counts, costs and latencies.
import { z } from 'zod';
import { apiUsageStats, USAGE_RANGES } from '@/server/services/api-usage-service';
import { router, viewerProcedure } from '../init';

export const apiUsageRouter = router({
  stats: viewerProcedure
    .input(
      z.object({
        appId: z.uuid(),
        range: z.enum(USAGE_RANGES),
        /** The viewer's offset from UTC, so daily buckets start at local midnight. */
        utcOffsetMinutes: z
          .number()
          .int()
          .min(-14 * 60)
          .max(14 * 60)
          .optional(),
      }),
    )
    .query(({ ctx, input }) =>
      apiUsageStats(ctx.db, ctx.workspaceId, input.appId, {
        range: input.range,
        utcOffsetMinutes: input.utcOffsetMinutes,
      }),
    ),
});
