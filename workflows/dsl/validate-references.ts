// Definition validation of `{{references}}` in node configs: works out what each node may
// reference (nodes upstream at its level, its enclosing loops' variables and whatever is upstream
// of those loops) and reports references to unknown nodes or to nodes that do not run before it.
import type { WorkflowNode } from '@/workflows/dsl/definition';
import { findReferences, isSpecialRoot, type Reference } from '@/workflows/dsl/references';
import { type Context, type Entry, isPlainObject, type Problem } from '@/workflows/dsl/validate-common';
import { LOOP_VARIABLES } from '@/workflows/nodes/loop';
import type { ValueType } from '@/workflows/nodes/node-spec';

/** Loop config fields resolved per iteration, and what they may reference besides upstream nodes. */
const LOOP_OWN_FIELDS: Record<string, { vars: boolean; body: boolean }> = {
  // Collected per iteration from the body's outputs.
  output: { vars: true, body: true },
  // Tested before each iteration, in the loop's enclosing scope plus its variables.
  condition: { vars: true, body: false },
};

/** What the graph checks found that reference checks need. */
export interface Graph {
  /** Each node's valid parent loop. */
  validParent: Map<string, string>;
  /** Node ids by the nodes that lead to them. */
  prev: Map<string, string[]>;
  startNode: WorkflowNode | undefined;
}

/** Questions about what runs before what, answered from the graph. */
export interface Scope {
  /** The loops around a node, innermost first. */
  enclosingLoops(id: string): string[];
  /** Whether `targetId` runs before `id`, at its level or before one of its enclosing loops. */
  isUpstream(id: string, targetId: string): boolean;
  /** The variables a loop provides while it runs, with their types. */
  loopVariables(loopId: string): Record<string, ValueType>;
  /** The node a reference's root names (`start` names the start node). */
  targetOf(root: string): WorkflowNode | undefined;
}

export function createScope(ctx: Context, graph: Graph): Scope {
  const { validParent, prev, startNode } = graph;
  const ancestorCache = new Map<string, Set<string>>();
  const ancestors = (id: string): Set<string> => {
    const cached = ancestorCache.get(id);
    if (cached) return cached;
    const found = new Set<string>();
    const queue = [...(prev.get(id) ?? [])];
    while (queue.length > 0) {
      const p = queue.pop() as string;
      if (found.has(p)) continue;
      found.add(p);
      queue.push(...(prev.get(p) ?? []));
    }
    ancestorCache.set(id, found);
    return found;
  };
  const enclosingLoops = (id: string): string[] => {
    const loops: string[] = [];
    for (let p = validParent.get(id); p !== undefined; p = validParent.get(p)) loops.push(p);
    return loops;
  };
  return {
    enclosingLoops,
    isUpstream: (id, targetId) => [id, ...enclosingLoops(id)].some((level) => ancestors(level).has(targetId)),
    loopVariables: (loopId) => {
      const config = ctx.configs.get(loopId);
      const mode = isPlainObject(config) ? config.mode : undefined;
      if (mode === 'for-each' || mode === 'while') return LOOP_VARIABLES[mode];
      // Config invalid (already reported): accept any variable rather than pile up problems.
      return { ...LOOP_VARIABLES['for-each'], ...LOOP_VARIABLES.while };
    },
    targetOf: (root) => ctx.byId.get(root)?.value ?? (root === 'start' ? startNode : undefined),
  };
}

/** Why the reference is not allowed in `node`'s config, or null when it is fine. */
function referenceProblem(
  ctx: Context,
  scope: Scope,
  node: WorkflowNode,
  ref: Omit<Reference, 'at'>,
  field: unknown,
): Problem | null {
  const { enclosingLoops } = scope;
  const fail = (code: string, message: string): Problem => ({ code, message, nodeId: node.id, path: [] });
  if (isSpecialRoot(ref.root) && ref.root !== 'start') return null;
  const target = scope.targetOf(ref.root);
  if (!target) {
    if (ctx.dropped.has(ref.root)) return null;
    return ref.root === 'start'
      ? fail('unknown_reference', `${ref.raw} needs a start node`)
      : fail('unknown_reference', `${ref.raw} refers to "${ref.root}", which is not a node of this workflow`);
  }
  const variable = ref.path[0];
  const checkVariable = (loopId: string): Problem | null => {
    const vars = scope.loopVariables(loopId);
    if (variable === undefined || Object.hasOwn(vars, variable)) return null;
    return fail(
      'reference_not_upstream',
      `${ref.raw}: loop "${loopId}" only provides ${Object.keys(vars).join(' and ')} while it runs`,
    );
  };
  if (ctx.isStart(target) && target.parentId === undefined) {
    const config = ctx.configs.get(target.id);
    const inputs = isPlainObject(config) && Array.isArray(config.inputs) ? config.inputs : undefined;
    if (variable !== undefined && inputs && !inputs.some((i) => isPlainObject(i) && i.name === variable)) {
      return fail('unknown_reference', `${ref.raw}: the start node has no input "${variable}"`);
    }
    return null;
  }
  if (target.id === node.id) {
    const own = node.type === 'loop' && typeof field === 'string' ? LOOP_OWN_FIELDS[field] : undefined;
    if (own?.vars) return checkVariable(node.id);
    return fail('reference_not_upstream', `${ref.raw}: a node cannot use its own output`);
  }
  if (enclosingLoops(node.id).includes(target.id)) return checkVariable(target.id);
  if (node.type === 'loop' && typeof field === 'string' && LOOP_OWN_FIELDS[field]?.body) {
    if (enclosingLoops(target.id).includes(node.id)) return null;
  }
  if (scope.isUpstream(node.id, target.id)) return null;
  const inner = enclosingLoops(target.id)[0];
  let hint = '';
  if (inner === node.id) {
    hint = ` (the condition is tested before the body runs: use {{${node.id}.previous}})`;
  } else if (inner && !enclosingLoops(node.id).includes(inner)) {
    hint = ` (it is inside loop "${inner}": use that loop's results)`;
  }
  return fail(
    'reference_not_upstream',
    `${ref.raw} refers to "${target.id}", which does not run before this node${hint}`,
  );
}

/** Reports every reference in the node's config that it may not use. */
export function checkReferences(ctx: Context, scope: Scope, entry: Entry<WorkflowNode>): void {
  const node = entry.value;
  for (const ref of findReferences(node.config)) {
    const found = referenceProblem(ctx, scope, node, ref, ref.at[0]);
    if (found) ctx.problem({ ...found, path: ctx.nodePath(entry, 'config', ...ref.at) });
  }
}
