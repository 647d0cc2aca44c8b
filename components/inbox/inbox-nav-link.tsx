// The studio navigation's "Inbox" link with the number of reviews waiting for the viewer, re-read
// every 5 s. The name says the count ("Inbox, 3 waiting"); the badge is drawn by CSS from
// data-count, so the visible text stays part of the name.
'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useTRPC } from '@/components/trpc-provider';

const POLL_MS = 5000;

export function InboxNavLink({ workspaceId, current }: { workspaceId: string; current?: 'page' | 'true' }) {
  const trpc = useTRPC();
  const pending = useQuery({
    ...trpc.reviews.pendingCount.queryOptions({ workspaceId }),
    refetchInterval: POLL_MS,
  });
  const count = pending.data?.count ?? 0;
  return (
    <Link
      href={`/studio/${workspaceId}/inbox`}
      className="nav-link inbox-nav-link"
      aria-current={current}
      aria-label={count > 0 ? `Inbox, ${count} waiting` : 'Inbox'}
      data-count={count > 0 ? (count > 99 ? '99+' : String(count)) : undefined}
      data-testid="inbox-nav-link"
    >
      Inbox
    </Link>
  );
}
