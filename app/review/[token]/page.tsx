// /review/<token>: the page a signed external-reviewer link opens. It shows that one review (title,
// instructions, context, the editable data and fields) and takes the outsider's decision; there is
// no navigation into the workspace. A token that is not a link is a 404; a link that no longer
// works says why. See server/services/review-links.ts.
import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { ReviewLinkForm } from '@/components/review-link/review-link-form';
import { ReviewLinkGone, ReviewLinkShell } from '@/components/review-link/review-link-shell';
import { getDatabase } from '@/db/client';
import { ReviewLinkError, reviewForLink } from '@/server/services/review-links';

export const dynamic = 'force-dynamic';

export const metadata: Metadata = {
  title: 'Review · Weft',
  robots: { index: false, follow: false },
  // The token in the address is the reviewer's credential: never send it on in a Referer.
  referrer: 'no-referrer',
};

export default async function ReviewLinkPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const database = await getDatabase();
  try {
    const review = await reviewForLink(database.db, token);
    return (
      <ReviewLinkShell>
        <ReviewLinkForm token={token} review={review} />
      </ReviewLinkShell>
    );
  } catch (error) {
    if (!(error instanceof ReviewLinkError)) throw error;
    if (error.status === 404) notFound();
    return <ReviewLinkGone message={error.message} />;
  }
}
