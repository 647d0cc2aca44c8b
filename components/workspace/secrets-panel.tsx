// Workspace settings, "Secrets": names that node settings reference as {{secrets.NAME}} (editors see
// them); owners add secrets, replace their values and delete them. Values are never shown.
'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
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

interface PanelProps {
  workspaceId: string;
  canEdit: boolean;
  isOwner: boolean;
}

type Open = { kind: 'replace' | 'delete'; name: string };

export function SecretsPanel({ workspaceId, canEdit, isOwner }: PanelProps) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const titleId = useId();
  const [open, setOpen] = useState<Open | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  // Names are for editors and owners only; lower roles never ask for them.
  const secrets = useQuery({ ...trpc.secrets.list.queryOptions({ workspaceId }), enabled: canEdit });
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.secrets.list.queryKey() });
  const remove = useMutation(
    trpc.secrets.delete.mutationOptions({
      onSuccess: async ({ name }) => {
        await refresh();
        setOpen(null);
        setNotice(`Secret ${name} deleted.`);
      },
    }),
  );
  const show = (kind: Open['kind'], name: string) => {
    setNotice(null);
    setOpen({ kind, name });
  };
  const close = () => {
    setOpen(null);
    remove.reset();
  };
  const names = secrets.data?.map((s) => s.name) ?? [];

  return (
    <section className="card stack" aria-labelledby={titleId}>
      <h2 id={titleId}>Secrets</h2>
      {!canEdit ? (
        <p className="muted">Only editors and owners can see the workspace’s secrets.</p>
      ) : (
        <>
          <p className="muted">
            API tokens and passwords for HTTP and code nodes. Values are stored encrypted, redacted from run
            logs and never shown again.
          </p>
          {notice ? <SuccessBanner>{notice}</SuccessBanner> : null}
          {secrets.isPending ? <p className="muted">Loading…</p> : null}
          {secrets.error ? <ErrorBanner error={secrets.error} onRetry={() => secrets.refetch()} /> : null}
          {secrets.data?.length === 0 ? (
            <EmptyState title="No secrets yet">
              {isOwner ? 'Add one below, then use it in node settings.' : 'Owners can add them.'}
            </EmptyState>
          ) : null}
          {secrets.data && secrets.data.length > 0 ? (
            <div className="table-wrap">
              <table className="table">
                <TableHead columns={['Name', 'Updated']} actions={isOwner} />
                <tbody>
                  {secrets.data.map((s) => (
                    <tr key={s.name}>
                      <td>
                        <code>{s.name}</code>
                        <p className="hint">
                          Use as <code>{`{{secrets.${s.name}}}`}</code> in node settings
                        </p>
                      </td>
                      <td>
                        <RelativeTime date={s.updatedAt} />
                      </td>
                      {isOwner ? (
                        <td className="actions">
                          <Button small onClick={() => show('replace', s.name)}>
                            Replace value
                          </Button>
                          <Button small variant="ghost" onClick={() => show('delete', s.name)}>
                            Delete
                          </Button>
                        </td>
                      ) : null}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
          {!isOwner ? <p className="muted">Only owners can add, replace or delete secrets.</p> : null}
          {isOwner ? (
            <div className="subsection">
              <SecretForm
                workspaceId={workspaceId}
                existing={names}
                onSaved={(name) => setNotice(`Secret ${name} saved.`)}
              />
            </div>
          ) : null}
        </>
      )}

      {open?.kind === 'replace' ? (
        <Dialog title={`Replace ${open.name}`} onClose={close}>
          <SecretForm
            workspaceId={workspaceId}
            fixedName={open.name}
            onSaved={(name) => {
              setOpen(null);
              setNotice(`Secret ${name} replaced.`);
            }}
            onCancel={close}
          />
        </Dialog>
      ) : null}
      {open?.kind === 'delete' ? (
        <ConfirmDialog
          title={`Delete ${open.name}?`}
          message={`Nodes that use {{secrets.${open.name}}} fail until it is added again.`}
          confirmLabel="Delete"
          pendingLabel="Deleting…"
          danger
          pending={remove.isPending}
          error={remove.error}
          onConfirm={() => remove.mutate({ workspaceId, name: open.name })}
          onCancel={close}
        />
      ) : null}
    </section>
  );
}

/** Adds a secret, or (with `fixedName`) replaces the value of an existing one. */
function SecretForm({
  workspaceId,
  fixedName,
  existing = [],
  onSaved,
  onCancel,
}: {
  workspaceId: string;
  fixedName?: string;
  existing?: string[];
  onSaved: (name: string) => void;
  onCancel?: () => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const titleId = useId();
  const [name, setName] = useState(fixedName ?? '');
  const [value, setValue] = useState('');
  const set = useMutation(
    trpc.secrets.set.mutationOptions({
      onSuccess: async (saved) => {
        // The value leaves the page as soon as it is stored.
        setValue('');
        if (!fixedName) setName('');
        await queryClient.invalidateQueries({ queryKey: trpc.secrets.list.queryKey() });
        onSaved(saved?.name ?? name);
      },
    }),
  );
  const badField = errorField(set.error);
  const replacing = !fixedName && existing.includes(name.trim());

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    set.mutate({ workspaceId, name: name.trim(), value });
  }

  return (
    <form
      className="stack"
      onSubmit={onSubmit}
      noValidate
      aria-labelledby={fixedName ? undefined : titleId}
      aria-label={fixedName ? `Replace ${fixedName}` : undefined}
    >
      {/* Replacing happens in a dialog, whose own heading says what it is. */}
      {fixedName ? null : <h3 id={titleId}>Add secret</h3>}
      <ErrorBanner error={set.error} labels={{ name: 'Name', value: 'Value' }} />
      <div className="form-grid">
        {fixedName ? null : (
          <TextField
            label="Name"
            value={name}
            onChange={(e) => {
              setName(e.target.value);
              if (set.isError) set.reset();
            }}
            invalid={badField === 'name'}
            maxLength={64}
            autoComplete="off"
            spellCheck={false}
            placeholder="API_TOKEN"
            required
            hint={
              replacing
                ? 'A secret with this name exists; saving replaces its value.'
                : 'UPPER_SNAKE_CASE: capital letters, digits and underscores, starting with a letter.'
            }
          />
        )}
        <TextField
          label={fixedName ? 'New value' : 'Value'}
          type="password"
          autoComplete="off"
          value={value}
          onChange={(e) => {
            setValue(e.target.value);
            if (set.isError) set.reset();
          }}
          invalid={badField === 'value'}
          maxLength={10_000}
          required
          hint="Stored encrypted; it is never shown again."
        />
      </div>
      <div className={fixedName ? 'dialog-actions' : undefined}>
        {onCancel ? <Button onClick={onCancel}>Cancel</Button> : null}
        <Button type="submit" variant="primary" disabled={set.isPending}>
          {set.isPending ? 'Saving…' : fixedName ? 'Save value' : 'Add secret'}
        </Button>
      </div>
    </form>
  );
}
