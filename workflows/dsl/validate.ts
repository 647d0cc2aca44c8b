// Validates a workflow definition against the node catalog before it is run or published, and
// reports every problem at once (the studio shows them all on the canvas): the document's shape,
// then the graph (start and terminal nodes, loops, edges and their handles, cycles, reachability),
// node configs, and `{{references}}` (which must point upstream, with known types where it matters).
import type { z } from 'zod';
import {
  definitionSchema,
  ERROR_HANDLE,
  edgeSchema,
  nodeSchema,
  type WorkflowDefinition,
  type WorkflowEdge,
  type WorkflowNode,
} from '@/workflows/dsl/definition';
import {
  findReferences,
  isSpecialRoot,
  parseSingleReference,
  type Reference,
} from '@/workflows/dsl/references';
import type { AnyNodeSpec } from '@/workflows/nodes';
import { LOOP_VARIABLES } from '@/workflows/nodes/loop';
import type { ValueType } from '@/workflows/nodes/node-spec';

/**
 * One thing wrong with a definition. Messages do not repeat `nodeId` (callers show it) but name
 * any other node involved. Codes: invalid_shape, reserved_node_id, unknown_node_type,
 * invalid_config, invalid_parent, missing_start, multiple_start, misplaced_start,
 * missing_terminal, dangling_edge, edge_crosses_loop, invalid_source_handle,
 * invalid_target_handle, cycle, unreachable, unknown_reference, reference_not_upstream,
 * type_mismatch.
 */
export interface Problem {
  code: string;
  message: string;
  nodeId?: string;
  edgeId?: string;
  path: (string | number)[];
}

export interface ValidationResult {
  ok: boolean;
  /**
   * Present when the document's shape is valid (even if the graph has problems); node configs
   * that pass their schema are replaced by the parsed config, with defaults filled in.
   */
  definition?: WorkflowDefinition;
  problems: Problem[];
}

/**
 * Config fields whose value must have a certain type. When such a field is exactly one reference
 * and the referenced output's type is known, a mismatch is reported before the run fails on it.
 */
export const TYPED_FIELDS: { nodeType: string; path: string[]; expected: ValueType }[] = [
  { nodeType: 'loop', path: ['items'], expected: 'array' },
  { nodeType: 'delay', path: ['ms'], expected: 'number' },
];

/** Loop config fields resolved per iteration, and what they may reference besides upstream nodes. */
const LOOP_OWN_FIELDS: Record<string, { vars: boolean; body: boolean }> = {
  // Collected per iteration from the body's outputs.
  output: { vars: true, body: true },
  // Tested before each iteration, in the loop's enclosing scope plus its variables.
  condition: { vars: true, body: false },
};

interface Entry<T> {
  value: T;
  index: number;
}

type Path = (string | number)[];

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function toPath(path: readonly PropertyKey[]): Path {
  return path.map((k) => (typeof k === 'symbol' ? String(k) : k));
}

function valueAt(root: unknown, path: Path): unknown {
  let current = root;
  for (const key of path) {
    if (Array.isArray(current) && typeof key === 'number') current = current[key];
    else if (isPlainObject(current) && Object.hasOwn(current, String(key))) current = current[String(key)];
    else return undefined;
  }
  return current;
}

