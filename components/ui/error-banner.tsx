// Banners: errors (announced with role="alert", optionally retryable) and success notices.
import type { ReactNode } from 'react';
import { errorMessage } from './errors';

export function ErrorBanner({
  error,
  labels,
  onRetry,
}: {
  error: unknown;
  labels?: Record<string, string>;
  onRetry?: () => void;
}) {
  if (!error) return null;
  const message = typeof error === 'string' ? error : errorMessage(error, labels);
  return (
    <div role="alert" className="banner">
      <span className="spacer">{message}</span>
      {onRetry ? (
        <button type="button" className="btn btn-secondary btn-sm" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

export function SuccessBanner({ children }: { children: ReactNode }) {
  return (
    <div role="status" className="banner banner-success">
      {children}
    </div>
  );
}
