// Runs one node by its execution kind and turns the result, or the failure after its last attempt,
// into an outcome the scheduler understands: an output plus the edges to follow.
import { ERROR_HANDLE, type WorkflowEdge, type WorkflowNode } from '@/workflows/dsl/definition';
import { resolveValue, toJson } from '@/workflows/dsl/references';
import {
  isCancellation,
  isJsonObject,
  NodeFailure,
  type RunContext,
  StepAborted,
  stepErrorData,
  toStepError,
} from './context';
import { runHumanReview } from './human-review';
import { runLoop } from './loop';
import { runActivityWithRetry } from './retry';
import type { Scope } from './scope';
import { type Json, StepError, type StepErrorData, type StepRecord } from './types';

/** Which outgoing edges a finished node takes. */
export type Route =
  /** Every edge except the error handle's. */
  | { kind: 'default' }
  /** Only edges leaving from this handle. */
  | { kind: 'handle'; handle: string }
  /** No edge: everything downstream is skipped. */
  | { kind: 'none' };

export const DEFAULT_ROUTE: Route = { kind: 'default' };

export function isTaken(route: Route, edge: WorkflowEdge): boolean {
  if (route.kind === 'none') return false;
  if (route.kind === 'handle') return edge.sourceHandle === route.handle;
  return edge.sourceHandle !== ERROR_HANDLE;
}

export interface StepSuccess {
  output: Json;
  route: Route;
}

export type NodeOutcome =
  | ({ kind: 'succeeded' } & StepSuccess)
  | { kind: 'skipped' }
  | { kind: 'failed'; error: StepErrorData }
  | { kind: 'aborted' };

const ABORTED: NodeOutcome = { kind: 'aborted' };

/** One node to run: where it sits and how to tell that its level has stopped. */
export interface NodeTask {
  node: WorkflowNode;
  /** Plain step key, e.g. `summarise` or `items[2]/summarise`. */
  key: string;
  scope: Scope;
  stop: () => boolean;
}

/** Resolves a config's references against the scope the node runs in. */
export function resolveConfig(config: unknown, scope: Scope): Json {
  return resolveValue(config, scope.lookup);
}

function stepRecord(node: WorkflowNode, status: StepRecord['status']): StepRecord {
  return { nodeId: node.id, nodeType: node.type, status };
}

/** A branching node names its handle in `branch`; without one it cannot say where to go. */
function routeFor(ctx: RunContext, node: WorkflowNode, output: Json, fallback: Route): Route {
  if (!ctx.catalog[node.type]?.branching) return DEFAULT_ROUTE;
  const branch = isJsonObject(output) ? output.branch : undefined;
  return typeof branch === 'string' ? { kind: 'handle', handle: branch } : fallback;
}

async function runByKind(ctx: RunContext, task: NodeTask): Promise<StepSuccess> {
  const { node, key, scope } = task;
  const entry = ctx.catalog[node.type];
  if (!entry) {
    throw new StepError({
      message: `Unknown node type "${node.type}"`,
      code: 'unknown_node_type',
      retryable: false,
    });
  }
  switch (entry.execution) {
    case 'start': {
      const output: Json = ctx.inputs;
      await ctx.durable.record(key, { ...stepRecord(node, 'succeeded'), output });
      return { output, route: DEFAULT_ROUTE };
    }
    case 'activity': {
      const output = await runActivityWithRetry(ctx, node, key, resolveConfig(node.config, scope));
      const route = routeFor(ctx, node, output, { kind: 'none' });
      if (route.kind === 'none') {
        const message = `Node "${node.id}" returned no branch to follow`;
        throw new StepError({ message, code: 'invalid_output', retryable: false });
      }
      return { output, route };
    }
    case 'delay': {
      const config = resolveConfig(node.config, scope);
      const ms = isJsonObject(config) ? config.ms : undefined;
      if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
        throw new StepError({
          message: 'The delay must be a number of ms',
          code: 'invalid_config',
          retryable: false,
        });
      }
      await ctx.durable.sleep(key, ms);
      const output: Json = { sleptMs: ms };
      await ctx.durable.record(key, { ...stepRecord(node, 'succeeded'), output });
      return { output, route: DEFAULT_ROUTE };
    }
    case 'human-review':
      return runHumanReview(ctx, node, key, resolveConfig(node.config, scope));
    case 'loop':
      return runLoop(ctx, task);
  }
}

/**
 * Applies the node's onError after its last attempt. Handled failures continue as successes and
 * mark the run partially succeeded; unhandled ones are journaled as failed under the plain key.
 */
async function settleFailure(
  ctx: RunContext,
  node: WorkflowNode,
  key: string,
  error: StepErrorData,
  input: Json | undefined,
): Promise<NodeOutcome> {
  const withInput = input === undefined ? {} : { input };
  const onError = node.error?.onError ?? 'fail';
  if (onError === 'fail') {
    await ctx.durable.record(key, { ...stepRecord(node, 'failed'), error, ...withInput });
    return { kind: 'failed', error };
  }
  ctx.state.handledFailure = true;
  if (onError === 'default-value') {
    const output = toJson(node.error?.defaultValue ?? null);
    await ctx.durable.record(key, { ...stepRecord(node, 'succeeded'), output, error, ...withInput });
    // A branching node's default value may name a branch; otherwise nothing downstream runs.
    return { kind: 'succeeded', output, route: routeFor(ctx, node, output, { kind: 'none' }) };
  }
  const output: Json = { error: { message: error.message, code: error.code } };
  await ctx.durable.record(key, { ...stepRecord(node, 'succeeded'), output, error, ...withInput });
  return { kind: 'succeeded', output, route: { kind: 'handle', handle: ERROR_HANDLE } };
}

/**
 * Never rejects: every failure becomes an outcome and cancellation flags the run. A journal write
 * that fails for another reason fails the node unhandled, since its outcome could not be kept.
 */
function settleThrown(ctx: RunContext, error: unknown): NodeOutcome {
  if (isCancellation(error)) ctx.state.cancelled = true;
  if (isCancellation(error) || error instanceof StepAborted) return ABORTED;
  return { kind: 'failed', error: stepErrorData(toStepError(error)) };
}

export async function executeNode(ctx: RunContext, task: NodeTask): Promise<NodeOutcome> {
  try {
    try {
      return { kind: 'succeeded', ...(await runByKind(ctx, task)) };
    } catch (error) {
      if (isCancellation(error) || error instanceof StepAborted) throw error;
      const input = error instanceof NodeFailure ? error.input : undefined;
      return await settleFailure(ctx, task.node, task.key, stepErrorData(toStepError(error)), input);
    }
  } catch (error) {
    return settleThrown(ctx, error);
  }
}

/** Journals a node none of whose incoming edges was taken. Never rejects either. */
export async function skipNode(ctx: RunContext, task: NodeTask): Promise<NodeOutcome> {
  try {
    await ctx.durable.record(task.key, stepRecord(task.node, 'skipped'));
    return { kind: 'skipped' };
  } catch (error) {
    return settleThrown(ctx, error);
  }
}
