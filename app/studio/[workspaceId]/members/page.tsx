// The workspace's members, invitations and settings.
import { redirect } from 'next/navigation';
import { MembersPage } from '@/components/workspace/members-page';
import { currentUser } from '@/server/auth/current-user';

export const dynamic = 'force-dynamic';

export default async function Members({ params }: { params: Promise<{ workspaceId: string }> }) {
  const { workspaceId } = await params;
  const user = await currentUser();
  if (!user) redirect('/sign-in');
  return <MembersPage workspaceId={workspaceId} currentUserId={user.id} />;
}
