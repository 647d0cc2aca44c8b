// Activity attempts with exponential backoff. Every attempt and every backoff sleep has its own
// step key, so a replay finds each journaled result instead of running or waiting again.
import type { RetryPolicy, WorkflowNode } from '@/workflows/dsl/definition';
import { isCancellation, type RunContext, toStepError } from './context';
import type { ActivityOptions, Json, StepError } from './types';

/** Delay before the attempt after `attempt`: initialMs · multiplier^(attempt−1), capped at maxMs. */
export function backoffDelay(policy: RetryPolicy, attempt: number): number {
  return Math.round(Math.min(policy.initialMs * policy.multiplier ** (attempt - 1), policy.maxMs));
}

/** Timeouts are transient by nature, whatever the engine flagged. */
export function isRetryable(error: StepError): boolean {
  return error.retryable || error.code === 'timeout';
}

/**
 * Runs a node's activity until it succeeds, fails for good, or attempts run out. Rejects with the
 * last StepError, or rethrows a cancellation untouched.
 */
export async function runActivityWithRetry(
  ctx: RunContext,
  node: WorkflowNode,
  key: string,
  config: Json,
): Promise<Json> {
  const policy = node.error?.retry ?? ctx.catalog[node.type]?.defaultRetry;
  const maxAttempts = policy?.maxAttempts ?? 1;
  const timeoutMs = node.error?.timeoutMs;
  const options: ActivityOptions = timeoutMs === undefined ? {} : { timeoutMs };
  for (let attempt = 1; ; attempt++) {
    try {
      const request = { nodeId: node.id, nodeType: node.type, attempt, config };
      return await ctx.durable.activity(`${key}#${attempt}`, request, options);
    } catch (error) {
      if (isCancellation(error)) throw error;
      const stepError = toStepError(error);
      if (!policy || attempt >= maxAttempts || !isRetryable(stepError)) throw stepError;
      // A Retry-After from the remote side wins over a shorter backoff.
      const delay = Math.max(backoffDelay(policy, attempt), stepError.retryAfterMs ?? 0);
      await ctx.durable.sleep(`${key}#${attempt}/backoff`, delay);
    }
  }
}
