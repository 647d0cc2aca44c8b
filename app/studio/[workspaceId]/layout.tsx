// The studio frame for one workspace: only for signed-in members; renders the top bar shell.
import { notFound, redirect } from 'next/navigation';
import type { ReactNode } from 'react';
import { StudioShell } from '@/components/workspace/studio-shell';
import { getDb } from '@/db/client';
import { currentUser } from '@/server/auth/current-user';
import { listWorkspacesForUser } from '@/server/services/workspace-service';

export const dynamic = 'force-dynamic';

export default async function WorkspaceLayout({
  children,
  params,
}: {
  children: ReactNode;
  params: Promise<{ workspaceId: string }>;
}) {
  const { workspaceId } = await params;
  const user = await currentUser();
  if (!user) redirect('/sign-in');
  const workspaces = await listWorkspacesForUser(await getDb(), user.id);
  // Not a member looks the same as not existing, as in the API.
  if (!workspaces.some((w) => w.id === workspaceId)) notFound();
  return (
    <StudioShell workspaceId={workspaceId} user={{ id: user.id, name: user.name, email: user.email }}>
      {children}
    </StudioShell>
  );
}
