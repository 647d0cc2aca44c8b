// The workspace's settings: model providers and secrets.
import { redirect } from 'next/navigation';
import { WorkspaceSettings } from '@/components/workspace/workspace-settings';
import { currentUser } from '@/server/auth/current-user';

export const dynamic = 'force-dynamic';

export default async function Settings({ params }: { params: Promise<{ workspaceId: string }> }) {
  const { workspaceId } = await params;
  const user = await currentUser();
  if (!user) redirect('/sign-in');
  return <WorkspaceSettings workspaceId={workspaceId} />;
}
