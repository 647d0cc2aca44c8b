// The run page's "Reviews" section: each review the run paused for, with who decided, when, the
// action, the comment and the values before → after; expired and closed ones are marked, waiting
// ones link to the inbox. Nothing is shown for a run without reviews.
'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useTRPC } from '@/components/trpc-provider';
import { ErrorBanner } from '@/components/ui/error-banner';
import { formatDateTime } from '@/components/ui/time';
import { ReviewChanges } from './review-changes';
import { decisionLabel, type ReviewStateName, STATE_LABEL } from './review-format';

export function RunReviews({ workspaceId, runId }: { workspaceId: string; runId: string }) {
  const trpc = useTRPC();
  const reviews = useQuery({
    ...trpc.reviews.ofRun.queryOptions({ workspaceId, runId }),
    // A waiting review is decided elsewhere: follow it.
    refetchInterval: (query) => (query.state.data?.some((r) => r.state === 'pending') ? 2000 : false),
  });
  if (reviews.error) return <ErrorBanner error={reviews.error} onRetry={() => reviews.refetch()} />;
  if (!reviews.data || reviews.data.length === 0) return null;

  return (
    <section className="problems-panel inbox-run-reviews" aria-labelledby="run-reviews-title">
      <h2 id="run-reviews-title" className="panel-title">
        Reviews
      </h2>
      <ol className="inbox-run-review-list">
        {reviews.data.map((r) => {
          const state = r.state as ReviewStateName;
          return (
            <li key={r.id} className="stack" data-testid="run-review">
              <div className="row">
                <strong>{r.title}</strong>
                <span className={`badge inbox-state inbox-state-${state}`}>{STATE_LABEL[state]}</span>
                <span className="muted">
                  step <code>{r.nodeId}</code>
                </span>
                <span className="spacer" />
                <Link href={`/studio/${workspaceId}/inbox/${r.id}`}>
                  {state === 'pending' ? 'Open in the inbox' : 'View review'}
                </Link>
              </div>
              {state === 'decided' ? (
                <p>
                  <strong>{decisionLabel(r.decision)}</strong> by {r.decidedByName ?? 'someone'}
                  {r.decidedAt ? ` at ${formatDateTime(r.decidedAt)}` : ''}
                </p>
              ) : state === 'expired' ? (
                <p className="inbox-expired">
                  Expired{r.deadlineAt ? ` at ${formatDateTime(r.deadlineAt)}` : ''}: nobody decided in time.
                </p>
              ) : state === 'closed' ? (
                <p className="muted">Closed: the run ended without a decision.</p>
              ) : (
                <p className="muted">
                  Waiting for a reviewer since {formatDateTime(r.createdAt)}
                  {r.deadlineAt ? ` (deadline ${formatDateTime(r.deadlineAt)})` : ''}.
                </p>
              )}
              {r.comment ? <blockquote className="inbox-comment">{r.comment}</blockquote> : null}
              {state === 'decided' ? (
                <ReviewChanges before={r.before} after={r.after} caption={`Values changed in ${r.title}`} />
              ) : null}
            </li>
          );
        })}
      </ol>
    </section>
  );
}
