// One review: what to check, the values to edit, and the decision buttons.
import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { ReviewDetail } from '@/components/inbox/review-detail';

export const metadata: Metadata = { title: 'Review · Weft' };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export default async function ReviewPage({
  params,
}: {
  params: Promise<{ workspaceId: string; reviewId: string }>;
}) {
  const { workspaceId, reviewId } = await params;
  if (!UUID.test(reviewId)) notFound();
  return <ReviewDetail workspaceId={workspaceId} reviewId={reviewId} />;
}
