// The contract between the deterministic interpreter and the engines that run it. The interpreter
// reaches the outside world only through `Durable`; each engine (embedded journal, Temporal)
// implements it. Step keys are stable across replays, so journaled results are found by key and
// the order in which concurrent branches issue calls does not matter.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** What an activity step asks the engine to execute: one node type's run function. */
export interface ActivityRequest {
  nodeId: string;
  nodeType: string;
  /** 1 for the first try; retries count up. */
  attempt: number;
  /** The node's config with every `{{reference}}` already resolved to values. */
  config: Json;
}

export interface ActivityOptions {
  /** The engine aborts the attempt after this long and fails it with a retryable timeout. */
  timeoutMs?: number;
}

/** A step whose outcome the interpreter already knows (start, skipped nodes, loops, reviews). */
export interface StepRecord {
  nodeId: string;
  nodeType: string;
  status: 'succeeded' | 'failed' | 'skipped';
  output?: Json;
  error?: StepErrorData;
  /** For the run view: e.g. the loop's item count, or the review decision. */
  input?: Json;
}

export interface StepErrorData {
  message: string;
  /** Machine-readable: 'timeout', 'node_error', 'invalid_config', 'http_status', … */
  code: string;
  retryable: boolean;
  /** The remote side asked to wait at least this long before trying again (Retry-After). */
  retryAfterMs?: number;
}

/**
 * A failed step. Engines journal the data and rethrow an equal StepError on replay, so a run that
 * failed or retried replays identically.
 */
export class StepError extends Error implements StepErrorData {
  readonly code: string;
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
  constructor(data: StepErrorData) {
    super(data.message);
    this.name = 'StepError';
    this.code = data.code;
    this.retryable = data.retryable;
    if (data.retryAfterMs !== undefined) this.retryAfterMs = data.retryAfterMs;
  }
  toData(): StepErrorData {
    const data: StepErrorData = { message: this.message, code: this.code, retryable: this.retryable };
    if (this.retryAfterMs !== undefined) data.retryAfterMs = this.retryAfterMs;
    return data;
  }
}

/** Thrown out of every pending durable call once the run is cancelled. */
export class RunCancelledError extends Error {
  constructor() {
    super('The run was cancelled');
    this.name = 'RunCancelledError';
  }
}

export interface Durable {
  /** Runs (first time) or replays (journaled) one node attempt. Rejects with StepError. */
  activity(stepKey: string, request: ActivityRequest, opts: ActivityOptions): Promise<Json>;
  /** Journals a step the interpreter resolved itself. Idempotent per key. */
  record(stepKey: string, step: StepRecord): Promise<void>;
  /** Durable sleep: survives restarts; the wake-up time is fixed when first reached. */
  sleep(stepKey: string, ms: number): Promise<void>;
  /**
   * Resolves with the payload of the signal `name` sent to this run, or undefined once
   * `timeoutMs` (measured from when the wait was first reached) has passed.
   */
  waitForSignal<T extends Json>(name: string, timeoutMs?: number): Promise<T | undefined>;
}

export type RunStatus =
  | 'queued'
  | 'running'
  | 'paused'
  | 'succeeded'
  | 'partially_succeeded'
  | 'failed'
  | 'cancelled';

/** What the interpreter returns when the run ends. */
export interface RunOutcome {
  status: 'succeeded' | 'partially_succeeded' | 'failed' | 'cancelled';
  outputs: { [key: string]: Json };
  error?: StepErrorData & { nodeId?: string };
}