/** "url is required" / "cases.0.id: duplicate case id" — the field, then what is wrong with it. */
function issueMessage(issue: z.core.$ZodIssue, root: unknown, label: (path: Path) => string): string {
  const path = toPath(issue.path);
  const field = label(path);
  const missing = valueAt(root, path) === undefined;
  if (missing && (issue.code === 'invalid_type' || issue.message === 'is required'))
    return `${field} is required`;
  return `${field}: ${issue.message}`;
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function literalType(value: unknown): ValueType | undefined {
  if (value === undefined) return undefined;
  if (value === null) return 'any';
  if (Array.isArray(value)) return 'array';
  const t = typeof value;
  if (t === 'string' || t === 'number' || t === 'boolean' || t === 'object') return t;
  return undefined;
}

function handleName(handle: string | null): string {
  return handle === null ? 'the default handle' : `"${handle}"`;
}

function handleList(handles: (string | null)[]): string {
  return handles.length === 0 ? 'none' : handles.map(handleName).join(', ');
}

/** Strongly connected components with more than one node, or with a self-edge: the cycles. */
function cycles(ids: string[], next: Map<string, string[]>): string[][] {
  const prev = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const [from, tos] of next) for (const to of tos) prev.get(to)?.push(from);
  // Kosaraju, iteratively so that long chains cannot overflow the stack.
  const order: string[] = [];
  const seen = new Set<string>();
  for (const root of ids) {
    if (seen.has(root)) continue;
    seen.add(root);
    const stack: { id: string; i: number }[] = [{ id: root, i: 0 }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as { id: string; i: number };
      const out = next.get(top.id) ?? [];
      if (top.i < out.length) {
        const child = out[top.i++] as string;
        if (!seen.has(child)) {
          seen.add(child);
          stack.push({ id: child, i: 0 });
        }
      } else {
        order.push(top.id);
        stack.pop();
      }
    }
  }
  const assigned = new Set<string>();
  const found: string[][] = [];
  for (const root of order.reverse()) {
    if (assigned.has(root)) continue;
    const component: string[] = [];
    const stack = [root];
    assigned.add(root);
    while (stack.length > 0) {
      const id = stack.pop() as string;
      component.push(id);
      for (const p of prev.get(id) ?? []) {
        if (!assigned.has(p)) {
          assigned.add(p);
          stack.push(p);
        }
      }
    }
    const only = component[0] as string;
    if (component.length > 1 || (next.get(only) ?? []).includes(only)) found.push(component);
  }
  return found;
}

/** Keeps what parses of a document that does not, so graph problems can be reported too. */
function salvage(input: unknown): {
  nodes: Entry<WorkflowNode>[];
  edges: Entry<WorkflowEdge>[];
  dropped: Set<string>;
  nodesLost: boolean;
  edgesLost: boolean;
  duplicates: Problem[];
} | null {
  if (!isPlainObject(input) || !Array.isArray(input.nodes)) return null;
  const nodes: Entry<WorkflowNode>[] = [];
  const edges: Entry<WorkflowEdge>[] = [];
  const dropped = new Set<string>();
  const duplicates: Problem[] = [];
  const nodeIds = new Set<string>();
  let nodesLost = false;
  let edgesLost = !Array.isArray(input.edges);
  input.nodes.forEach((raw: unknown, index) => {
    const parsed = nodeSchema.safeParse(raw);
    if (!parsed.success) {
      nodesLost = true;
      const id = isPlainObject(raw) ? raw.id : undefined;
      if (typeof id === 'string') dropped.add(id);
    } else if (nodeIds.has(parsed.data.id)) {
      const message = `duplicate node id "${parsed.data.id}"`;
      duplicates.push({
        code: 'invalid_shape',
        message,
        path: ['nodes', index, 'id'],
        nodeId: parsed.data.id,
      });
    } else {
      nodeIds.add(parsed.data.id);
      nodes.push({ value: parsed.data, index });
    }
  });
  const edgeIds = new Set<string>();
  const rawEdges: unknown[] = Array.isArray(input.edges) ? input.edges : [];
  rawEdges.forEach((raw, index) => {
    const parsed = edgeSchema.safeParse(raw);
    if (!parsed.success) {
      edgesLost = true;
    } else if (edgeIds.has(parsed.data.id)) {
      const message = `duplicate edge id "${parsed.data.id}"`;
      duplicates.push({
        code: 'invalid_shape',
        message,
        path: ['edges', index, 'id'],
        edgeId: parsed.data.id,
      });
    } else {
      edgeIds.add(parsed.data.id);
      edges.push({ value: parsed.data, index });
    }
  });
  for (const id of nodeIds) dropped.delete(id);
  return { nodes, edges, dropped, nodesLost, edgesLost, duplicates };
}

