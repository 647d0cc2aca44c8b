// One node attempt with its journal writes, shared by both engines: the node_started event (only
// stored on its own when the node runs long enough for anyone to see it), the run function, then
// the step row and node_finished in one write. Also how a step the interpreter resolved itself is
// written. Callers decide whether to wait for the row to be stored.
import { type ActivityRequest, type Json, StepError, type StepRecord } from '@/workflows/interpreter/types';
import type { TokenUsage } from '@/workflows/nodes/node-spec';
import { type ActivityEnvironment, executeActivity } from './activities';
import type { NewEvent, StepRow } from './journal';
import type { RunWriter } from './run-writer';

/**
 * How long a node may run before its node_started event is stored on its own. Shorter than the
 * writer's wait for lazy writes (LAZY_MS), so the row of a pure step just before, still waiting,
 * goes out in the same statement.
 */
const START_EVENT_FLUSH_MS = 20;

export interface JournaledStepResult {
  status: 'succeeded' | 'failed';
  output: Json;
  failure?: StepError;
  /** Resolves once the step row and its events are stored. */
  stored: Promise<void>;
}

export interface JournaledStepOptions {
  writer: RunWriter;
  env: Omit<ActivityEnvironment, 'emit' | 'reportUsage'>;
  /** Called when the step reports model usage. */
  onUsage?: () => void;
  /** The config as stored in the step row (e.g. with secret placeholders rather than values). */
  storedInput?: Json;
  /** Nothing waits for the row yet (see RunWriter.append and journal-durable's activity). */
  lazy?: boolean;
}

/**
 * Runs one attempt of `request` and queues its writes. Rejects only with what is not a step
 * failure (cancellation); a failed step resolves with `failure` set.
 */
export async function runJournaledStep(
  opts: JournaledStepOptions,
  stepKey: string,
  request: ActivityRequest,
  timeoutMs: number | undefined,
): Promise<JournaledStepResult> {
  const { writer } = opts;
  const startedAt = new Date();
  const startEvent: NewEvent = {
    type: request.attempt > 1 ? 'node_retry' : 'node_started',
    nodeId: request.nodeId,
    data: { nodeId: request.nodeId, nodeType: request.nodeType, stepKey, attempt: request.attempt },
  };
  let startStored = false;
  const flush = setTimeout(() => {
    startStored = true;
    writer.append([startEvent]).catch(() => {});
  }, START_EVENT_FLUSH_MS);
  let output: Json = null;
  let logs: string[] = [];
  const usage: TokenUsage[] = [];
  let failure: StepError | undefined;
  try {
    ({ output, logs } = await executeActivity(
      {
        ...opts.env,
        emit: (type, data) => {
          writer.append([{ type, nodeId: request.nodeId, data }]).catch(() => {});
        },
        reportUsage: (u) => {
          usage.push(u);
          opts.onUsage?.();
        },
      },
      stepKey,
      request,
      timeoutMs,
    ));
  } catch (error) {
    if (!(error instanceof StepError)) throw error;
    failure = error;
  } finally {
    clearTimeout(flush);
  }
  const finishedAt = new Date();
  const status = failure ? 'failed' : 'succeeded';
  const finishEvent: NewEvent = {
    type: 'node_finished',
    nodeId: request.nodeId,
    data: {
      nodeId: request.nodeId,
      nodeType: request.nodeType,
      stepKey,
      attempt: request.attempt,
      status,
      output: failure ? null : output,
      error: failure ? { ...failure.toData() } : null,
      usage: usage.length ? usage.map((u) => ({ ...u })) : null,
      elapsedMs: finishedAt.getTime() - startedAt.getTime(),
    },
  };
  const stored = writer.append(
    startStored ? [finishEvent] : [startEvent, finishEvent],
    {
      stepKey,
      nodeId: request.nodeId,
      nodeType: request.nodeType,
      attempt: request.attempt,
      status,
      input: opts.storedInput ?? request.config,
      output: failure ? null : output,
      error: failure?.toData() ?? null,
      logs,
      usage,
      startedAt,
      finishedAt,
    },
    { lazy: opts.lazy },
  );
  return failure ? { status, output, failure, stored } : { status, output, stored };
}

/** The event and step row that store a step the interpreter resolved itself. */
export function recordWrites(stepKey: string, step: StepRecord, at: Date): { event: NewEvent; row: StepRow } {
  return {
    event: {
      type: step.status === 'skipped' ? 'node_skipped' : 'node_finished',
      nodeId: step.nodeId,
      data: {
        nodeId: step.nodeId,
        nodeType: step.nodeType,
        stepKey,
        status: step.status,
        output: step.output ?? null,
        error: step.error ? { ...step.error } : null,
      },
    },
    row: {
      stepKey,
      nodeId: step.nodeId,
      nodeType: step.nodeType,
      attempt: 1,
      status: step.status,
      input: step.input ?? null,
      output: step.output ?? null,
      error: step.error ?? null,
      startedAt: at,
      finishedAt: at,
    },
  };
}
