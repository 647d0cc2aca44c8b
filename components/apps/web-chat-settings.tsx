// The Publish tab's "Web chat" section: turn the public chat page on or off, its link, the
// one-line embed snippet for other sites (both with copy buttons), a new token (old links stop
// working), and the other sites allowed to embed the chat. Editors and owners only.
'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useId, useState } from 'react';
import { useTRPC } from '@/components/trpc-provider';
import { Button } from '@/components/ui/button';
import { ErrorBanner, SuccessBanner } from '@/components/ui/error-banner';
import { errorField } from '@/components/ui/errors';
import { TextAreaField } from '@/components/ui/field';
import { useWorkspaceRole } from '@/components/workspace/use-workspace-role';

export function WebChatSettings({ workspaceId, appId }: { workspaceId: string; appId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const titleId = useId();
  const toggleId = useId();
  const { canEdit, role } = useWorkspaceRole(workspaceId);
  const [origin, setOrigin] = useState('');
  const [origins, setOrigins] = useState('');
  const [notice, setNotice] = useState<string | null>(null);
  useEffect(() => setOrigin(window.location.origin), []);

  const state = useQuery({ ...trpc.webChat.get.queryOptions({ workspaceId, appId }), enabled: canEdit });
  const webChat = state.data?.webChat ?? null;
  useEffect(() => setOrigins((webChat?.allowedOrigins ?? []).join('\n')), [webChat?.allowedOrigins]);

  const done = (message: string) => async () => {
    setNotice(message);
    await queryClient.invalidateQueries({ queryKey: trpc.webChat.get.queryKey() });
  };
  const enable = useMutation(trpc.webChat.enable.mutationOptions({ onSuccess: done('Web chat enabled.') }));
  const disable = useMutation(
    trpc.webChat.disable.mutationOptions({ onSuccess: done('Web chat disabled; its page now answers 404.') }),
  );
  const rotate = useMutation(
    trpc.webChat.rotateToken.mutationOptions({
      onSuccess: done('New link created; the old link and embed snippets no longer work.'),
    }),
  );
  const save = useMutation(
    trpc.webChat.setAllowedOrigins.mutationOptions({ onSuccess: done('Allowed origins saved.') }),
  );
  const error = enable.error ?? disable.error ?? rotate.error ?? save.error;
  const busy = enable.isPending || disable.isPending || rotate.isPending || save.isPending;

  function onToggle(checked: boolean) {
    setNotice(null);
    if (checked) enable.mutate({ workspaceId, appId });
    else disable.mutate({ workspaceId, appId });
  }

  function onSaveOrigins(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setNotice(null);
    const list = origins
      .split(/[\n,]/)
      .map((o) => o.trim())
      .filter(Boolean);
    save.mutate({ workspaceId, appId, allowedOrigins: list });
  }

  const pageUrl = webChat && origin ? `${origin}/chat/${webChat.token}` : '';
  const snippet =
    webChat && origin
      ? `<script>window.weftChatConfig={token:'${webChat.token}',baseUrl:'${origin}'}</script><script src="${origin}/embed.js" async></script>`
      : '';

  return (
    <section className="card stack" aria-labelledby={titleId}>
      <h2 id={titleId}>Web chat</h2>
      <p className="muted">
        A public chat page for this app, and a chat bubble other sites add with one line of HTML. Anyone with
        the link can chat with the latest published version.
      </p>
      {!role ? <p className="muted">Loading…</p> : null}
      {role && !canEdit ? <p className="hint">Only editors and owners can manage the web chat.</p> : null}
      {canEdit ? (
        <>
          {notice ? <SuccessBanner>{notice}</SuccessBanner> : null}
          {state.isPending ? <p className="muted">Loading web chat…</p> : null}
          {state.error ? <ErrorBanner error={state.error} onRetry={() => state.refetch()} /> : null}
          <ErrorBanner error={error} labels={{ allowedOrigins: 'Allowed origins' }} />
          {state.data?.kind === 'workflow' ? (
            <p className="hint">Web chat is for chat apps; call workflow apps through the API.</p>
          ) : null}
          {state.data?.kind === 'chat' ? (
            <>
              <div className="row">
                <input
                  id={toggleId}
                  type="checkbox"
                  checked={enable.isPending || (!disable.isPending && Boolean(webChat?.enabled))}
                  disabled={busy}
                  onChange={(e) => onToggle(e.target.checked)}
                />
                <label htmlFor={toggleId}>Enable the web chat page and embed script</label>
              </div>
              {webChat?.enabled ? (
                <>
                  <CopyBox label="Chat page link" value={pageUrl} link />
                  <CopyBox label="Embed snippet" value={snippet} multiline />
                  <form className="stack subsection" onSubmit={onSaveOrigins} noValidate>
                    <TextAreaField
                      label="Allowed origins"
                      value={origins}
                      onChange={(e) => setOrigins(e.target.value)}
                      rows={3}
                      spellCheck={false}
                      placeholder="https://www.example.com"
                      invalid={errorField(save.error)?.startsWith('allowedOrigins') ?? false}
                      hint="Sites that may embed the chat, one origin per line (scheme, host and port, e.g. https://example.com or http://127.0.0.1:8080). This site is always allowed."
                    />
                    <div className="row">
                      <Button type="submit" variant="primary" disabled={busy}>
                        {save.isPending ? 'Saving…' : 'Save origins'}
                      </Button>
                      <Button
                        disabled={busy}
                        onClick={() => {
                          setNotice(null);
                          rotate.mutate({ workspaceId, appId });
                        }}
                      >
                        {rotate.isPending ? 'Creating…' : 'New link (retire the old one)'}
                      </Button>
                    </div>
                  </form>
                </>
              ) : null}
            </>
          ) : null}
        </>
      ) : null}
    </section>
  );
}

function CopyBox(props: { label: string; value: string; multiline?: boolean; link?: boolean }) {
  const id = useId();
  const [copied, setCopied] = useState<{ state: 'yes' | 'failed'; value: string } | null>(null);
  // A copy notice belongs to the value it copied (a new token clears it).
  const status = copied?.value === props.value ? copied.state : null;

  async function copy() {
    try {
      await navigator.clipboard.writeText(props.value);
      setCopied({ state: 'yes', value: props.value });
    } catch {
      (document.getElementById(id) as HTMLInputElement | HTMLTextAreaElement | null)?.select();
      setCopied({ state: 'failed', value: props.value });
    }
  }

  const common = {
    id,
    readOnly: true,
    value: props.value,
    spellCheck: false,
    'aria-describedby': `${id}-hint`,
  };
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <div className="row" style={{ flexWrap: 'nowrap', alignItems: 'flex-start' }}>
        {props.multiline ? (
          <textarea {...common} rows={3} onFocus={(e) => e.currentTarget.select()} />
        ) : (
          <input {...common} onFocus={(e) => e.currentTarget.select()} />
        )}
        <Button onClick={copy} aria-label={`Copy ${props.label.toLowerCase()}`}>
          {status === 'yes' ? 'Copied' : 'Copy'}
        </Button>
      </div>
      <p id={`${id}-hint`} className="hint" role="status">
        {status === 'failed' ? (
          'Copying is blocked here; the text is selected, press Ctrl+C (⌘C) to copy it.'
        ) : props.link && props.value ? (
          <a href={props.value} target="_blank" rel="noopener noreferrer">
            Open the chat page
          </a>
        ) : (
          ''
        )}
      </p>
    </div>
  );
}
