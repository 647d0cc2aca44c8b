// For the inbox's review page: lets a member who may decide a review (when its node allows external
// reviewers) create a signed link for someone outside the workspace, copy it, and revoke it. A new
// link replaces the previous one. Shown on the inbox's review page.
'use client';

import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { useTRPC } from '@/components/trpc-provider';
import { Button } from '@/components/ui/button';
import { ErrorBanner, SuccessBanner } from '@/components/ui/error-banner';
import { errorField } from '@/components/ui/errors';
import { TextField } from '@/components/ui/field';
import { formatDateTime } from '@/components/ui/time';

export function ExternalLinkPanel({ workspaceId, reviewId }: { workspaceId: string; reviewId: string }) {
  const trpc = useTRPC();
  const titleId = useId();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [hours, setHours] = useState('72');
  const [sendEmail, setSendEmail] = useState(true);
  const [notice, setNotice] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const issue = useMutation(trpc.reviewLinks.issue.mutationOptions({ onSuccess: () => setNotice(null) }));
  const revoke = useMutation(
    trpc.reviewLinks.revoke.mutationOptions({
      onSuccess: ({ revoked }) => {
        issue.reset();
        setNotice(revoked ? 'The link was revoked: it no longer works.' : 'There was no link to revoke.');
      },
    }),
  );
  const badField = errorField(issue.error);
  const labels = { name: 'Name', email: 'E-mail', expiresInHours: 'Valid for' };

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setCopied(false);
    revoke.reset();
    issue.mutate({
      workspaceId,
      reviewId,
      name: name.trim(),
      email: email.trim(),
      expiresInHours: Number(hours),
      sendEmail,
    });
  }

  return (
    <section className="card stack" aria-labelledby={titleId}>
      <h2 id={titleId}>Outside reviewer</h2>
      <p className="muted">
        Create a signed link for someone outside the workspace. They see this review only, and only the newest
        link works.
      </p>
      {notice ? <SuccessBanner>{notice}</SuccessBanner> : null}
      <ErrorBanner error={issue.error ?? revoke.error} labels={labels} />
      <form className="stack" onSubmit={onSubmit} noValidate aria-label="Create a review link">
        <div className="form-grid">
          <TextField
            label="Name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            invalid={badField === 'name'}
            maxLength={100}
            autoComplete="off"
            required
          />
          <TextField
            label="E-mail"
            type="email"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            invalid={badField === 'email'}
            maxLength={254}
            autoComplete="off"
            required
          />
          <TextField
            label="Valid for (hours)"
            type="number"
            min={1}
            max={720}
            value={hours}
            onChange={(e) => setHours(e.target.value)}
            invalid={badField === 'expiresInHours'}
            hint="1 to 720 hours"
          />
        </div>
        <label className="checkbox">
          <input type="checkbox" checked={sendEmail} onChange={(e) => setSendEmail(e.target.checked)} />
          E-mail the link to them (when the server sends e-mail)
        </label>
        <div className="row">
          <Button type="submit" variant="primary" disabled={issue.isPending}>
            {issue.isPending ? 'Creating…' : 'Create link'}
          </Button>
          <Button
            variant="ghost"
            disabled={revoke.isPending}
            onClick={() => {
              setNotice(null);
              revoke.mutate({ workspaceId, reviewId });
            }}
          >
            Revoke link
          </Button>
        </div>
      </form>
      {issue.data ? (
        <div className="stack">
          <TextField
            label="Review link"
            readOnly
            value={issue.data.absoluteUrl}
            onFocus={(e) => e.currentTarget.select()}
            hint={`Works until ${formatDateTime(new Date(issue.data.expiresAt))}${
              issue.data.emailed ? '; it was e-mailed to them.' : '; send it to them yourself.'
            }`}
          />
          <div className="row">
            <Button
              small
              onClick={() =>
                void navigator.clipboard
                  ?.writeText(issue.data.absoluteUrl)
                  .then(() => setCopied(true))
                  .catch(() => setCopied(false))
              }
            >
              Copy link
            </Button>
            {copied ? <span role="status">Copied.</span> : null}
          </div>
        </div>
      ) : null}
    </section>
  );
}
