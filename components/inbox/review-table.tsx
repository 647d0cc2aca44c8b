// What the inbox list and the review history share: the app filter, and a paged table of reviews
// with its error, loading and empty states and a "Load more" button.
'use client';

import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useTRPC } from '@/components/trpc-provider';
import { Button } from '@/components/ui/button';
import { EmptyState } from '@/components/ui/empty-state';
import { ErrorBanner } from '@/components/ui/error-banner';
import { TableHead } from '@/components/ui/table-head';

/** A select of the workspace's apps; '' is "All apps". */
export function AppFilter({
  workspaceId,
  value,
  onChange,
}: {
  workspaceId: string;
  value: string;
  onChange: (appId: string) => void;
}) {
  const trpc = useTRPC();
  const apps = useQuery(trpc.apps.list.queryOptions({ workspaceId }));
  return (
    <label className="row">
      <span className="muted">App</span>
      <select aria-label="Filter by app" value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">All apps</option>
        {(apps.data ?? []).map((app) => (
          <option key={app.id} value={app.id}>
            {app.name}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The parts of an infinite query the table reads. */
interface PagedList {
  error: unknown;
  isPending: boolean;
  data: unknown;
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  refetch(): unknown;
  fetchNextPage(): unknown;
}

export function ReviewTable({
  list,
  rowCount,
  labelledBy,
  loadingText,
  empty,
  filtered,
  columns,
  children,
}: {
  list: PagedList;
  rowCount: number;
  /** The id of the page heading that names the table. */
  labelledBy: string;
  loadingText: string;
  /** What an unfiltered empty list says. */
  empty: { title: string; text: string };
  filtered: boolean;
  columns: string[];
  /** The table's rows. */
  children: ReactNode;
}) {
  return (
    <>
      <ErrorBanner error={list.error} onRetry={() => list.refetch()} />
      {list.isPending ? (
        <div className="stack" aria-busy="true">
          <p className="muted">{loadingText}</p>
          <div className="skeleton" />
        </div>
      ) : null}
      {list.data && rowCount === 0 ? (
        <EmptyState title={filtered ? 'No reviews match these filters' : empty.title}>
          {filtered ? 'Clear a filter to see more reviews.' : empty.text}
        </EmptyState>
      ) : null}
      {rowCount > 0 ? (
        <div className="card table-wrap" style={{ padding: 0 }}>
          <table className="table inbox-table" aria-labelledby={labelledBy}>
            <TableHead columns={columns} />
            <tbody>{children}</tbody>
          </table>
        </div>
      ) : null}
      {list.hasNextPage ? (
        <Button onClick={() => list.fetchNextPage()} disabled={list.isFetchingNextPage}>
          {list.isFetchingNextPage ? 'Loading…' : 'Load more'}
        </Button>
      ) : null}
    </>
  );
}
