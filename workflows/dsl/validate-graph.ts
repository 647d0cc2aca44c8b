// Definition validation of the graph's structure: loop parents (and nesting that goes round),
// the start and terminal nodes, edges (endpoints, loop boundaries, handles) and reachability of
// the top level from the start node. Cycles are in validate-cycles.ts.
import { ERROR_HANDLE, type WorkflowNode } from '@/workflows/dsl/definition';
import { article, type Context, type Path } from '@/workflows/dsl/validate-common';

/** Node ids by the nodes they lead to, and by the nodes that lead to them. */
export interface Adjacency {
  next: Map<string, string[]>;
  prev: Map<string, string[]>;
}

/** The level a node runs at: its loop's id, or '' at the top level. */
export const levelOf = (node: WorkflowNode): string => node.parentId ?? '';

function handleName(handle: string | null): string {
  return handle === null ? 'the default handle' : `"${handle}"`;
}

function handleList(handles: (string | null)[]): string {
  return handles.length === 0 ? 'none' : handles.map(handleName).join(', ');
}

/**
 * Loop bodies: a node's parent must be an existing loop, and nesting must not go round. Returns
 * each node's valid parent loop; nodes in nesting that goes round are treated as top level.
 */
export function checkParents(ctx: Context): Map<string, string> {
  const { problem, nodePath } = ctx;
  const validParent = new Map<string, string>();
  for (const entry of ctx.nodes) {
    const node = entry.value;
    if (node.parentId === undefined) continue;
    const parent = ctx.byId.get(node.parentId)?.value;
    let message: string | undefined;
    if (!parent) {
      if (!ctx.dropped.has(node.parentId)) message = `its parent "${node.parentId}" does not exist`;
    } else if (parent.id === node.id) {
      message = 'a node cannot be its own parent';
    } else if (parent.type !== 'loop') {
      message = `its parent "${parent.id}" is ${article(parent.type)} node, not a loop`;
    } else {
      validParent.set(node.id, parent.id);
    }
    if (message)
      problem({ code: 'invalid_parent', message, nodeId: node.id, path: nodePath(entry, 'parentId') });
  }
  for (const entry of ctx.nodes) {
    const seen = new Set<string>([entry.value.id]);
    for (let p = validParent.get(entry.value.id); p !== undefined; p = validParent.get(p)) {
      if (seen.has(p)) {
        problem({
          code: 'invalid_parent',
          message: `loop nesting goes round in a circle through "${p}"`,
          nodeId: entry.value.id,
          path: nodePath(entry, 'parentId'),
        });
        // Treated as top level from here on so later checks terminate.
        validParent.delete(entry.value.id);
        break;
      }
      seen.add(p);
    }
  }
  return validParent;
}

/** One start node at the top level, and a terminal node there. Returns the start node, if any. */
export function checkStartAndTerminal(ctx: Context): WorkflowNode | undefined {
  const { problem, nodePath } = ctx;
  const starts = ctx.nodes.filter((e) => ctx.isStart(e.value));
  const topStarts = starts.filter((e) => e.value.parentId === undefined);
  for (const entry of starts) {
    if (entry.value.parentId !== undefined) {
      problem({
        code: 'misplaced_start',
        message: 'the start node must be at the top level, not inside a loop',
        nodeId: entry.value.id,
        path: nodePath(entry, 'parentId'),
      });
    }
  }
  for (const entry of topStarts.slice(1)) {
    problem({
      code: 'multiple_start',
      message: `there can be only one start node (the first is "${topStarts[0]?.value.id}")`,
      nodeId: entry.value.id,
      path: nodePath(entry),
    });
  }
  const startNode = topStarts[0]?.value;
  if (!startNode && !ctx.nodesLost) {
    problem({ code: 'missing_start', message: 'the workflow needs a start node', path: ['nodes'] });
  }
  const hasTerminal = ctx.nodes.some((e) => e.value.parentId === undefined && ctx.specOf(e.value)?.terminal);
  if (!hasTerminal && !ctx.nodesLost) {
    const names = Object.values(ctx.catalog)
      .filter((s) => s.terminal)
      .map((s) => s.type);
    problem({
      code: 'missing_terminal',
      message: `the workflow needs a final node (${names.join(' or ') || 'terminal'}) at the top level`,
      path: ['nodes'],
    });
  }
  return startNode;
}

