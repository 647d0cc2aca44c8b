// Owners invite people: create an invitation link (optionally for one e-mail), copy it, revoke it.
'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useRef, useState } from 'react';
import { useTRPC } from '@/components/trpc-provider';
import { Button } from '@/components/ui/button';
import { ErrorBanner } from '@/components/ui/error-banner';
import { errorField } from '@/components/ui/errors';
import { SelectField, TextField } from '@/components/ui/field';
import { TableHead } from '@/components/ui/table-head';
import { formatDateTime } from '@/components/ui/time';
import { ROLES, type Role } from '@/server/services/roles';
import { ROLE_HINT, ROLE_LABEL } from './roles';

export function InvitationsPanel({ workspaceId }: { workspaceId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [role, setRole] = useState<Role>('editor');
  const [email, setEmail] = useState('');
  const [link, setLink] = useState<string | null>(null);
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);
  const linkRef = useRef<HTMLInputElement>(null);
  const linkId = useId();

  const pending = useQuery(trpc.workspace.invitations.queryOptions({ workspaceId }));
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.workspace.invitations.queryKey() });
  const invite = useMutation(
    trpc.workspace.invite.mutationOptions({
      onSuccess: async ({ token }) => {
        setLink(`${window.location.origin}/invite/${token}`);
        setCopied(null);
        setEmail('');
        await refresh();
      },
    }),
  );
  const revoke = useMutation(trpc.workspace.revokeInvitation.mutationOptions({ onSettled: refresh }));

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    invite.mutate({ workspaceId, role, email: email.trim() || undefined });
  }

  async function copy() {
    if (!link) return;
    try {
      await navigator.clipboard.writeText(link);
      setCopied('yes');
    } catch {
      linkRef.current?.select();
      setCopied('failed');
    }
  }

  return (
    <section className="card stack" aria-labelledby={`${linkId}-title`}>
      <h2 id={`${linkId}-title`}>Invite people</h2>
      <form className="stack" onSubmit={onSubmit} noValidate>
        <ErrorBanner error={invite.error} labels={{ email: 'Email', role: 'Role' }} />
        <div className="row" style={{ alignItems: 'flex-start' }}>
          <SelectField
            label="Role"
            value={role}
            onChange={(e) => setRole(e.target.value as Role)}
            hint={ROLE_HINT[role]}
          >
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {ROLE_LABEL[r]}
              </option>
            ))}
          </SelectField>
          <div className="spacer">
            <TextField
              label="Email (optional)"
              type="email"
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              invalid={errorField(invite.error) === 'email'}
              hint="Only this address can accept. Leave empty for a link anyone can use once."
            />
          </div>
        </div>
        <div>
          <Button type="submit" variant="primary" disabled={invite.isPending}>
            {invite.isPending ? 'Creating…' : 'Create invitation link'}
          </Button>
        </div>
      </form>

      {link ? (
        <div className="field">
          <label htmlFor={linkId}>Invitation link</label>
          <div className="row" style={{ flexWrap: 'nowrap' }}>
            <input
              ref={linkRef}
              id={linkId}
              readOnly
              value={link}
              onFocus={(e) => e.currentTarget.select()}
            />
            <Button onClick={copy}>{copied === 'yes' ? 'Copied' : 'Copy'}</Button>
          </div>
          <p className="hint" role="status">
            {copied === 'failed'
              ? 'Copying is blocked here; the link is selected, press Ctrl+C (⌘C) to copy it.'
              : 'Send this link to the person you invite. It works once and expires in 7 days.'}
          </p>
        </div>
      ) : null}

      <h3>Pending invitations</h3>
      <ErrorBanner error={revoke.error} />
      {pending.error ? <ErrorBanner error={pending.error} onRetry={() => pending.refetch()} /> : null}
      {pending.isPending ? <p className="muted">Loading…</p> : null}
      {pending.data?.length === 0 ? <p className="muted">No pending invitations.</p> : null}
      {pending.data && pending.data.length > 0 ? (
        <div className="table-wrap">
          <table className="table">
            <TableHead columns={['Role', 'For', 'Expires']} actions />
            <tbody>
              {pending.data.map((inv) => (
                <tr key={inv.id}>
                  <td>{ROLE_LABEL[inv.role]}</td>
                  <td>{inv.email ?? <span className="muted">Anyone with the link</span>}</td>
                  <td>{formatDateTime(inv.expiresAt)}</td>
                  <td style={{ textAlign: 'right' }}>
                    <Button
                      small
                      variant="ghost"
                      disabled={revoke.isPending}
                      onClick={() => revoke.mutate({ workspaceId, invitationId: inv.id })}
                    >
                      Revoke
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
