// One review in the inbox: its title, instructions (safe markdown), context values, a link to the
// run, the data under review (editable when the review allows it), the typed fields, a comment and
// one button per action. While the review waits it is re-read every 2 s, so a decision taken
// elsewhere shows here at once ("Decided by … at …") and the buttons are disabled; a decision that
// loses the race gets the winner's name back and the view refreshes.
'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { inferRouterOutputs } from '@trpc/server';
import Link from 'next/link';
import { useEffect, useMemo, useRef, useState } from 'react';
import { ExternalLinkPanel } from '@/components/review-link/external-link-panel';
import { useTRPC } from '@/components/trpc-provider';
import { Button } from '@/components/ui/button';
import { ErrorBanner, SuccessBanner } from '@/components/ui/error-banner';
import { errorCode, errorField, errorMessage } from '@/components/ui/errors';
import { formatDateTime, RelativeTime } from '@/components/ui/time';
import { Markdown } from '@/components/web-chat/markdown';
import type { AppRouter } from '@/server/trpc/root';
import type { ReviewField } from '@/workflows/nodes/human-review';
import { ReviewChanges } from './review-changes';
import { type Draft, draftValue, fieldLabel, initialDraft, ReviewFieldInput } from './review-field-input';
import { decisionLabel, isBlockValue, type ReviewStateName, STATE_LABEL, valueText } from './review-format';

const POLL_MS = 2000;

export function ReviewDetail({ workspaceId, reviewId }: { workspaceId: string; reviewId: string }) {
  const trpc = useTRPC();
  const review = useQuery({
    ...trpc.reviews.get.queryOptions({ workspaceId, reviewId }),
    // While it waits, someone else may decide it (or its deadline pass): keep it fresh.
    refetchInterval: (query) => (query.state.data?.state === 'pending' ? POLL_MS : false),
  });

  useReadNotificationsOf(workspaceId, reviewId);
  // Decided (here or elsewhere), expired or closed: the badge and the list change too.
  const queryClient = useQueryClient();
  const state = review.data?.state;
  useEffect(() => {
    if (state && state !== 'pending') {
      void queryClient.invalidateQueries({ queryKey: trpc.reviews.pendingCount.queryKey() });
      void queryClient.invalidateQueries({ queryKey: trpc.reviews.list.queryKey() });
    }
  }, [state, queryClient, trpc]);

  if (review.isPending)
    return (
      <div className="stack" aria-busy="true">
        <p className="muted">Loading the review…</p>
        <div className="skeleton" />
      </div>
    );
  // A failed re-read keeps showing what was read before; only a first read that failed stops here.
  if (!review.data)
    return (
      <div className="stack">
        <p>
          <Link href={`/studio/${workspaceId}/inbox`}>← Inbox</Link>
        </p>
        <ErrorBanner
          error={errorCode(review.error) === 'NOT_FOUND' ? 'This review does not exist.' : review.error}
          onRetry={errorCode(review.error) === 'NOT_FOUND' ? undefined : () => review.refetch()}
        />
      </div>
    );
  return <ReviewView key={review.data.id} workspaceId={workspaceId} review={review.data} />;
}

type ReviewData = inferRouterOutputs<AppRouter>['reviews']['get'];

/** Opening a review reads the notifications that pointed to it. */
function useReadNotificationsOf(workspaceId: string, reviewId: string) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const notes = useQuery(trpc.reviews.notifications.queryOptions({ workspaceId }));
  const { mutate } = useMutation(
    trpc.reviews.markNotificationsRead.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.reviews.notifications.queryKey() }),
    }),
  );
  const unreadIds = (notes.data?.items ?? [])
    .filter((n) => !n.readAt && n.link?.endsWith(`/inbox/${reviewId}`))
    .map((n) => n.id)
    .join(',');
  useEffect(() => {
    if (unreadIds) mutate({ workspaceId, ids: unreadIds.split(',') });
  }, [unreadIds, workspaceId, mutate]);
}

