// The inbox's history: reviews that were decided, expired or closed, filtered by outcome, decision
// and app, with the filtered list downloadable as CSV (the server's `reviews.exportCsv`).
'use client';

import { useInfiniteQuery, useMutation } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { useTRPC, useTRPCClient } from '@/components/trpc-provider';
import { Button } from '@/components/ui/button';
import { ErrorBanner } from '@/components/ui/error-banner';
import { formatDateTime } from '@/components/ui/time';
import { InboxTabs } from './inbox-tabs';
import { decisionLabel, type ReviewStateName, STATE_LABEL } from './review-format';
import { AppFilter, ReviewTable } from './review-table';

const PAGE = 25;
type Outcome = 'decided' | 'expired' | 'closed';
const OUTCOMES: Outcome[] = ['decided', 'expired', 'closed'];
const BUILT_IN = ['approve', 'edit', 'reject'];

/** Saves text as a file through a temporary link. */
function saveFile(text: string, name: string, type: string) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function ReviewHistory({ workspaceId }: { workspaceId: string }) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const [outcome, setOutcome] = useState<Outcome | ''>('');
  const [decision, setDecision] = useState('');
  const [appId, setAppId] = useState('');
  const filters = {
    workspaceId,
    ...(outcome ? { outcome } : {}),
    ...(decision ? { decision } : {}),
    ...(appId ? { appId } : {}),
  };
  const list = useInfiniteQuery(
    trpc.reviews.history.infiniteQueryOptions(
      { ...filters, limit: PAGE },
      { getNextPageParam: (last) => last.nextCursor },
    ),
  );
  const download = useMutation({
    mutationFn: () => client.reviews.exportCsv.query(filters),
    onSuccess: ({ csv }) => saveFile(csv, `reviews-${new Date().toISOString().slice(0, 10)}.csv`, 'text/csv'),
  });
  const rows = list.data?.pages.flatMap((p) => p.reviews) ?? [];
  // Custom actions seen so far can be filtered on too.
  const seen = new Set(rows.map((r) => r.decision).filter((d): d is string => Boolean(d)));
  const customDecisions = [...seen].filter((d) => !BUILT_IN.includes(d));
  if (decision && !BUILT_IN.includes(decision) && !customDecisions.includes(decision))
    customDecisions.push(decision);
  const filtered = Boolean(outcome || decision || appId);

  return (
    <section className="stack" aria-labelledby="history-title">
      <div className="page-header">
        <h1 id="history-title">Review history</h1>
        <span className="spacer" />
        <Button onClick={() => download.mutate()} disabled={download.isPending}>
          {download.isPending ? 'Preparing CSV…' : 'Download CSV'}
        </Button>
      </div>
      <InboxTabs workspaceId={workspaceId} current="history" />

      <fieldset className="row inbox-filters">
        <legend className="sr-only">Filters</legend>
        <label className="row">
          <span className="muted">Outcome</span>
          <select
            aria-label="Filter by outcome"
            value={outcome}
            onChange={(e) => setOutcome(e.target.value as Outcome | '')}
          >
            <option value="">Any outcome</option>
            {OUTCOMES.map((o) => (
              <option key={o} value={o}>
                {STATE_LABEL[o]}
              </option>
            ))}
          </select>
        </label>
        <label className="row">
          <span className="muted">Decision</span>
          <select
            aria-label="Filter by decision"
            value={decision}
            onChange={(e) => setDecision(e.target.value)}
          >
            <option value="">Any decision</option>
            {[...BUILT_IN, ...customDecisions].map((d) => (
              <option key={d} value={d}>
                {decisionLabel(d)}
              </option>
            ))}
          </select>
        </label>
        <AppFilter workspaceId={workspaceId} value={appId} onChange={setAppId} />
      </fieldset>

      <ErrorBanner error={download.error} />
      {download.isSuccess ? (
        <p role="status" className="muted">
          Downloaded {download.data.rows} {download.data.rows === 1 ? 'review' : 'reviews'} as CSV.
        </p>
      ) : null}
      <ReviewTable
        list={list}
        rowCount={rows.length}
        labelledBy="history-title"
        loadingText="Loading the history…"
        empty={{
          title: 'No decided reviews yet',
          text: 'Decided, expired and closed reviews are kept here with who decided what, and when.',
        }}
        filtered={filtered}
        columns={['Review', 'App', 'Outcome', 'Decision', 'Decided by', 'When', 'Comment']}
      >
        {rows.map((r) => {
          const state = r.state as ReviewStateName;
          const when = r.decidedAt ?? (state === 'expired' ? r.deadlineAt : null) ?? r.createdAt;
          return (
            <tr key={r.id} data-testid="history-row">
              <td>
                <Link href={`/studio/${workspaceId}/inbox/${r.id}`}>{r.title}</Link>
              </td>
              <td>{r.appName}</td>
              <td>
                <span className={`badge inbox-state inbox-state-${state}`}>{STATE_LABEL[state]}</span>
              </td>
              <td>{r.decision ? decisionLabel(r.decision) : <span className="muted">—</span>}</td>
              <td>{r.decidedByName ?? <span className="muted">—</span>}</td>
              <td>{formatDateTime(when)}</td>
              <td className="inbox-comment-cell">{r.comment || <span className="muted">—</span>}</td>
            </tr>
          );
        })}
      </ReviewTable>
    </section>
  );
}
