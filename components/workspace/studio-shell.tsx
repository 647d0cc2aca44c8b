// The studio's frame: top bar (brand, workspace switcher, sections, user, sign out) around a page.
'use client';

import { useMutation, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { usePathname, useRouter } from 'next/navigation';
import { type ReactNode, useState } from 'react';
import { InboxNavLink } from '@/components/inbox/inbox-nav-link';
import { NotificationsMenu } from '@/components/inbox/notifications-menu';
import { useTRPC } from '@/components/trpc-provider';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { ErrorBanner } from '@/components/ui/error-banner';
import { NewWorkspaceForm } from './new-workspace-form';

interface StudioShellProps {
  workspaceId: string;
  user: { id: string; name: string; email: string };
  children: ReactNode;
}

export function StudioShell({ workspaceId, user, children }: StudioShellProps) {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const [creating, setCreating] = useState(false);
  const me = useQuery(trpc.auth.me.queryOptions());
  const signOut = useMutation(
    trpc.auth.signOut.mutationOptions({ onSuccess: () => window.location.assign('/sign-in') }),
  );

  const workspaces = me.data?.workspaces ?? [];
  const base = `/studio/${workspaceId}`;
  const inMembers = pathname.startsWith(`${base}/members`);
  const inSettings = pathname.startsWith(`${base}/settings`);
  const inInbox = pathname.startsWith(`${base}/inbox`);
  // Inside an app the Apps section is still current, but the page itself is the app's tab.
  const appsCurrent = inMembers || inSettings || inInbox ? undefined : pathname === base ? 'page' : 'true';

  return (
    <>
      <header className="topbar">
        <div className="topbar-inner">
          <Link href={base} className="brand">
            Weft
          </Link>
          <select
            aria-label="Workspace"
            value={workspaceId}
            onChange={(e) => router.push(`/studio/${e.target.value}`)}
            disabled={workspaces.length === 0}
          >
            {workspaces.length === 0 ? <option value={workspaceId}>Loading…</option> : null}
            {workspaces.map((w) => (
              <option key={w.id} value={w.id}>
                {w.name}
              </option>
            ))}
          </select>
          <Button variant="ghost" small onClick={() => setCreating(true)}>
            New workspace
          </Button>
          <nav aria-label="Studio sections" className="row">
            <Link href={base} className="nav-link" aria-current={appsCurrent}>
              Apps
            </Link>
            <InboxNavLink
              workspaceId={workspaceId}
              current={inInbox ? (pathname === `${base}/inbox` ? 'page' : 'true') : undefined}
            />
            <Link href={`${base}/members`} className="nav-link" aria-current={inMembers ? 'page' : undefined}>
              Members
            </Link>
            {/* Named apart from an app's own Settings tab, which shows on the same page. */}
            <Link
              href={`${base}/settings`}
              className="nav-link"
              aria-label="Workspace settings"
              aria-current={inSettings ? 'page' : undefined}
            >
              Settings
            </Link>
          </nav>
          <span className="spacer" />
          <NotificationsMenu workspaceId={workspaceId} />
          <span className="muted" title={user.email}>
            {me.data?.user.name ?? user.name}
          </span>
          <Button small disabled={signOut.isPending || signOut.isSuccess} onClick={() => signOut.mutate()}>
            {signOut.isPending || signOut.isSuccess ? 'Signing out…' : 'Sign out'}
          </Button>
        </div>
      </header>
      <main className="container">
        {signOut.error ? <ErrorBanner error={signOut.error} /> : null}
        {children}
      </main>
      {creating ? (
        <Dialog title="New workspace" onClose={() => setCreating(false)}>
          <NewWorkspaceForm onClose={() => setCreating(false)} />
        </Dialog>
      ) : null}
    </>
  );
}