function ReviewView({ workspaceId, review }: { workspaceId: string; review: ReviewData }) {
  const state = review.state as ReviewStateName;
  const runHref = `/studio/${workspaceId}/apps/${review.appId}/runs/${review.runId}`;
  const fieldLabels = Object.fromEntries(review.fields.map((f) => [f.name, fieldLabel(f)]));

  return (
    <article className="stack inbox-detail" aria-labelledby="review-title">
      <p className="muted">
        <Link href={`/studio/${workspaceId}/inbox`}>← Inbox</Link>
      </p>
      <div className="page-header">
        <h1 id="review-title">{review.title}</h1>
        <span className={`badge inbox-state inbox-state-${state}`} data-testid="review-state">
          {STATE_LABEL[state]}
        </span>
      </div>

      <StateNotice review={review} />

      <dl className="inbox-meta">
        <div>
          <dt>App</dt>
          <dd>{review.appName}</dd>
        </div>
        <div>
          <dt>Run</dt>
          <dd>
            <Link href={runHref}>
              Open run <code>{review.runId.slice(0, 8)}</code>
            </Link>{' '}
            <span className="muted">({review.runStatus.replace('_', ' ')})</span>
          </dd>
        </div>
        <div>
          <dt>Assigned to</dt>
          <dd>{review.assignedTo}</dd>
        </div>
        <div>
          <dt>Waiting since</dt>
          <dd>
            <RelativeTime date={review.createdAt} />
          </dd>
        </div>
        <div>
          <dt>Deadline</dt>
          <dd data-testid="review-deadline">
            {review.deadlineAt ? (
              <>
                {formatDateTime(review.deadlineAt)} (<RelativeTime date={review.deadlineAt} />)
              </>
            ) : (
              'None'
            )}
          </dd>
        </div>
      </dl>

      {review.instructions.trim() ? (
        <section className="card inbox-section" aria-labelledby="review-instructions">
          <h2 id="review-instructions">Instructions</h2>
          <div className="inbox-markdown">
            <Markdown text={review.instructions} />
          </div>
        </section>
      ) : null}

      {review.context.length > 0 ? (
        <section className="card inbox-section" aria-labelledby="review-context">
          <h2 id="review-context">Context</h2>
          <dl className="inbox-context">
            {review.context.map((item, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: context entries are fixed for the review
              <div key={i}>
                <dt>{item.label || `Value ${i + 1}`}</dt>
                <dd>
                  {isBlockValue(item.value) ? (
                    <pre className="inbox-pre">{valueText(item.value)}</pre>
                  ) : (
                    valueText(item.value)
                  )}
                </dd>
              </div>
            ))}
          </dl>
        </section>
      ) : null}

      <DecisionForm workspaceId={workspaceId} review={review} />

      {review.allowExternal && review.state === 'pending' && review.canDecide ? (
        <ExternalLinkPanel workspaceId={workspaceId} reviewId={review.id} />
      ) : null}

      {review.audit ? (
        <section className="card inbox-section" aria-labelledby="review-audit">
          <h2 id="review-audit">Decision</h2>
          <p>
            <strong>{decisionLabel(review.audit.decision, review.actions)}</strong> by{' '}
            {review.audit.decidedByName ?? 'someone'}
            {review.audit.decidedAt ? ` at ${formatDateTime(review.audit.decidedAt)}` : ''}
          </p>
          {review.audit.comment ? (
            <blockquote className="inbox-comment">{review.audit.comment}</blockquote>
          ) : null}
          <ReviewChanges before={review.audit.before} after={review.audit.after} labels={fieldLabels} />
        </section>
      ) : null}
    </article>
  );
}

/** The banner saying why the review can (or cannot) be decided here. */
function StateNotice({ review }: { review: ReviewData }) {
  const { state, audit } = review;
  if (state === 'decided' && audit)
    return (
      <div role="status" className="banner inbox-notice inbox-notice-decided" data-testid="review-outcome">
        Decided by {audit.decidedByName ?? 'someone'}
        {audit.decidedAt ? ` at ${formatDateTime(audit.decidedAt)}` : ''}:{' '}
        {decisionLabel(audit.decision, review.actions)}.
      </div>
    );
  if (state === 'expired')
    return (
      <div role="status" className="banner inbox-notice" data-testid="review-outcome">
        Expired{review.deadlineAt ? ` at ${formatDateTime(review.deadlineAt)}` : ''}: nobody decided before
        the deadline, so the run took its timeout branch.
      </div>
    );
  if (state === 'closed')
    return (
      <div role="status" className="banner inbox-notice" data-testid="review-outcome">
        Closed: the run ended ({review.runStatus.replace('_', ' ')}) without a decision.
      </div>
    );
  if (!review.canDecide)
    return (
      <div role="status" className="banner inbox-notice" data-testid="review-outcome">
        You can read this review, but only {review.assignedTo} may decide it.
      </div>
    );
  return null;
}

