// Workspace settings, "Review notifications": the Slack-compatible webhook told when a review
// opens or its reminder comes due (owners set, test and clear it; the URL is a credential, so only
// owners see it), and whether the server sends e-mail (SMTP_URL, set by the operator).
'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useId, useState } from 'react';
import { useTRPC } from '@/components/trpc-provider';
import { Button } from '@/components/ui/button';
import { ErrorBanner, SuccessBanner } from '@/components/ui/error-banner';
import { errorField } from '@/components/ui/errors';
import { TextField } from '@/components/ui/field';

export function ReviewNotificationsSettings({
  workspaceId,
  isOwner,
}: {
  workspaceId: string;
  isOwner: boolean;
}) {
  const titleId = useId();
  return (
    <section className="card stack" aria-labelledby={titleId}>
      <h2 id={titleId}>Review notifications</h2>
      <p className="muted">
        Members who may decide a review get an in-app notification when it opens, and a reminder when the
        review node sets one. A chat webhook and e-mail can tell them too.
      </p>
      {isOwner ? (
        <WebhookForm workspaceId={workspaceId} />
      ) : (
        <p className="muted">Only owners can see and change the review webhook.</p>
      )}
    </section>
  );
}

function WebhookForm({ workspaceId }: { workspaceId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const settings = useQuery(trpc.reviewSettings.get.queryOptions({ workspaceId }));
  const [url, setUrl] = useState('');
  const [notice, setNotice] = useState<string | null>(null);
  const saved = settings.data?.webhookUrl ?? null;

  useEffect(() => {
    setUrl(saved ?? '');
  }, [saved]);

  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.reviewSettings.get.queryKey() });
  const save = useMutation(
    trpc.reviewSettings.setWebhook.mutationOptions({
      onSuccess: async ({ webhookUrl }) => {
        await refresh();
        setNotice(webhookUrl ? 'Webhook saved.' : 'Webhook removed.');
      },
    }),
  );
  const test = useMutation(
    trpc.reviewSettings.testWebhook.mutationOptions({
      onSuccess: () => setNotice('Test message delivered.'),
    }),
  );
  const error = save.error ?? test.error;
  const badField = errorField(error);
  const reset = () => {
    setNotice(null);
    save.reset();
    test.reset();
  };

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    reset();
    save.mutate({ workspaceId, url: url.trim() || null });
  }

  if (settings.isPending) return <p className="muted">Loading…</p>;
  if (settings.error) return <ErrorBanner error={settings.error} onRetry={() => settings.refetch()} />;
  const { emailEnabled, publicUrl } = settings.data;

  return (
    <form className="stack" onSubmit={onSubmit} noValidate aria-label="Review webhook">
      {notice ? <SuccessBanner>{notice}</SuccessBanner> : null}
      <ErrorBanner error={error} labels={{ url: 'Webhook URL' }} />
      <TextField
        label="Webhook URL"
        type="url"
        inputMode="url"
        value={url}
        onChange={(e) => {
          setUrl(e.target.value);
          if (error || notice) reset();
        }}
        invalid={badField === 'url'}
        placeholder="https://hooks.slack.com/services/…"
        autoComplete="off"
        spellCheck={false}
        maxLength={2000}
        hint="A Slack-compatible incoming webhook (Slack, Mattermost, Rocket.Chat, …). It gets a message when a review opens and when a reminder is due. Leave empty to turn it off."
      />
      <div className="row">
        <Button type="submit" variant="primary" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save webhook'}
        </Button>
        <Button
          disabled={test.isPending || !url.trim()}
          onClick={() => {
            reset();
            test.mutate({ workspaceId, url: url.trim() });
          }}
        >
          {test.isPending ? 'Sending…' : 'Send test message'}
        </Button>
        {saved ? (
          <Button
            variant="ghost"
            disabled={save.isPending}
            onClick={() => {
              reset();
              save.mutate({ workspaceId, url: null });
            }}
          >
            Remove webhook
          </Button>
        ) : null}
      </div>
      <p className="hint">
        E-mail to reviewers is {emailEnabled ? 'on' : 'off'}
        {emailEnabled
          ? ' (the server has SMTP configured).'
          : ': the server operator turns it on with SMTP_URL.'}{' '}
        Links in messages start with <code>{publicUrl}</code> (WEFT_PUBLIC_URL).
      </p>
    </form>
  );
}
