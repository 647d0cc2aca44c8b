// The scheduler for one level (the top level or one loop iteration): a node starts once every
// incoming edge is resolved, runs if any was taken and is skipped otherwise; independent ready
// nodes run concurrently.
import type { WorkflowNode } from '@/workflows/dsl/definition';
import type { FinishedNode, LevelFailure, LevelRequest, LevelResult, RunContext } from './context';
import { executeNode, isTaken, type NodeOutcome, type NodeTask, skipNode } from './execute-node';

export async function runLevel(ctx: RunContext, request: LevelRequest): Promise<LevelResult> {
  const level = ctx.graph.level(request.levelId);
  /** Edge id → taken (true) or not taken (false); absent while unresolved. */
  const edges = new Map<string, boolean>();
  const started = new Set<string>();
  const finished: FinishedNode[] = [];
  const failures: LevelFailure[] = [];
  const inFlight = new Set<Promise<void>>();
  let aborted = false;

  // After a failure or cancellation nothing new starts here; in-flight nodes are left to settle.
  const stopped = (): boolean =>
    failures.length > 0 || aborted || ctx.state.cancelled || request.parentStop();

  const incomingOf = (node: WorkflowNode) => level.incoming.get(node.id) ?? [];
  const byId = new Map(level.nodes.map((node) => [node.id, node]));
  // Nodes that may have become ready: the entry nodes, then the targets of each resolved edge. Only
  // these are checked, so a step costs its own edges rather than a scan of the whole level.
  const candidates = new Set(
    level.nodes.filter((node) => incomingOf(node).length === 0).map((node) => node.id),
  );
  const order = (id: string) => ctx.graph.order.get(id) ?? 0;

  const settle = (node: WorkflowNode, outcome: NodeOutcome): void => {
    const outgoing = level.outgoing.get(node.id) ?? [];
    switch (outcome.kind) {
      case 'succeeded':
        request.scope.set(node.id, outcome.output);
        finished.push({ nodeId: node.id, output: outcome.output });
        for (const edge of outgoing) {
          edges.set(edge.id, isTaken(outcome.route, edge));
          candidates.add(edge.target);
        }
        break;
      case 'skipped':
        // Skipping propagates: a skipped node takes none of its edges.
        for (const edge of outgoing) {
          edges.set(edge.id, false);
          candidates.add(edge.target);
        }
        break;
      case 'failed':
        failures.push({ nodeId: node.id, error: outcome.error });
        break;
      case 'aborted':
        aborted = true;
        break;
    }
  };

  const launch = (node: WorkflowNode): void => {
    started.add(node.id);
    const incoming = incomingOf(node);
    const runs = incoming.length === 0 || incoming.some((edge) => edges.get(edge.id) === true);
    const task: NodeTask = { node, key: request.keyPrefix + node.id, scope: request.scope, stop: stopped };
    const promise = (runs ? executeNode(ctx, task) : skipNode(ctx, task)).then(
      (outcome) => settle(node, outcome),
      // executeNode and skipNode do not reject; this keeps a bug from becoming an unhandled rejection.
      (error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        settle(node, { kind: 'failed', error: { message, code: 'internal_error', retryable: false } });
      },
    );
    const tracked = promise.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  };

  const startReady = (): void => {
    if (stopped()) return;
    // Definition order among the ready ones, as before: starts do not depend on completion timing.
    const ids = [...candidates].sort((a, b) => order(a) - order(b));
    candidates.clear();
    for (const id of ids) {
      const node = byId.get(id);
      if (!node || started.has(id)) continue;
      if (incomingOf(node).every((edge) => edges.has(edge.id))) launch(node);
    }
  };

  startReady();
  while (inFlight.size > 0) {
    await Promise.race(inFlight);
    startReady();
  }

  if (failures.length > 0) {
    // Concurrent failures: report the first in definition order, which does not depend on timing.
    const order = (failure: LevelFailure) => ctx.graph.order.get(failure.nodeId) ?? 0;
    const [failure] = [...failures].sort((a, b) => order(a) - order(b));
    return { status: 'failed', finished, failure };
  }
  // Nodes left unstarted because the enclosing level stopped make this level incomplete; nodes
  // that could never become ready (an invalid cycle) do not.
  const interrupted = request.parentStop() && started.size < level.nodes.length;
  const complete = !aborted && !ctx.state.cancelled && !interrupted;
  return { status: complete ? 'completed' : 'aborted', finished };
}
