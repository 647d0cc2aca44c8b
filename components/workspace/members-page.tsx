// Workspace members: the member table (owners change roles and remove people) and workspace name.
'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTRPC } from '@/components/trpc-provider';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { ErrorBanner, SuccessBanner } from '@/components/ui/error-banner';
import { errorField } from '@/components/ui/errors';
import { TextField } from '@/components/ui/field';
import { TableHead } from '@/components/ui/table-head';
import { ROLES, type Role } from '@/server/services/roles';
import { InvitationsPanel } from './invitations-panel';
import { ROLE_LABEL } from './roles';
import { useWorkspaceRole } from './use-workspace-role';

interface Member {
  userId: string;
  name: string;
  email: string;
  role: Role;
}

export function MembersPage({ workspaceId, currentUserId }: { workspaceId: string; currentUserId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { workspace, isOwner } = useWorkspaceRole(workspaceId);
  const members = useQuery(trpc.workspace.members.queryOptions({ workspaceId }));
  const [removing, setRemoving] = useState<Member | null>(null);

  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.workspace.members.queryKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.workspace.get.queryKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.auth.me.queryKey() }),
    ]);
  const changeRole = useMutation(trpc.workspace.changeRole.mutationOptions({ onSettled: refresh }));
  const remove = useMutation(
    trpc.workspace.removeMember.mutationOptions({
      onSuccess: async ({ userId }) => {
        setRemoving(null);
        if (userId === currentUserId) window.location.assign('/studio');
        else await refresh();
      },
    }),
  );

  return (
    <section className="stack">
      <div className="page-header">
        <h1>Members</h1>
        {workspace ? <span className="muted">of {workspace.name}</span> : null}
      </div>

      <ErrorBanner error={changeRole.error} />
      {members.isPending ? <p className="muted">Loading…</p> : null}
      {members.error ? <ErrorBanner error={members.error} onRetry={() => members.refetch()} /> : null}
      {members.data ? (
        <div className="card table-wrap" style={{ padding: 0 }}>
          <table className="table">
            <TableHead columns={['Name', 'Email', 'Role']} actions={isOwner} />
            <tbody>
              {members.data.map((m) => (
                <tr key={m.userId}>
                  <td>
                    {m.name}
                    {m.userId === currentUserId ? <span className="muted"> (you)</span> : null}
                  </td>
                  <td>{m.email}</td>
                  <td>
                    {isOwner ? (
                      <select
                        aria-label={`Role for ${m.name}`}
                        value={m.role}
                        disabled={changeRole.isPending}
                        onChange={(e) =>
                          changeRole.mutate({ workspaceId, userId: m.userId, role: e.target.value as Role })
                        }
                      >
                        {ROLES.map((r) => (
                          <option key={r} value={r}>
                            {ROLE_LABEL[r]}
                          </option>
                        ))}
                      </select>
                    ) : (
                      <span className="badge">{ROLE_LABEL[m.role]}</span>
                    )}
                  </td>
                  {isOwner ? (
                    <td style={{ textAlign: 'right' }}>
                      <Button small variant="ghost" onClick={() => setRemoving(m)}>
                        Remove
                      </Button>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {!isOwner && workspace ? (
        <p className="muted">Only owners can change roles, remove members or invite people.</p>
      ) : null}

      {isOwner ? <InvitationsPanel workspaceId={workspaceId} /> : null}
      {isOwner && workspace ? <RenameWorkspaceForm workspaceId={workspaceId} name={workspace.name} /> : null}

      {removing ? (
        <ConfirmDialog
          title={`Remove ${removing.name}?`}
          message={
            removing.userId === currentUserId
              ? 'You will lose access to this workspace.'
              : `${removing.name} (${removing.email}) will lose access to this workspace and its apps.`
          }
          confirmLabel="Remove"
          pendingLabel="Removing…"
          danger
          pending={remove.isPending}
          error={remove.error}
          onConfirm={() => remove.mutate({ workspaceId, userId: removing.userId })}
          onCancel={() => {
            setRemoving(null);
            remove.reset();
          }}
        />
      ) : null}
    </section>
  );
}

function RenameWorkspaceForm({ workspaceId, name: initialName }: { workspaceId: string; name: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [name, setName] = useState(initialName);
  const rename = useMutation(
    trpc.workspace.rename.mutationOptions({
      onSuccess: () =>
        Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.workspace.get.queryKey() }),
          queryClient.invalidateQueries({ queryKey: trpc.auth.me.queryKey() }),
        ]),
    }),
  );

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    rename.mutate({ workspaceId, name });
  }

  return (
    <form className="card stack" onSubmit={onSubmit} noValidate>
      <h2>Workspace settings</h2>
      <ErrorBanner error={rename.error} labels={{ name: 'Workspace name' }} />
      {rename.isSuccess ? <SuccessBanner>Workspace renamed.</SuccessBanner> : null}
      <TextField
        label="Workspace name"
        value={name}
        onChange={(e) => {
          setName(e.target.value);
          rename.reset();
        }}
        invalid={errorField(rename.error) === 'name'}
        maxLength={100}
        required
      />
      <div>
        <Button type="submit" variant="primary" disabled={rename.isPending || name.trim() === initialName}>
          {rename.isPending ? 'Saving…' : 'Rename'}
        </Button>
      </div>
    </form>
  );
}