/** The field values the form starts from: the reviewer's result once decided, else the starting values. */
function startingDrafts(review: ReviewData): Record<string, Draft> {
  const after = (review.audit?.after as { fields?: Record<string, unknown> } | null)?.fields ?? {};
  return Object.fromEntries(
    review.fields.map((f) => [f.name, initialDraft(f.name in after ? { ...f, value: after[f.name] } : f)]),
  );
}

const isJson = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

const dataDraftOf = (data: unknown) =>
  typeof data === 'string' ? data : data === null || data === undefined ? '' : JSON.stringify(data, null, 2);

function DecisionForm({ workspaceId, review }: { workspaceId: string; review: ReviewData }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const formRef = useRef<HTMLFormElement>(null);
  const initial = useMemo(() => startingDrafts(review), [review]);
  const [drafts, setDrafts] = useState<Record<string, Draft>>(initial);
  const hasData = review.data !== null && review.data !== undefined;
  const dataIsText = typeof review.data === 'string';
  const initialData = useMemo(() => dataDraftOf(review.data), [review.data]);
  const [dataDraft, setDataDraft] = useState(initialData);
  const [comment, setComment] = useState('');
  const [clientErrors, setClientErrors] = useState<Record<string, string>>({});
  // The summary of client-side problems shows after a decision was attempted, not while typing.
  const [attempted, setAttempted] = useState(false);

  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.reviews.get.queryKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.reviews.list.queryKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.reviews.history.queryKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.reviews.pendingCount.queryKey() }),
    ]);
  const decide = useMutation(
    trpc.reviews.decide.mutationOptions({
      onSuccess: () => refresh(),
      // Someone else decided first (or the deadline passed): show the review as it is now.
      // (Not awaited: the error shows at once, the refreshed review when it arrives.)
      onError: (error) => {
        if (errorCode(error) === 'CONFLICT') void refresh();
      },
    }),
  );

  // Opened while waiting: the decision controls stay (disabled) once it is decided, so the reviewer
  // sees what happened to what they were about to send.
  const [openedPending] = useState(review.state === 'pending');
  const open = review.state === 'pending' && review.canDecide;
  const locked = !open || decide.isPending || decide.isSuccess;
  const labels: Record<string, string> = { data: 'Data', comment: 'Comment', action: 'Action' };
  for (const f of review.fields) labels[`fields.${f.name}`] = fieldLabel(f);

  // The server's complaint about one input, shown under that input as well as in the banner.
  const serverField = decide.error ? errorField(decide.error) : null;
  const serverProblem = (key: string) => {
    if (!decide.error || serverField !== key) return null;
    const message = decide.error.message;
    return message.startsWith(`${key}: `) ? message.slice(key.length + 2) : message;
  };

  function submit(action: string) {
    const errors: Record<string, string> = {};
    const fields: Record<string, unknown> = {};
    for (const field of review.fields) {
      const draft = drafts[field.name] ?? initialDraft(field);
      const checked = draftValue(field, draft);
      if ('error' in checked) errors[`fields.${field.name}`] = checked.error;
      // Only what the reviewer changed is sent; untouched fields keep their starting value.
      else if (draft !== initial[field.name]) fields[field.name] = checked.value;
    }
    let data: unknown;
    if (hasData && review.allowEdit && dataDraft !== initialData) {
      if (dataIsText) data = dataDraft;
      else if (isJson(dataDraft)) data = JSON.parse(dataDraft);
      else errors.data = 'must be valid JSON';
    }
    setClientErrors(errors);
    setAttempted(true);
    const firstBad = Object.keys(errors)[0];
    if (firstBad) {
      const name = firstBad === 'data' ? 'review-data' : firstBad.slice('fields.'.length);
      formRef.current?.querySelector<HTMLElement>(`[data-field="${name}"]`)?.focus();
      return;
    }
    decide.mutate({
      workspaceId,
      reviewId: review.id,
      action,
      ...(Object.keys(fields).length ? { fields } : {}),
      ...(data === undefined ? {} : { data }),
      ...(comment.trim() ? { comment: comment.trim() } : {}),
    });
  }

  const problemOf = (key: string) => clientErrors[key] ?? serverProblem(key);
  const conflict = decide.error && errorCode(decide.error) === 'CONFLICT';
  const clientErrorCount = Object.keys(clientErrors).length;
  const showForm = openedPending || review.fields.length > 0 || hasData;
  if (!showForm) return null;

  return (
    <form
      ref={formRef}
      className="card inbox-section stack"
      aria-labelledby="review-form-title"
      onSubmit={(e) => e.preventDefault()}
      noValidate
    >
      <h2 id="review-form-title">{open ? 'Your review' : 'Values'}</h2>

      {hasData ? (
        <div className="field inbox-field">
          <label htmlFor="review-data">
            {review.allowEdit && open ? 'Data under review (editable)' : 'Data under review'}
            {dataIsText ? null : <span className="muted"> (JSON)</span>}
          </label>
          {review.allowEdit ? (
            <textarea
              id="review-data"
              data-field="review-data"
              className={dataIsText ? undefined : 'inbox-json'}
              rows={dataIsText ? 5 : 8}
              spellCheck={!dataIsText ? false : undefined}
              value={dataDraft}
              readOnly={locked}
              aria-invalid={problemOf('data') ? true : undefined}
              aria-describedby={problemOf('data') ? 'review-data-error' : undefined}
              onChange={(e) => {
                const text = e.target.value;
                setDataDraft(text);
                if (!dataIsText)
                  setClientErrors(({ data: _gone, ...rest }) =>
                    isJson(text) ? rest : { ...rest, data: 'must be valid JSON' },
                  );
              }}
            />
          ) : (
            <pre id="review-data" className="inbox-pre" tabIndex={-1}>
              {valueText(review.data)}
            </pre>
          )}
          {problemOf('data') ? (
            <p id="review-data-error" className="inbox-error-text">
              Data {problemOf('data')}
            </p>
          ) : null}
        </div>
      ) : null}

      {review.fields.length > 0 ? (
        <fieldset className="stack inbox-fields">
          <legend>Fields</legend>
          {review.fields.map((field: ReviewField) => (
            <ReviewFieldInput
              key={field.name}
              field={field}
              value={drafts[field.name] ?? initialDraft(field)}
              disabled={locked}
              error={problemOf(`fields.${field.name}`)}
              onChange={(value) => {
                setDrafts((d) => ({ ...d, [field.name]: value }));
                // JSON is checked as it is typed; other problems clear once the value changes.
                const checked = field.type === 'json' && value !== '' ? draftValue(field, value) : null;
                const key = `fields.${field.name}`;
                setClientErrors(({ [key]: _gone, ...rest }) =>
                  checked && 'error' in checked ? { ...rest, [key]: checked.error } : rest,
                );
              }}
            />
          ))}
        </fieldset>
      ) : null}

      {openedPending ? (
        <>
          <div className="field">
            <label htmlFor="review-comment">Comment (optional)</label>
            <textarea
              id="review-comment"
              rows={3}
              maxLength={10_000}
              value={comment}
              disabled={locked}
              onChange={(e) => setComment(e.target.value)}
            />
          </div>

          {attempted && clientErrorCount > 0 ? (
            <ErrorBanner
              error={Object.entries(clientErrors)
                .map(([key, message]) => `${labels[key] ?? key} ${message}`)
                .join('. ')}
            />
          ) : null}
          {decide.error && conflict ? (
            <div role="alert" className="banner" data-testid="review-conflict">
              Your decision was not recorded. {decide.error.message}. The review below shows the decision that
              counts.
            </div>
          ) : (
            <ErrorBanner error={decide.error ? errorMessage(decide.error, labels) : null} />
          )}

          <fieldset className="row inbox-actions">
            <legend className="sr-only">Decision</legend>
            {review.actions.map((action) => (
              <Button
                key={action.id}
                variant={
                  action.id === 'approve' ? 'primary' : action.id === 'reject' ? 'danger' : 'secondary'
                }
                disabled={locked}
                onClick={() => submit(action.id)}
              >
                {decide.isPending && decide.variables?.action === action.id
                  ? `${action.label || action.id}…`
                  : action.label || action.id}
              </Button>
            ))}
          </fieldset>
        </>
      ) : null}
      {decide.isSuccess ? (
        <SuccessBanner>
          Recorded: {decisionLabel(decide.data.decision, review.actions)}. The run continues.{' '}
          <Link href={`/studio/${workspaceId}/inbox`}>Back to the inbox</Link>
        </SuccessBanner>
      ) : null}
    </form>
  );
}
