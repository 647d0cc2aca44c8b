// The reviewer inbox: pending reviews with filters, the badge count, one review, decisions, the
// history with CSV export, and a member's in-app notifications. Reading needs any role; deciding
// needs the reviewer role or above, and the review's assignment (checked by the service).
import { z } from 'zod';
import * as notificationService from '@/server/services/review-notifications';
import * as reviewQueries from '@/server/services/review-queries';
import * as reviewService from '@/server/services/review-service';
import { reviewerProcedure, router, viewerProcedure } from '../init';

const reviewId = z.object({ reviewId: z.uuid() });

const listFilters = z.object({
  assignedToMe: z.boolean().optional(),
  appId: z.uuid().optional(),
  olderThanHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 365)
    .optional(),
});

const historyFilters = listFilters.extend({
  outcome: z.enum(['decided', 'expired', 'closed']).optional(),
  decision: z
    .string()
    .regex(/^[a-z][a-z0-9_-]{0,39}$/)
    .optional(),
});

const page = {
  cursor: z.object({ createdAt: z.date(), id: z.uuid() }).nullish(),
  limit: z.number().int().min(1).max(100).default(25),
};

export const reviewsRouter = router({
  list: viewerProcedure.input(listFilters.extend(page)).query(({ ctx, input }) =>
    reviewQueries.listReviews(
      ctx.db,
      ctx.workspaceId,
      { userId: ctx.user.id, role: ctx.role },
      {
        ...input,
        view: 'pending',
      },
    ),
  ),

  history: viewerProcedure.input(historyFilters.extend(page)).query(({ ctx, input }) =>
    reviewQueries.listReviews(
      ctx.db,
      ctx.workspaceId,
      { userId: ctx.user.id, role: ctx.role },
      {
        ...input,
        view: 'history',
      },
    ),
  ),

  exportCsv: viewerProcedure
    .input(historyFilters.omit({ assignedToMe: true }))
    .query(({ ctx, input }) => reviewQueries.reviewHistoryCsv(ctx.db, ctx.workspaceId, input)),

  // The workspace id is its whole input (from the base procedure).
  pendingCount: viewerProcedure.query(({ ctx }) =>
    reviewQueries.pendingReviewCount(ctx.db, ctx.workspaceId, { userId: ctx.user.id, role: ctx.role }),
  ),

  get: viewerProcedure
    .input(reviewId)
    .query(({ ctx, input }) =>
      reviewQueries.getReview(
        ctx.db,
        ctx.workspaceId,
        { userId: ctx.user.id, role: ctx.role },
        input.reviewId,
      ),
    ),

  ofRun: viewerProcedure
    .input(z.object({ runId: z.uuid() }))
    .query(({ ctx, input }) => reviewQueries.reviewsOfRun(ctx.db, ctx.workspaceId, input.runId)),

  decide: reviewerProcedure
    .input(
      reviewId.extend({
        action: z.string().min(1).max(40),
        fields: z.record(z.string(), z.unknown()).optional(),
        data: z.unknown().optional(),
        comment: z.string().max(10_000).optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const { reviewId: id, ...decision } = input;
      const review = await reviewService.decideReview(
        ctx.db,
        ctx.engine,
        { kind: 'member', userId: ctx.user.id, role: ctx.role, name: ctx.user.name },
        ctx.workspaceId,
        id,
        decision,
      );
      return { id: review.id, decision: review.decision, decidedAt: review.decidedAt };
    }),

  notifications: viewerProcedure
    .input(z.object({ limit: z.number().int().min(1).max(100).default(30) }))
    .query(({ ctx, input }) =>
      notificationService.listNotifications(ctx.db, ctx.workspaceId, ctx.user.id, input.limit),
    ),

  markNotificationsRead: viewerProcedure
    .input(z.object({ ids: z.array(z.uuid()).max(500).optional() }))
    .mutation(({ ctx, input }) =>
      notificationService.markNotificationsRead(ctx.db, ctx.workspaceId, ctx.user.id, input.ids),
    ),
});