export function validateDefinition(input: unknown, catalog: Record<string, AnyNodeSpec>): ValidationResult {
  const problems: Problem[] = [];
  const parsed = definitionSchema.safeParse(input);
  let nodes: Entry<WorkflowNode>[];
  let edges: Entry<WorkflowEdge>[];
  // Ids of nodes that exist in the input but did not parse: references to them are not reported.
  let dropped = new Set<string>();
  // Whether nodes or edges that did not parse are missing from the analysis, which makes "there is
  // no start node" or "nothing leads here" unreliable.
  let nodesLost = false;
  let edgesLost = false;

  if (parsed.success) {
    nodes = parsed.data.nodes.map((value, index) => ({ value, index }));
    edges = parsed.data.edges.map((value, index) => ({ value, index }));
  } else {
    for (const issue of parsed.error.issues) {
      const path = toPath(issue.path);
      const problem: Problem = {
        code: 'invalid_shape',
        message: issueMessage(issue, input, (p) => p.join('.') || 'definition'),
        path,
      };
      const rawId = valueAt(input, [...path.slice(0, 2), 'id']);
      if (path[0] === 'nodes' && typeof path[1] === 'number' && typeof rawId === 'string')
        problem.nodeId = rawId;
      if (path[0] === 'edges' && typeof path[1] === 'number' && typeof rawId === 'string')
        problem.edgeId = rawId;
      problems.push(problem);
    }
    const kept = salvage(input);
    if (!kept) return { ok: false, problems };
    for (const dup of kept.duplicates) {
      // The schema reports duplicates itself when the rest of the document is well-formed.
      if (!problems.some((p) => p.message === dup.message && p.path.join('.') === dup.path.join('.'))) {
        problems.push(dup);
      }
    }
    ({ nodes, edges, dropped, nodesLost, edgesLost } = kept);
  }

  const byId = new Map(nodes.map((e) => [e.value.id, e]));
  const configs = new Map<string, unknown>();
  const problem = (p: Problem) => problems.push(p);
  const nodePath = (e: Entry<WorkflowNode>, ...rest: Path): Path => ['nodes', e.index, ...rest];
  const specOf = (node: WorkflowNode): AnyNodeSpec | undefined =>
    Object.hasOwn(catalog, node.type) ? catalog[node.type] : undefined;
  const isStart = (node: WorkflowNode) => node.type === 'start' || specOf(node)?.execution === 'start';

  // Node types, configs and reserved ids.
  for (const entry of nodes) {
    const node = entry.value;
    if (isSpecialRoot(node.id) && !(node.id === 'start' && isStart(node))) {
      problem({
        code: 'reserved_node_id',
        message: `the id "${node.id}" is reserved for {{${node.id}.…}} references`,
        nodeId: node.id,
        path: nodePath(entry, 'id'),
      });
    }
    const spec = specOf(node);
    if (!spec) {
      problem({
        code: 'unknown_node_type',
        message: `unknown node type "${node.type}"`,
        nodeId: node.id,
        path: nodePath(entry, 'type'),
      });
      continue;
    }
    const result = spec.configSchema.safeParse(node.config);
    if (result.success) {
      configs.set(node.id, result.data);
      continue;
    }
    for (const issue of result.error.issues) {
      problem({
        code: 'invalid_config',
        message: issueMessage(issue, node.config, (p) => p.join('.') || 'config'),
        nodeId: node.id,
        path: nodePath(entry, 'config', ...toPath(issue.path)),
      });
    }
  }

  // Loop bodies: a node's parent must be an existing loop, and nesting must not go round.
  const validParent = new Map<string, string>();
  for (const entry of nodes) {
    const node = entry.value;
    if (node.parentId === undefined) continue;
    const parent = byId.get(node.parentId)?.value;
    let message: string | undefined;
    if (!parent) {
      if (!dropped.has(node.parentId)) message = `its parent "${node.parentId}" does not exist`;
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
  for (const entry of nodes) {
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
  const levelOf = (node: WorkflowNode) => node.parentId ?? '';

  // Start and terminal nodes.
  const starts = nodes.filter((e) => isStart(e.value));
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
  if (!startNode && !nodesLost) {
    problem({ code: 'missing_start', message: 'the workflow needs a start node', path: ['nodes'] });
  }
  const hasTerminal = nodes.some((e) => e.value.parentId === undefined && specOf(e.value)?.terminal);
  if (!hasTerminal && !nodesLost) {
    const names = Object.values(catalog)
      .filter((s) => s.terminal)
      .map((s) => s.type);
    problem({
      code: 'missing_terminal',
      message: `the workflow needs a final node (${names.join(' or ') || 'terminal'}) at the top level`,
      path: ['nodes'],
    });
  }

  // Edges: endpoints exist, stay within one level, and use handles the nodes have.
  const next = new Map<string, string[]>(nodes.map((e) => [e.value.id, []]));
  const prev = new Map<string, string[]>(nodes.map((e) => [e.value.id, []]));
  for (const { value: edge, index } of edges) {
    const edgePath = (...rest: Path): Path => ['edges', index, ...rest];
    const source = byId.get(edge.source)?.value;
    const target = byId.get(edge.target)?.value;
    for (const [end, id, node] of [
      ['source', edge.source, source],
      ['target', edge.target, target],
    ] as const) {
      if (!node && !dropped.has(id)) {
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
    const sourceSpec = specOf(source);
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
    const targetSpec = specOf(target);
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

  // Cycles, level by level: loops repeat through sub-graphs, never through back-edges.
  const levels = new Map<string, string[]>();
  for (const { value } of nodes) {
    const ids = levels.get(levelOf(value)) ?? [];
    ids.push(value.id);
    levels.set(levelOf(value), ids);
  }
  for (const ids of levels.values()) {
    for (const cycle of cycles(ids, next)) {
      const order = cycle.sort((a, b) => (byId.get(a)?.index ?? 0) - (byId.get(b)?.index ?? 0));
      const first = byId.get(order[0] as string) as Entry<WorkflowNode>;
      problem({
        code: 'cycle',
        message:
          order.length === 1
            ? 'it is connected to itself'
            : `nodes ${order.map((id) => `"${id}"`).join(', ')} form a cycle`,
        nodeId: first.value.id,
        path: nodePath(first),
      });
    }
  }

  // Reachability of the top level from the start node.
  if (startNode && !nodesLost && !edgesLost) {
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
    for (const entry of nodes) {
      const node = entry.value;
      if (node.parentId !== undefined || reached.has(node.id) || isStart(node)) continue;
      problem({
        code: 'unreachable',
        message: 'no path of edges leads here from the start node',
        nodeId: node.id,
        path: nodePath(entry),
      });
    }
  }

  // What a node may reference: nodes upstream at its level, then (for loop bodies) the enclosing
  // loop's variables and whatever is upstream of that loop, recursively.
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
  const isUpstream = (id: string, targetId: string): boolean =>
    [id, ...enclosingLoops(id)].some((level) => ancestors(level).has(targetId));
  const loopVariables = (loopId: string): Record<string, ValueType> => {
    const config = configs.get(loopId);
    const mode = isPlainObject(config) ? config.mode : undefined;
    if (mode === 'for-each' || mode === 'while') return LOOP_VARIABLES[mode];
    // Config invalid (already reported): accept any variable rather than pile up problems.
    return { ...LOOP_VARIABLES['for-each'], ...LOOP_VARIABLES.while };
  };
  const targetOf = (root: string): WorkflowNode | undefined =>
    byId.get(root)?.value ?? (root === 'start' ? startNode : undefined);

  /** Why the reference is not allowed in `node`'s config, or null when it is fine. */
  const referenceProblem = (
    node: WorkflowNode,
    ref: Omit<Reference, 'at'>,
    field: unknown,
  ): Problem | null => {
    const fail = (code: string, message: string): Problem => ({ code, message, nodeId: node.id, path: [] });
    if (isSpecialRoot(ref.root) && ref.root !== 'start') return null;
    const target = targetOf(ref.root);
    if (!target) {
      if (dropped.has(ref.root)) return null;
      return ref.root === 'start'
        ? fail('unknown_reference', `${ref.raw} needs a start node`)
        : fail(
            'unknown_reference',
            `${ref.raw} refers to "${ref.root}", which is not a node of this workflow`,
          );
    }
    const variable = ref.path[0];
    const checkVariable = (loopId: string): Problem | null => {
      const vars = loopVariables(loopId);
      if (variable === undefined || Object.hasOwn(vars, variable)) return null;
      return fail(
        'reference_not_upstream',
        `${ref.raw}: loop "${loopId}" only provides ${Object.keys(vars).join(' and ')} while it runs`,
      );
    };
    if (isStart(target) && target.parentId === undefined) {
      const config = configs.get(target.id);
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
    if (isUpstream(node.id, target.id)) return null;
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
  };

  // The type a single reference resolves to, when the catalog knows it.
  const referenceType = (node: WorkflowNode, ref: Omit<Reference, 'at'>): ValueType | undefined => {
    if (isSpecialRoot(ref.root) && ref.root !== 'start') return undefined;
    const target = targetOf(ref.root);
    if (!target) return undefined;
    if (target.id === node.id || enclosingLoops(node.id).includes(target.id)) {
      const variable = ref.path[0];
      if (ref.path.length === 0) return 'object';
      return ref.path.length === 1 && variable !== undefined ? loopVariables(target.id)[variable] : undefined;
    }
    if (ref.path.length === 0) return 'object';
    const spec = specOf(target);
    const variable = ref.path[0];
    if (!spec?.outputTypes || !configs.has(target.id) || ref.path.length !== 1 || variable === undefined) {
      return undefined;
    }
    const types = spec.outputTypes(configs.get(target.id));
    return Object.hasOwn(types, variable) ? types[variable] : undefined;
  };

  for (const entry of nodes) {
    const node = entry.value;
    for (const ref of findReferences(node.config)) {
      const found = referenceProblem(node, ref, ref.at[0]);
      if (found) problem({ ...found, path: nodePath(entry, 'config', ...ref.at) });
    }
    for (const typed of TYPED_FIELDS) {
      if (typed.nodeType !== node.type) continue;
      const value = valueAt(node.config, typed.path);
      const ref = parseSingleReference(value);
      const actual = ref ? referenceType(node, ref) : literalType(value);
      if (actual === undefined || actual === 'any' || actual === typed.expected) continue;
      // A literal of the wrong type in a config that failed its schema has been reported already.
      if (!ref && !configs.has(node.id)) continue;
      const what = ref ? `${ref.raw} is ${article(actual)}` : `it is ${article(actual)}`;
      problem({
        code: 'type_mismatch',
        message: `${typed.path.join('.')} must be ${article(typed.expected)}, but ${what}`,
        nodeId: node.id,
        path: nodePath(entry, 'config', ...typed.path),
      });
    }
  }

  const result: ValidationResult = { ok: problems.length === 0, problems };
  if (parsed.success) {
    result.definition = {
      ...parsed.data,
      nodes: parsed.data.nodes.map((node) => {
        const config = configs.get(node.id);
        return isPlainObject(config) ? { ...node, config } : node;
      }),
    };
  }
  return result;
}
