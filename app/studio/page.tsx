// /studio: opens the user's first workspace (or offers to create one when they have none).
import { redirect } from 'next/navigation';
import { NewWorkspaceForm } from '@/components/workspace/new-workspace-form';
import { getDb } from '@/db/client';
import { currentUser } from '@/server/auth/current-user';
import { listWorkspacesForUser } from '@/server/services/workspace-service';

export const dynamic = 'force-dynamic';

export default async function StudioPage() {
  const user = await currentUser();
  if (!user) redirect('/sign-in');
  const [first] = await listWorkspacesForUser(await getDb(), user.id);
  if (first) redirect(`/studio/${first.id}`);
  return (
    <main className="auth-page">
      <div className="card auth-card stack">
        <h1>No workspace yet</h1>
        <p className="muted">You are not a member of any workspace. Create one to start building apps.</p>
        <NewWorkspaceForm />
      </div>
    </main>
  );
}
