// The frame of the external review page: the page's width and a small header naming Weft, with no
// links into the studio (the visitor is not a member of the workspace).
import type { ReactNode } from 'react';
import styles from './review-link.module.css';

export function ReviewLinkShell({ children }: { children: ReactNode }) {
  return (
    <main className={styles.page}>
      <p className="muted">Weft · review request</p>
      {children}
    </main>
  );
}

/** What the page says when the link no longer works (expired, replaced, decided, closed). */
export function ReviewLinkGone({ message }: { message: string }) {
  return (
    <ReviewLinkShell>
      <div className="card stack">
        <h1>This review link no longer works</h1>
        <p role="alert">{message}</p>
        <p className="muted">
          If you still need to review, ask the person who sent you the link for a new one.
        </p>
      </div>
    </ReviewLinkShell>
  );
}
