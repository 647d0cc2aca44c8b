// Shared types for one interpretation of a run: the node catalog the caller passes in, the mutable
// run state every level sees, and small helpers that turn thrown values into step errors.
import type { RetryPolicy, WorkflowDefinition } from '@/workflows/dsl/definition';
import type { Graph } from './graph';
import type { Scope } from './scope';
import { type Durable, type Json, RunCancelledError, StepError, type StepErrorData } from './types';

/**
 * What the interpreter needs to know about a node type. Passed in rather than imported from
 * `workflows/nodes`, whose modules do I/O and must stay out of the deterministic code.
 */
export interface CatalogEntry {
  execution: 'activity' | 'start' | 'loop' | 'delay' | 'human-review';
  branching?: boolean;
  terminal?: boolean;
  /** Used when a node of this type sets no retry policy of its own (model calls hit rate limits). */
  defaultRetry?: RetryPolicy;
}

export type NodeCatalog = Record<string, CatalogEntry>;

/** A node that finished with an output (including handled failures), in finishing order. */
export interface FinishedNode {
  nodeId: string;
  output: Json;
}

export interface LevelFailure {
  nodeId: string;
  error: StepErrorData;
}

/**
 * How one level (the top level or one loop iteration) ended. 'aborted' means it was stopped from
 * outside (cancellation, or a failure elsewhere) before every node was settled.
 */
export interface LevelResult {
  status: 'completed' | 'failed' | 'aborted';
  finished: FinishedNode[];
  failure?: LevelFailure;
}

export interface LevelRequest {
  /** The loop id whose body to run; `TOP_LEVEL` for the nodes without a parent. */
  levelId: string;
  scope: Scope;
  /** Prepended to every node id to make its step key, e.g. `outer[1]/`. */
  keyPrefix: string;
  /** True once whatever encloses this level has stopped starting work. */
  parentStop: () => boolean;
}

export interface RunState {
  cancelled: boolean;
  handledFailure: boolean;
}

export interface RunContext {
  definition: WorkflowDefinition;
  inputs: Record<string, Json>;
  catalog: NodeCatalog;
  durable: Durable;
  graph: Graph;
  state: RunState;
  /** Runs one level; injected so loops can run their bodies without an import cycle. */
  runLevel(request: LevelRequest): Promise<LevelResult>;
}

/** A node failure that also carries the step's `input` for the run view (a loop's item count). */
export class NodeFailure extends StepError {
  constructor(
    data: StepErrorData,
    readonly input?: Json,
  ) {
    super(data);
  }
}

/** Thrown inside the interpreter when a node stops because the run was cancelled or stopped. */
export class StepAborted extends Error {
  constructor() {
    super('The step was stopped before it finished');
    this.name = 'StepAborted';
  }
}

export function isCancellation(error: unknown): boolean {
  // Engines may rebuild the error on replay; the name survives where the prototype might not.
  return error instanceof RunCancelledError || (error instanceof Error && error.name === 'RunCancelledError');
}

function isStepErrorLike(error: unknown): error is StepErrorData {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as Partial<Record<keyof StepErrorData, unknown>>;
  return typeof e.message === 'string' && typeof e.code === 'string' && typeof e.retryable === 'boolean';
}

/**
 * Any exception becomes a StepError. Unknown exceptions are not retryable: only the engine knows
 * whether a failure is transient, and it says so with a StepError.
 */
export function toStepError(error: unknown): StepError {
  if (error instanceof StepError) return error;
  if (isStepErrorLike(error)) return new StepError(stepErrorData(error));
  const message = error instanceof Error ? error.message : String(error);
  return new StepError({ message, code: 'node_error', retryable: false });
}

/** Only the three data fields, so journaled records never pick up stray properties. */
export function stepErrorData(error: StepErrorData): StepErrorData {
  return { message: error.message, code: error.code, retryable: error.retryable };
}

export function isJsonObject(value: Json | undefined): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
