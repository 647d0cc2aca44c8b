// An invitation link's landing card: who invites you where, and how to accept (or sign up first).
'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useTRPC } from '@/components/trpc-provider';
import { Button, buttonClass } from '@/components/ui/button';
import { ErrorBanner } from '@/components/ui/error-banner';
import { errorCode, errorMessage } from '@/components/ui/errors';

interface InvitationViewProps {
  token: string;
  /** The signed-in visitor, or null. */
  user: { name: string; email: string } | null;
}

export function InvitationView({ token, user }: InvitationViewProps) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const invitation = useQuery(trpc.auth.invitation.queryOptions({ token }));
  const accept = useMutation(
    trpc.auth.acceptInvitation.mutationOptions({
      onSuccess: async ({ workspaceId }) => {
        await queryClient.invalidateQueries({ queryKey: trpc.auth.me.queryKey() });
        router.push(`/studio/${workspaceId}`);
      },
    }),
  );
  const here = `/invite/${encodeURIComponent(token)}`;

  if (invitation.isPending) return <p className="muted">Loading invitation…</p>;

  if (invitation.error) {
    const code = errorCode(invitation.error);
    const reason =
      code === 'NOT_FOUND'
        ? 'This invitation link is not valid. It may have been revoked, or mistyped.'
        : errorMessage(invitation.error);
    return (
      <div className="stack">
        <h1>Invitation unavailable</h1>
        <ErrorBanner error={reason} />
        <p className="muted">Ask a workspace owner to send you a new invitation link.</p>
        <Link href={user ? '/studio' : '/sign-in'} className={buttonClass('secondary')}>
          {user ? 'Go to the studio' : 'Sign in'}
        </Link>
      </div>
    );
  }

  const { workspaceName, inviterName, role, email } = invitation.data;
  const wrongAccount = user && email && user.email !== email;

  return (
    <div className="stack">
      <h1>Join {workspaceName}</h1>
      <p>
        <strong>{inviterName}</strong> invited you to the workspace <strong>{workspaceName}</strong> as{' '}
        <span className="badge badge-accent">{role}</span>.
      </p>
      {email ? <p className="muted">This invitation is for {email}.</p> : null}

      {user ? (
        <>
          <p className="muted">
            Signed in as {user.name} ({user.email}).
          </p>
          {wrongAccount ? (
            <ErrorBanner error={`This invitation is for ${email}. Sign in with that account to accept it.`} />
          ) : null}
          <ErrorBanner error={accept.error} />
          <div className="row">
            <Button
              variant="primary"
              disabled={accept.isPending || accept.isSuccess}
              onClick={() => accept.mutate({ token })}
            >
              {accept.isPending || accept.isSuccess ? 'Joining…' : 'Accept invitation'}
            </Button>
          </div>
        </>
      ) : (
        <div className="row">
          <Link href={`/sign-up?invite=${encodeURIComponent(token)}`} className={buttonClass('primary')}>
            Sign up to join
          </Link>
          <Link href={`/sign-in?next=${encodeURIComponent(here)}`} className={buttonClass('secondary')}>
            Sign in to accept
          </Link>
        </div>
      )}
    </div>
  );
}
