// The inbox's two views: what waits now, and what was decided (or expired, or closed).
import Link from 'next/link';

export function InboxTabs({ workspaceId, current }: { workspaceId: string; current: 'pending' | 'history' }) {
  const base = `/studio/${workspaceId}/inbox`;
  return (
    <nav className="tabs" aria-label="Inbox views">
      <Link href={base} className="tab" aria-current={current === 'pending' ? 'page' : undefined}>
        Waiting
      </Link>
      <Link
        href={`${base}/history`}
        className="tab"
        aria-current={current === 'history' ? 'page' : undefined}
      >
        History
      </Link>
    </nav>
  );
}
