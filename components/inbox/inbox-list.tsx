// The inbox: reviews waiting for a decision, newest first, filtered by "assigned to me", app and
// age, re-read every few seconds so new pauses appear and decided ones leave.
'use client';

import { useInfiniteQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { useTRPC } from '@/components/trpc-provider';
import { RelativeTime } from '@/components/ui/time';
import { InboxTabs } from './inbox-tabs';
import { AGE_FILTERS } from './review-format';
import { AppFilter, ReviewTable } from './review-table';

const PAGE = 25;
const POLL_MS = 5000;

export function InboxList({ workspaceId }: { workspaceId: string }) {
  const trpc = useTRPC();
  const [assignedToMe, setAssignedToMe] = useState(false);
  const [appId, setAppId] = useState('');
  const [olderThanHours, setOlderThanHours] = useState(0);
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
        <AppFilter workspaceId={workspaceId} value={appId} onChange={setAppId} />
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

      <ReviewTable
        list={list}
        rowCount={rows.length}
        labelledBy="inbox-title"
        loadingText="Loading reviews…"
        empty={{
          title: 'Nothing waits for a review',
          text: 'When a run reaches a human-review step, it waits here until someone decides.',
        }}
        filtered={filtered}
        columns={['Review', 'App', 'Waiting since', 'Deadline', 'Decision']}
      >
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
              {r.deadlineAt ? <RelativeTime date={r.deadlineAt} /> : <span className="muted">None</span>}
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
      </ReviewTable>
    </section>
  );
}
