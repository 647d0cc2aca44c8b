// The page shown for an address that leads nowhere (or to something this account may not see).
import Link from 'next/link';
import { EmptyState } from '@/components/ui/empty-state';

export default function NotFound() {
  return (
    <main className="container">
      <EmptyState
        title="Page not found"
        action={
          <Link className="btn btn-primary" href="/studio">
            Back to the studio
          </Link>
        }
      >
        This page does not exist, or it belongs to a workspace you are not a member of.
      </EmptyState>
    </main>
  );
}
