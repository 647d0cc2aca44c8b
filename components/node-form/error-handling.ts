// Pure rules of a node's error-handling setting, shared by its editor and tests: the retry policy
// a builder starts from, and the normal form stored in the definition.
import type { ErrorHandling, RetryPolicy } from '@/workflows/dsl/definition';

/** What "Retry on failure" switches on: 3 attempts, 1 s, doubling, at most 30 s apart. */
export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 3, initialMs: 1000, multiplier: 2, maxMs: 30_000 };

/**
 * The setting to store: undefined when nothing differs from "no retry, no timeout, fail", so an
 * untouched node keeps a clean definition; a default value only while onError uses it.
 */
export function normaliseErrorHandling(next: ErrorHandling): ErrorHandling | undefined {
  const out: ErrorHandling = { onError: next.onError };
  if (next.retry) out.retry = next.retry;
  if (next.timeoutMs !== undefined) out.timeoutMs = next.timeoutMs;
  if (next.onError === 'default-value' && next.defaultValue !== undefined)
    out.defaultValue = next.defaultValue;
  const isDefault = out.onError === 'fail' && !out.retry && out.timeoutMs === undefined;
  return isDefault ? undefined : out;
}
