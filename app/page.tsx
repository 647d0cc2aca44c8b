// The front door: signed-in users go to the studio, everyone else to sign in.
import { redirect } from 'next/navigation';
import { currentUser } from '@/server/auth/current-user';

export const dynamic = 'force-dynamic';

export default async function Home() {
  redirect((await currentUser()) ? '/studio' : '/sign-in');
}
