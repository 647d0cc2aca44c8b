// The page an invitation link opens.
import type { Metadata } from 'next';
import { InvitationView } from '@/components/auth/invitation-view';
import { currentUser } from '@/server/auth/current-user';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Invitation · Weft' };

export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const user = await currentUser();
  return (
    <main className="auth-page">
      <div className="card auth-card">
        <InvitationView token={token} user={user ? { name: user.name, email: user.email } : null} />
      </div>
    </main>
  );
}
