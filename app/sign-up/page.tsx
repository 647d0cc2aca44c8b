// The sign-up page; `?invite=<token>` joins the inviting workspace instead of creating one.
import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { AuthForm } from '@/components/auth/auth-form';
import { safeNext } from '@/components/auth/safe-next';
import { currentUser } from '@/server/auth/current-user';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Create an account · Weft' };

export default async function SignUpPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  const invite = Array.isArray(params.invite) ? params.invite[0] : params.invite;
  const next = safeNext(params.next);
  if (await currentUser()) redirect(invite ? `/invite/${encodeURIComponent(invite)}` : (next ?? '/studio'));
  return (
    <main className="auth-page">
      <AuthForm mode="sign-up" inviteToken={invite || undefined} next={next} />
    </main>
  );
}