/**
 * Edges: endpoints exist, stay within one level, and use handles the nodes have. Returns the
 * adjacency of the edges whose endpoints exist at the same level.
 */
export function checkEdges(ctx: Context): Adjacency {
  const { problem, byId, configs } = ctx;
  const next = new Map<string, string[]>(ctx.nodes.map((e) => [e.value.id, []]));
  const prev = new Map<string, string[]>(ctx.nodes.map((e) => [e.value.id, []]));
  for (const { value: edge, index } of ctx.edges) {
    const edgePath = (...rest: Path): Path => ['edges', index, ...rest];
    const source = byId.get(edge.source)?.value;
    const target = byId.get(edge.target)?.value;
    for (const [end, id, node] of [
      ['source', edge.source, source],
      ['target', edge.target, target],
    ] as const) {
      if (!node && !ctx.dropped.has(id)) {
        problem({
          code: 'dangling_edge',
          message: `its ${end} "${id}" does not exist`,
          edgeId: edge.id,
          path: edgePath(end),
        });
      }
    }
    if (!source || !target) continue;
    if (levelOf(source) !== levelOf(target)) {
      const where = (n: WorkflowNode) => (n.parentId ? `inside loop "${n.parentId}"` : 'at the top level');
      problem({
        code: 'edge_crosses_loop',
        message:
          `it joins "${source.id}" (${where(source)}) to "${target.id}" (${where(target)}); ` +
          "edges cannot cross a loop's boundary",
        edgeId: edge.id,
        path: edgePath(),
      });
      continue;
    }
    const sourceSpec = ctx.specOf(source);
    if (sourceSpec && configs.has(source.id)) {
      const handles = sourceSpec.outputHandles(configs.get(source.id));
      if (source.error?.onError === 'error-branch') handles.push(ERROR_HANDLE);
      if (!handles.includes(edge.sourceHandle)) {
        const hint =
          edge.sourceHandle === ERROR_HANDLE ? ' (set its error handling to error-branch to use it)' : '';
        problem({
          code: 'invalid_source_handle',
          message:
            `it leaves "${source.id}" from ${handleName(edge.sourceHandle)}, which that node does not have` +
            `${hint}; its outputs: ${handleList(handles)}`,
          edgeId: edge.id,
          path: edgePath('sourceHandle'),
        });
      }
    }
    const targetSpec = ctx.specOf(target);
    if (targetSpec && configs.has(target.id)) {
      const handles = targetSpec.inputHandles(configs.get(target.id));
      if (!handles.includes(edge.targetHandle)) {
        problem({
          code: 'invalid_target_handle',
          message:
            `it enters "${target.id}" at ${handleName(edge.targetHandle)}, which that node does not have; ` +
            `its inputs: ${handleList(handles)}`,
          edgeId: edge.id,
          path: edgePath('targetHandle'),
        });
      }
    }
    next.get(source.id)?.push(target.id);
    prev.get(target.id)?.push(source.id);
  }
  return { next, prev };
}

/** Reachability of the top level from the start node (skipped when parts of the input are lost). */
export function checkReachability(
  ctx: Context,
  startNode: WorkflowNode | undefined,
  next: Map<string, string[]>,
): void {
  if (!startNode || ctx.nodesLost || ctx.edgesLost) return;
  const reached = new Set<string>([startNode.id]);
  const queue = [startNode.id];
  while (queue.length > 0) {
    for (const to of next.get(queue.shift() as string) ?? []) {
      if (!reached.has(to)) {
        reached.add(to);
        queue.push(to);
      }
    }
  }
  for (const entry of ctx.nodes) {
    const node = entry.value;
    if (node.parentId !== undefined || reached.has(node.id) || ctx.isStart(node)) continue;
    ctx.problem({
      code: 'unreachable',
      message: 'no path of edges leads here from the start node',
      nodeId: node.id,
      path: ctx.nodePath(entry),
    });
  }
}
