// The interpreter's entry point: runs a validated definition through a `Durable` and reports how
// the run ended. Deterministic: given the same journaled results it makes the same durable calls.
import type { WorkflowDefinition } from '@/workflows/dsl/definition';
import type { FinishedNode, NodeCatalog, RunContext } from './context';
import { buildGraph, TOP_LEVEL } from './graph';
import { runLevel } from './level';
import { Scope } from './scope';
import type { Durable, Json, RunOutcome } from './types';

export interface RunWorkflowArgs {
  /** Already validated against the schema and the node configs. */
  definition: WorkflowDefinition;
  /** Already validated against the start node's declared inputs. */
  inputs: Record<string, Json>;
  catalog: NodeCatalog;
  durable: Durable;
  /**
   * The workspace's secrets by name, for `{{secrets.NAME}}`. Values reach node configs only; the
   * engine redacts them from everything it stores.
   */
  secrets?: Record<string, string>;
}

/** Terminal nodes' outputs merged in finishing order: objects spread in, other values by node id. */
function mergeOutputs(
  finished: FinishedNode[],
  isTerminal: (nodeId: string) => boolean,
): RunOutcome['outputs'] {
  const outputs: RunOutcome['outputs'] = {};
  for (const { nodeId, output } of finished) {
    if (!isTerminal(nodeId)) continue;
    if (typeof output === 'object' && output !== null && !Array.isArray(output))
      Object.assign(outputs, output);
    else outputs[nodeId] = output;
  }
  return outputs;
}

export async function runWorkflow(args: RunWorkflowArgs): Promise<RunOutcome> {
  const { definition, inputs, catalog, durable } = args;
  const graph = buildGraph(definition, catalog);
  const ctx: RunContext = {
    definition,
    inputs,
    catalog,
    durable,
    graph,
    state: { cancelled: false, handledFailure: false },
    runLevel: (request) => runLevel(ctx, request),
  };

  const result = await runLevel(ctx, {
    levelId: TOP_LEVEL,
    scope: new Scope(undefined, graph.startNodeId, { secrets: { ...args.secrets } }),
    keyPrefix: '',
    parentStop: () => false,
  });

  // Nothing else stops the top level, so an aborted result also means cancellation.
  if (ctx.state.cancelled || result.status === 'aborted') return { status: 'cancelled', outputs: {} };

  const types = new Map(definition.nodes.map((node) => [node.id, node.type]));
  const isTerminal = (nodeId: string) => catalog[types.get(nodeId) ?? '']?.terminal === true;
  const outputs = mergeOutputs(result.finished, isTerminal);
  if (result.status === 'failed' && result.failure) {
    return { status: 'failed', outputs, error: { ...result.failure.error, nodeId: result.failure.nodeId } };
  }
  return { status: ctx.state.handledFailure ? 'partially_succeeded' : 'succeeded', outputs };
}

/** How a run ends when the interpreter itself threw (a bug, not a node failure). */
export function internalFailure(error: unknown): RunOutcome {
  return {
    status: 'failed',
    outputs: {},
    error: {
      message: error instanceof Error ? error.message : String(error),
      code: 'internal',
      retryable: false,
    },
  };
}
