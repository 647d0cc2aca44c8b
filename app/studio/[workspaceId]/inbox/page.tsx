// The reviewer inbox: reviews waiting for a decision in this workspace.
import type { Metadata } from 'next';
import { InboxList } from '@/components/inbox/inbox-list';

export const metadata: Metadata = { title: 'Inbox · Weft' };

export default async function InboxPage({ params }: { params: Promise<{ workspaceId: string }> }) {
  const { workspaceId } = await params;
  return <InboxList workspaceId={workspaceId} />;
}
