// Telling reviewers that a review waits for them. In-app: one notification per member who may
// decide it (the inbox badge counts pending reviews; the notification list says what is new).
import { and, count, desc, eq, inArray, isNull } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { memberships, notifications, reviews } from '@/db/schema';
import type { ReviewAssignees } from '@/workflows/nodes/human-review';
import { mayDecide } from './review-rules';

/** The review with what notifications need, or null when it is gone. */
export async function reviewForNotice(db: Db, reviewId: string) {
  const [review] = await db.select().from(reviews).where(eq(reviews.id, reviewId));
  return review ?? null;
}

/** Members of the review's workspace who may decide it. */
export async function eligibleReviewers(db: Db, review: { workspaceId: string; assignees: unknown }) {
  const members = await db
    .select({ userId: memberships.userId, role: memberships.role })
    .from(memberships)
    .where(eq(memberships.workspaceId, review.workspaceId));
  return members.filter((m) => mayDecide(review.assignees as ReviewAssignees, m));
}

/** The inbox path of a review. */
export const reviewLink = (review: { workspaceId: string; id: string }) =>
  `/studio/${review.workspaceId}/inbox/${review.id}`;

/** One in-app notification per member who may decide the review (`review.opened` or `review.reminder`). */
export async function notifyInApp(
  db: Db,
  review: NonNullable<Awaited<ReturnType<typeof reviewForNotice>>>,
  kind: string,
) {
  const reviewers = await eligibleReviewers(db, review);
  if (reviewers.length === 0) return;
  const title =
    kind === 'review.reminder'
      ? `Reminder: "${review.title}" is still waiting`
      : `Review needed: ${review.title}`;
  await db.insert(notifications).values(
    reviewers.map((r) => ({
      workspaceId: review.workspaceId,
      userId: r.userId,
      kind,
      title,
      link: reviewLink(review),
      reviewId: review.id,
    })),
  );
}

/** Everything that happens when a review opens. */
export async function notifyReviewOpened(db: Db, reviewId: string): Promise<void> {
  const review = await reviewForNotice(db, reviewId);
  if (!review) return;
  await notifyInApp(db, review, 'review.opened');
}

/** A member's notifications, newest first, with how many are unread. */
export async function listNotifications(db: Db, workspaceId: string, userId: string, limit = 30) {
  const mine = and(eq(notifications.workspaceId, workspaceId), eq(notifications.userId, userId));
  const items = await db
    .select({
      id: notifications.id,
      kind: notifications.kind,
      title: notifications.title,
      link: notifications.link,
      readAt: notifications.readAt,
      createdAt: notifications.createdAt,
    })
    .from(notifications)
    .where(mine)
    .orderBy(desc(notifications.createdAt))
    .limit(limit);
  const [unread] = await db
    .select({ n: count() })
    .from(notifications)
    .where(and(mine, isNull(notifications.readAt)));
  return { items, unread: unread?.n ?? 0 };
}

/** Marks a member's notifications read: the given ones, or all of them. */
export async function markNotificationsRead(db: Db, workspaceId: string, userId: string, ids?: string[]) {
  const mine = and(eq(notifications.workspaceId, workspaceId), eq(notifications.userId, userId));
  const rows = await db
    .update(notifications)
    .set({ readAt: new Date() })
    .where(and(mine, isNull(notifications.readAt), ids ? inArray(notifications.id, ids) : undefined))
    .returning({ id: notifications.id });
  return { read: rows.length };
}
