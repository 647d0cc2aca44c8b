// The inbox: reviews waiting for a decision, newest first, filtered by "assigned to me", app and
// age, re-read every few seconds so new pauses appear and decided ones leave.
'use client';

import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { useTRPC } from '@/components/trpc-provider';
import { Button } from '@/components/ui/button';
import { EmptyState } from '@/components/ui/empty-state';
import { ErrorBanner } from '@/components/ui/error-banner';
import { RelativeTime } from '@/components/ui/time';
import { InboxTabs } from './inbox-tabs';
import { AGE_FILTERS } from './review-format';

const PAGE = 25;
const POLL_MS = 5000;

export function InboxList({ workspaceId }: { workspaceId: string }) {
  const trpc = useTRPC();
  const [assignedToMe, setAssignedToMe] = useState(false);
  const [appId, setAppId] = useState('');
  const [olderThanHours, setOlderThanHours] = useState(0);
  const apps = useQuery(trpc.apps.list.queryOptions({ workspaceId }));
  const list = useInfiniteQuery(
    trpc.reviews.list.infiniteQueryOptions(
      {
        workspaceId,
        limit: PAGE,
        ...(assignedToMe ? { assignedToMe } : {}),
        ...(appId ? { appId } : {}),
        ...(olderThanHours ? { olderThanHours } : {}),
      },
      { getNextPageParam: (last) => last.nextCursor, refetchInterval: POLL_MS },
    ),
  );
  const rows = list.data?.pages.flatMap((p) => p.reviews) ?? [];
  const filtered = assignedToMe || appId !== '' || olderThanHours > 0;

  return (
    <section className="stack" aria-labelledby="inbox-title">
      <div className="page-header">
        <h1 id="inbox-title">Inbox</h1>
        <span className="muted">Runs waiting for a person to approve, reject or edit.</span>
      </div>
      <InboxTabs workspaceId={workspaceId} current="pending" />

      <fieldset className="row inbox-filters">
        <legend className="sr-only">Filters</legend>
        <label className="checkbox">
          <input type="checkbox" checked={assignedToMe} onChange={(e) => setAssignedToMe(e.target.checked)} />
          Assigned to me
        </label>
        <label className="row">
          <span className="muted">App</span>
          <select aria-label="Filter by app" value={appId} onChange={(e) => setAppId(e.target.value)}>
            <option value="">All apps</option>
            {(apps.data ?? []).map((app) => (
              <option key={app.id} value={app.id}>
                {app.name}
              </option>
            ))}
          </select>
        </label>
        <label className="row">
          <span className="muted">Age</span>
          <select
            aria-label="Filter by age"
            value={olderThanHours}
            onChange={(e) => setOlderThanHours(Number(e.target.value))}
          >
            <option value={0}>Any age</option>
            {AGE_FILTERS.map((a) => (
              <option key={a.hours} value={a.hours}>
                {a.label}
              </option>
            ))}
          </select>
        </label>
      </fieldset>

      <ErrorBanner error={list.error} onRetry={() => list.refetch()} />
      {list.isPending ? (
        <div className="stack" aria-busy="true">
          <p className="muted">Loading reviews…</p>
          <div className="skeleton" />
        </div>
      ) : null}
      {list.data && rows.length === 0 ? (
        <EmptyState title={filtered ? 'No reviews match these filters' : 'Nothing waits for a review'}>
          {filtered
            ? 'Clear a filter to see more reviews.'
            : 'When a run reaches a human-review step, it waits here until someone decides.'}
        </EmptyState>
      ) : null}
      {rows.length > 0 ? (
        <div className="card table-wrap" style={{ padding: 0 }}>
          <table className="table inbox-table" aria-labelledby="inbox-title">
            <thead>
              <tr>
                <th scope="col">Review</th>
                <th scope="col">App</th>
                <th scope="col">Waiting since</th>
                <th scope="col">Deadline</th>
                <th scope="col">Decision</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id} data-testid="inbox-row">
                  <td>
                    <Link href={`/studio/${workspaceId}/inbox/${r.id}`}>{r.title}</Link>
                  </td>
                  <td>{r.appName}</td>
                  <td>
                    <RelativeTime date={r.createdAt} />
                  </td>
                  <td>
                    {r.deadlineAt ? (
                      <RelativeTime date={r.deadlineAt} />
                    ) : (
                      <span className="muted">None</span>
                    )}
                  </td>
                  <td>
                    {r.canDecide ? (
                      <span className="badge badge-accent">Yours to decide</span>
                    ) : (
                      <span className="badge">Others decide</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {list.hasNextPage ? (
        <Button onClick={() => list.fetchNextPage()} disabled={list.isFetchingNextPage}>
          {list.isFetchingNextPage ? 'Loading…' : 'Load more'}
        </Button>
      ) : null}
    </section>
  );
}
