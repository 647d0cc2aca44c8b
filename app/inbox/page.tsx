// /inbox, where reviewers work: opens the inbox of the signed-in user's workspace — the one with
// the most reviews waiting for them, else the first where they may review, else their first.
import { redirect } from 'next/navigation';
import { getDb } from '@/db/client';
import { currentUser } from '@/server/auth/current-user';
import { pendingReviewCount } from '@/server/services/review-queries';
import { roleAtLeast } from '@/server/services/roles';
import { listWorkspacesForUser } from '@/server/services/workspace-service';

export const dynamic = 'force-dynamic';

export default async function InboxRedirect() {
  const user = await currentUser();
  if (!user) redirect(`/sign-in?next=${encodeURIComponent('/inbox')}`);
  const db = await getDb();
  const workspaces = await listWorkspacesForUser(db, user.id);
  if (workspaces.length === 0) redirect('/studio');
  const reviewing = workspaces.filter((w) => roleAtLeast(w.role, 'reviewer'));
  let best = reviewing[0] ?? workspaces[0];
  let most = 0;
  for (const w of reviewing) {
    const { count } = await pendingReviewCount(db, w.id, { userId: user.id, role: w.role });
    if (count > most) {
      most = count;
      best = w;
    }
  }
  redirect(`/studio/${best?.id ?? workspaces[0]?.id}/inbox`);
}
