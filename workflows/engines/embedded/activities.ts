// Executes one activity step for the embedded engine: validates the node's resolved config, calls
// the node type's run function with an abort signal (run cancelled, timeout), and turns whatever
// it throws into a StepError the journal can store.

import { type ActivityRequest, type Json, RunCancelledError, StepError } from '@/workflows/interpreter/types';
import type { NodeRunContext, NodeServices, TokenUsage } from '@/workflows/nodes/node-spec';

/** The part of a node spec the engine needs to run it. */
export interface RunnableSpec {
  configSchema: {
    safeParse(value: unknown): { success: boolean; data?: unknown; error?: { issues: unknown[] } };
  };
  run?(config: never, ctx: NodeRunContext): Promise<Json> | Json;
}

export interface ActivityEnvironment {
  runId: string;
  workspaceId: string;
  catalog: Record<string, RunnableSpec>;
  /** Aborted when the run is cancelled. */
  runSignal: AbortSignal;
  emit(type: string, data: Json): void;
  /** Collects model usage; called even when the step then fails (a failed repair still costs). */
  reportUsage(usage: TokenUsage): void;
  services: NodeServices;
}

export interface ActivityResult {
  output: Json;
  logs: string[];
}

/** Services for runs whose engine was given none: any model call fails clearly. */
export const noServices: NodeServices = {
  modelTarget: async () => {
    throw new StepError({
      message: 'No model provider is configured',
      code: 'llm_no_provider',
      retryable: false,
    });
  },
};

function issuesText(issues: unknown[]): string {
  return issues
    .map((i) => {
      const issue = i as { path?: PropertyKey[]; message?: string };
      return `${(issue.path ?? []).map(String).join('.') || 'config'}: ${issue.message ?? 'invalid'}`;
    })
    .join('; ');
}

export async function executeActivity(
  env: ActivityEnvironment,
  stepKey: string,
  request: ActivityRequest,
  timeoutMs: number | undefined,
): Promise<ActivityResult> {
  const logs: string[] = [];
  if (request.nodeType === 'human-review.request') {
    // The review request itself is the step: announce it; the decision arrives as a signal.
    const reviewKey = stepKey.replace(/#request$/, '');
    const output: Json = { signal: `review:${reviewKey}`, request: request.config };
    // Stored before the pause is announced, so whoever sees the event finds the task.
    await env.services.openReview?.({
      runId: env.runId,
      stepKey: reviewKey,
      nodeId: request.nodeId,
      config: request.config,
    });
    env.emit('review_requested', {
      nodeId: request.nodeId,
      stepKey: reviewKey,
      signal: `review:${reviewKey}`,
      request: request.config,
    });
    return { output, logs };
  }
  const spec = env.catalog[request.nodeType];
  if (!spec?.run)
    throw new StepError({
      message: `Unknown node type "${request.nodeType}"`,
      code: 'unknown_node_type',
      retryable: false,
    });
  const parsed = spec.configSchema.safeParse(request.config);
  if (!parsed.success)
    throw new StepError({
      message: `Invalid config: ${issuesText(parsed.error?.issues ?? [])}`,
      code: 'invalid_config',
      retryable: false,
    });

  const controller = new AbortController();
  const onRunAbort = () => controller.abort(new RunCancelledError());
  if (env.runSignal.aborted) throw new RunCancelledError();
  env.runSignal.addEventListener('abort', onRunAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const aborted = new Promise<never>((_, reject) => {
    controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
    if (timeoutMs !== undefined)
      timer = setTimeout(
        () =>
          controller.abort(
            new StepError({ message: `Timed out after ${timeoutMs} ms`, code: 'timeout', retryable: true }),
          ),
        timeoutMs,
      );
  });
  aborted.catch(() => {});
  const ctx: NodeRunContext = {
    runId: env.runId,
    workspaceId: env.workspaceId,
    stepKey,
    // One key per step, the same for every attempt and after a crash: the remote side sees one operation.
    idempotencyKey: `${env.runId}:${stepKey.replace(/#\d+$/, '')}`,
    attempt: request.attempt,
    signal: controller.signal,
    log: (message) => {
      logs.push(message);
    },
    emit: env.emit,
    reportUsage: env.reportUsage,
    services: env.services,
  };
  try {
    const output = await Promise.race([Promise.resolve(spec.run(parsed.data as never, ctx)), aborted]);
    return { output: output ?? null, logs };
  } catch (error) {
    if (error instanceof StepError || error instanceof RunCancelledError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new StepError({ message, code: 'node_error', retryable: false });
  } finally {
    if (timer) clearTimeout(timer);
    env.runSignal.removeEventListener('abort', onRunAbort);
  }
}
