// The Runs tab: an app's runs, newest first, filterable by status and paged with "Load more".
// Refreshes while runs are still going; editors can cancel a run that has not finished.
'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { useTRPC } from '@/components/trpc-provider';
import { Button } from '@/components/ui/button';
import { EmptyState } from '@/components/ui/empty-state';
import { ErrorBanner } from '@/components/ui/error-banner';
import { TableHead } from '@/components/ui/table-head';
import { formatDateTime } from '@/components/ui/time';
import { useWorkspaceRole } from '@/components/workspace/use-workspace-role';

const STATUSES = [
  'queued',
  'running',
  'paused',
  'succeeded',
  'partially_succeeded',
  'failed',
  'cancelled',
] as const;
type Status = (typeof STATUSES)[number];
const ACTIVE: Status[] = ['queued', 'running', 'paused'];
const PAGE = 20;

const STATUS_LABEL: Record<Status, string> = {
  queued: 'Queued',
  running: 'Running',
  paused: 'Waiting for review',
  succeeded: 'Succeeded',
  partially_succeeded: 'Partly succeeded',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

function duration(startedAt: Date | null, finishedAt: Date | null): string {
  if (!startedAt || !finishedAt) return '—';
  const ms = finishedAt.getTime() - startedAt.getTime();
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export function RunList({ workspaceId, appId }: { workspaceId: string; appId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { canEdit } = useWorkspaceRole(workspaceId);
  const [status, setStatus] = useState<Status | ''>('');
  const [pages, setPages] = useState(1);
  const runs = useQuery({
    ...trpc.runs.list.queryOptions({
      workspaceId,
      appId,
      limit: PAGE * pages,
      ...(status ? { statuses: [status] } : {}),
    }),
    refetchInterval: (query) =>
      query.state.data?.runs.some((r) => ACTIVE.includes(r.status as Status)) ? 3000 : false,
  });
  const cancel = useMutation(
    trpc.runs.cancel.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.runs.list.queryKey() }),
    }),
  );

  return (
    <section aria-labelledby="runs-heading" className="stack">
      <div className="row">
        <h2 id="runs-heading" className="spacer">
          Runs
        </h2>
        <label className="row">
          <span className="muted">Status</span>
          <select
            aria-label="Filter by status"
            value={status}
            onChange={(e) => {
              setStatus(e.target.value as Status | '');
              setPages(1);
            }}
          >
            <option value="">All</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {STATUS_LABEL[s]}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorBanner error={runs.error} onRetry={() => runs.refetch()} />
      <ErrorBanner error={cancel.error} />
      {runs.isPending ? <p className="muted">Loading…</p> : null}
      {runs.data?.runs.length === 0 ? (
        <EmptyState title={status ? `No ${STATUS_LABEL[status].toLowerCase()} runs` : 'No runs yet'}>
          Each run of this app is listed here with its status, version and timing.
        </EmptyState>
      ) : null}
      {runs.data && runs.data.runs.length > 0 ? (
        <div className="card table-wrap" style={{ padding: 0 }}>
          <table className="table">
            <TableHead columns={['Run', 'Status', 'Version', 'Started', 'Duration']} actions />
            <tbody>
              {runs.data.runs.map((run) => (
                <tr key={run.id}>
                  <td>
                    <Link
                      href={`/studio/${workspaceId}/apps/${appId}/runs/${run.id}`}
                      aria-label={`Run ${run.id}`}
                    >
                      <code title={run.id}>{run.id.slice(0, 8)}</code>
                    </Link>
                  </td>
                  <td>
                    <span className={`badge${run.status === 'succeeded' ? ' badge-accent' : ''}`}>
                      {STATUS_LABEL[run.status as Status]}
                    </span>
                    {run.error ? (
                      <div className="muted">{(run.error as { message?: string }).message ?? ''}</div>
                    ) : null}
                  </td>
                  <td>{run.versionNumber ? `v${run.versionNumber}` : 'Draft'}</td>
                  <td>{formatDateTime(run.startedAt ?? run.createdAt)}</td>
                  <td>{duration(run.startedAt, run.finishedAt)}</td>
                  <td>
                    {canEdit && ACTIVE.includes(run.status as Status) ? (
                      <Button
                        small
                        disabled={cancel.isPending}
                        onClick={() => cancel.mutate({ workspaceId, runId: run.id })}
                      >
                        Cancel
                      </Button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {runs.data?.nextCursor ? (
        <Button onClick={() => setPages((p) => p + 1)} disabled={runs.isFetching}>
          {runs.isFetching ? 'Loading…' : 'Load more'}
        </Button>
      ) : null}
    </section>
  );
}
