// The inbox's history: decided, expired and closed reviews, with CSV export.
import type { Metadata } from 'next';
import { ReviewHistory } from '@/components/inbox/review-history';

export const metadata: Metadata = { title: 'Review history · Weft' };

export default async function ReviewHistoryPage({ params }: { params: Promise<{ workspaceId: string }> }) {
  const { workspaceId } = await params;
  return <ReviewHistory workspaceId={workspaceId} />;
}
