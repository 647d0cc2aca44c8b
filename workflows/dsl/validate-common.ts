// What the parts of definition validation share: the `Problem` they report, the context they
// read (parsed nodes and edges, node specs, parsed configs) and small helpers for paths and messages.
import type { z } from 'zod';
import type { WorkflowEdge, WorkflowNode } from '@/workflows/dsl/definition';
import type { AnyNodeSpec } from '@/workflows/nodes';

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

/** A parsed node or edge and its position in the input's array. */
export interface Entry<T> {
  value: T;
  index: number;
}

export type Path = (string | number)[];

/** The nodes and edges that parsed, and how much of the input is missing from them. */
export interface Document {
  nodes: Entry<WorkflowNode>[];
  edges: Entry<WorkflowEdge>[];
  /** Ids of nodes that exist in the input but did not parse: references to them are not reported. */
  dropped: Set<string>;
  /**
   * Whether nodes or edges that did not parse are missing from the analysis, which makes "there is
   * no start node" or "nothing leads here" unreliable.
   */
  nodesLost: boolean;
  edgesLost: boolean;
}

/** What every check reads, and where it reports. */
export interface Context extends Document {
  catalog: Record<string, AnyNodeSpec>;
  byId: Map<string, Entry<WorkflowNode>>;
  /** Configs that passed their node's schema, parsed (defaults filled in), by node id. */
  configs: Map<string, unknown>;
  problem(p: Problem): void;
  nodePath(e: Entry<WorkflowNode>, ...rest: Path): Path;
  specOf(node: WorkflowNode): AnyNodeSpec | undefined;
  isStart(node: WorkflowNode): boolean;
}

export function createContext(
  doc: Document,
  catalog: Record<string, AnyNodeSpec>,
  problems: Problem[],
): Context {
  const specOf = (node: WorkflowNode): AnyNodeSpec | undefined =>
    Object.hasOwn(catalog, node.type) ? catalog[node.type] : undefined;
  return {
    ...doc,
    catalog,
    byId: new Map(doc.nodes.map((e) => [e.value.id, e])),
    configs: new Map<string, unknown>(),
    problem: (p) => problems.push(p),
    nodePath: (e, ...rest) => ['nodes', e.index, ...rest],
    specOf,
    isStart: (node) => node.type === 'start' || specOf(node)?.execution === 'start',
  };
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function toPath(path: readonly PropertyKey[]): Path {
  return path.map((k) => (typeof k === 'symbol' ? String(k) : k));
}

export function valueAt(root: unknown, path: Path): unknown {
  let current = root;
  for (const key of path) {
    if (Array.isArray(current) && typeof key === 'number') current = current[key];
    else if (isPlainObject(current) && Object.hasOwn(current, String(key))) current = current[String(key)];
    else return undefined;
  }
  return current;
}

/** "url is required" / "cases.0.id: duplicate case id" — the field, then what is wrong with it. */
export function issueMessage(issue: z.core.$ZodIssue, root: unknown, label: (path: Path) => string): string {
  const path = toPath(issue.path);
  const field = label(path);
  const missing = valueAt(root, path) === undefined;
  if (missing && (issue.code === 'invalid_type' || issue.message === 'is required'))
    return `${field} is required`;
  return `${field}: ${issue.message}`;
}

export function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}
