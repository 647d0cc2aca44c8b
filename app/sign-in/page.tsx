// The sign-in page (signed-in visitors go straight on to the studio).
import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { AuthForm } from '@/components/auth/auth-form';
import { safeNext } from '@/components/auth/safe-next';
import { currentUser } from '@/server/auth/current-user';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Sign in · Weft' };

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const next = safeNext((await searchParams).next);
  if (await currentUser()) redirect(next ?? '/studio');
  return (
    <main className="auth-page">
      <AuthForm mode="sign-in" next={next} />
    </main>
  );
}
