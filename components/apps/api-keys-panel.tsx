// The Publish tab's "API keys" section: the published API's base URL for integrators, and the
// app's keys. Editors create a key (its token is shown once, in a dialog, with a copy button),
// see each key's prefix, creation and last use, and revoke keys; lower roles get a hint instead,
// since key names and usage are for the people who manage them.
'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { useTRPC } from '@/components/trpc-provider';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { Dialog } from '@/components/ui/dialog';
import { EmptyState } from '@/components/ui/empty-state';
import { ErrorBanner, SuccessBanner } from '@/components/ui/error-banner';
import { errorField } from '@/components/ui/errors';
import { TextField } from '@/components/ui/field';
import { TableHead } from '@/components/ui/table-head';
import { RelativeTime } from '@/components/ui/time';
import { useWorkspaceRole } from '@/components/workspace/use-workspace-role';

interface KeyRef {
  id: string;
  name: string;
  prefix: string;
}

export function ApiKeysPanel({ workspaceId, appId }: { workspaceId: string; appId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const titleId = useId();
  const { canEdit, role } = useWorkspaceRole(workspaceId);
  const [name, setName] = useState('');
  const [notice, setNotice] = useState<string | null>(null);
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);
  const [revoking, setRevoking] = useState<KeyRef | null>(null);
  // Only editors and owners may list keys; other roles never ask.
  const keys = useQuery({ ...trpc.apiKeys.list.queryOptions({ workspaceId, appId }), enabled: canEdit });
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.apiKeys.list.queryKey() });

  const create = useMutation(
    trpc.apiKeys.create.mutationOptions({
      onSuccess: async ({ key, token }) => {
        setName('');
        setCreated({ name: key.name, token });
        await refresh();
      },
    }),
  );
  const revoke = useMutation(
    trpc.apiKeys.revoke.mutationOptions({
      onSuccess: async (key) => {
        setRevoking(null);
        setNotice(`Key “${key.name}” revoked; requests with it are refused from now on.`);
        await refresh();
      },
    }),
  );

  function onCreate(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setNotice(null);
    create.mutate({ workspaceId, appId, name: name.trim() });
  }

  return (
    <section className="card stack" aria-labelledby={titleId}>
      <h2 id={titleId}>API keys</h2>
      <p className="muted">
        Call this app’s published versions from your product with a key, sent as{' '}
        <code>Authorization: Bearer app-…</code>. The API is compatible with Dify’s Service API. A key works
        for this app only.
      </p>
      <ApiBaseUrl />

      {!role ? <p className="muted">Loading…</p> : null}
      {role && !canEdit ? <p className="hint">Only editors and owners can see and manage API keys.</p> : null}
      {canEdit ? (
        <>
          {notice ? <SuccessBanner>{notice}</SuccessBanner> : null}
          {keys.isPending ? <p className="muted">Loading keys…</p> : null}
          {keys.error ? <ErrorBanner error={keys.error} onRetry={() => keys.refetch()} /> : null}
          {keys.data?.length === 0 ? (
            <EmptyState title="No API keys yet">
              Create one below to call this app from your product.
            </EmptyState>
          ) : null}
          {keys.data && keys.data.length > 0 ? (
            <div className="table-wrap">
              <table className="table">
                <TableHead columns={['Name', 'Key', 'Created', 'Last used', 'Status']} actions />
                <tbody>
                  {keys.data.map((k) => (
                    <tr key={k.id}>
                      <td>{k.name}</td>
                      <td>
                        <code>{k.prefix}…</code>
                      </td>
                      <td>
                        <RelativeTime date={k.createdAt} />
                      </td>
                      <td>
                        {k.lastUsedAt ? (
                          <RelativeTime date={k.lastUsedAt} />
                        ) : (
                          <span className="muted">never</span>
                        )}
                      </td>
                      <td>
                        {k.revokedAt ? (
                          <span className="muted">
                            Revoked <RelativeTime date={k.revokedAt} />
                          </span>
                        ) : (
                          'Active'
                        )}
                      </td>
                      <td className="actions">
                        {k.revokedAt ? null : (
                          <Button
                            small
                            variant="ghost"
                            aria-label={`Revoke key ${k.name}`}
                            onClick={() => {
                              setNotice(null);
                              revoke.reset();
                              setRevoking({ id: k.id, name: k.name, prefix: k.prefix });
                            }}
                          >
                            Revoke
                          </Button>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}

          <form
            className="stack subsection"
            onSubmit={onCreate}
            noValidate
            aria-labelledby={`${titleId}-new`}
          >
            <h3 id={`${titleId}-new`}>Create a key</h3>
            <ErrorBanner error={create.error} labels={{ name: 'Key name' }} />
            <TextField
              label="Key name"
              value={name}
              onChange={(e) => {
                setName(e.target.value);
                if (create.isError) create.reset();
              }}
              invalid={errorField(create.error) === 'name'}
              maxLength={100}
              autoComplete="off"
              placeholder="Website chat"
              required
              hint="Where the key is used, so you can tell keys apart and revoke the right one."
            />
            <div>
              <Button type="submit" variant="primary" disabled={create.isPending}>
                {create.isPending ? 'Creating…' : 'Create key'}
              </Button>
            </div>
          </form>
        </>
      ) : null}

      {created ? (
        <NewKeyDialog name={created.name} token={created.token} onClose={() => setCreated(null)} />
      ) : null}
      {revoking ? (
        <ConfirmDialog
          title={`Revoke “${revoking.name}”?`}
          message={`Requests with the key ${revoking.prefix}… are refused at once. This cannot be undone; create a new key to replace it.`}
          confirmLabel="Revoke"
          pendingLabel="Revoking…"
          danger
          pending={revoke.isPending}
          error={revoke.error}
          onConfirm={() => revoke.mutate({ workspaceId, appId, keyId: revoking.id })}
          onCancel={() => setRevoking(null)}
        />
      ) : null}
    </section>
  );
}

/** A read-only text box with a copy button; selects the text when the clipboard is unavailable. */
function CopyField({ label, value, hint }: { label: string; value: string; hint: string }) {
  const id = useId();
  const ref = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);

  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      setCopied('yes');
    } catch {
      ref.current?.select();
      setCopied('failed');
    }
  }

  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <div className="row" style={{ flexWrap: 'nowrap' }}>
        <input
          ref={ref}
          id={id}
          readOnly
          value={value}
          spellCheck={false}
          aria-describedby={`${id}-hint`}
          onFocus={(e) => e.currentTarget.select()}
        />
        <Button onClick={copy} aria-label={`Copy ${label}`}>
          {copied === 'yes' ? 'Copied' : 'Copy'}
        </Button>
      </div>
      <p id={`${id}-hint`} className="hint" role="status">
        {copied === 'failed'
          ? 'Copying is blocked here; the text is selected, press Ctrl+C (⌘C) to copy it.'
          : hint}
      </p>
    </div>
  );
}

/** Where integrators send requests. Known only in the browser, so it appears after mounting. */
function ApiBaseUrl() {
  const [origin, setOrigin] = useState('');
  useEffect(() => setOrigin(window.location.origin), []);
  if (!origin) return null;
  return (
    <CopyField
      label="API base URL"
      value={`${origin}/api/v1`}
      hint="For example POST /chat-messages or POST /workflows/run, relative to this URL."
    />
  );
}

function NewKeyDialog({ name, token, onClose }: { name: string; token: string; onClose: () => void }) {
  return (
    <Dialog
      title={`API key “${name}” created`}
      description="Copy the key now and keep it somewhere safe: it will not be shown again."
      onClose={onClose}
    >
      <CopyField label="API key" value={token} hint="Send it as Authorization: Bearer <key>." />
      <div className="dialog-actions">
        <Button variant="primary" onClick={onClose}>
          Done
        </Button>
      </div>
    </Dialog>
  );
}
