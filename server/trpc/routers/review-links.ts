// Signed links for reviewers outside the workspace: a member who may decide a review (reviewer role
// or above, within the review's assignment) issues one for a named person when the review's node
// allows it, or revokes it. Issuing again replaces the previous link.
import { z } from 'zod';
import * as reviewLinks from '@/server/services/review-links';
import { reviewerProcedure, router } from '../init';

const reviewId = z.object({ reviewId: z.uuid() });

export const reviewLinksRouter = router({
  issue: reviewerProcedure
    .input(reviewId.extend(reviewLinks.issueLinkInput.shape))
    .mutation(({ ctx, input }) => {
      const { reviewId: id, ...link } = input;
      return reviewLinks.issueReviewLink(
        ctx.db,
        { userId: ctx.user.id, role: ctx.role, name: ctx.user.name },
        ctx.workspaceId,
        id,
        link,
      );
    }),

  revoke: reviewerProcedure
    .input(reviewId)
    .mutation(({ ctx, input }) =>
      reviewLinks.revokeReviewLink(
        ctx.db,
        { userId: ctx.user.id, role: ctx.role, name: ctx.user.name },
        ctx.workspaceId,
        input.reviewId,
      ),
    ),
});
