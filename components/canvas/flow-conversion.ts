// Turns a workflow definition (plus what the server inspected and the live run statuses) into the
// nodes and edges React Flow renders. The canvas re-runs this on every edit, so it reuses the
// previous object of every node and edge whose rendering inputs did not change: React Flow and the
// memoised node components then skip them, which keeps a 300-node graph cheap to update.
import type { Edge, EdgeMarker, Node } from '@xyflow/react';
import { ERROR_HANDLE, type WorkflowDefinition, type WorkflowNode } from '@/workflows/dsl/definition';
import type { DefinitionInspection, NodeRunStatus, NodeTypeInfo } from '@/workflows/dsl/inspection-types';
import { containerSize, type Size, sizeOrEstimate } from './canvas-geometry';

export type FlowNodeData = {
  title: string;
  /** The workflow node type (`llm`, `condition`, …). */
  type: string;
  /** The type's human name ("LLM"); the type itself when the catalog does not know it. */
  typeTitle: string;
  icon: string;
  summary: string;
  inputHandles: (string | null)[];
  outputHandles: (string | null)[];
  problemCount: number;
  status: NodeRunStatus | null;
  /** Loops only (0 otherwise): the smallest size that still holds the children. */
  minWidth: number;
  minHeight: number;
};

/** `loop` renders a container (any catalog type with `container: true`), `step` a node card. */
export type FlowNode = Node<FlowNodeData, 'step' | 'loop'>;
export type FlowEdge = Edge;

export interface FlowNodesInput {
  definition: WorkflowDefinition;
  types: ReadonlyMap<string, NodeTypeInfo>;
  inspection: DefinitionInspection | null;
  statuses?: Readonly<Record<string, NodeRunStatus>>;
  /** Sizes builders gave loops by resizing them (never smaller than their children need). */
  loopSizes?: Readonly<Record<string, Size>>;
  /** When set, exactly these nodes are selected; otherwise each node keeps its previous selection. */
  selection?: ReadonlySet<string> | null;
}

export interface NodeHandles {
  inputs: (string | null)[];
  outputs: (string | null)[];
}

/**
 * A node's handles as the server inspected them. Until the inspection of a new node arrives, a
 * guess: one default handle each way (none into a start node, none out of an end node), plus the
 * error handle when the node's errors take the error branch.
 */
export function handlesOf(node: WorkflowNode, inspection: DefinitionInspection | null): NodeHandles {
  const inspected = inspection?.nodes[node.id];
  if (inspected) return { inputs: inspected.inputHandles, outputs: inspected.outputHandles };
  const outputs: (string | null)[] = node.type === 'end' ? [] : [null];
  if (node.error?.onError === 'error-branch') outputs.push(ERROR_HANDLE);
  return { inputs: node.type === 'start' ? [] : [null], outputs };
}

export function isContainerType(type: string, types: ReadonlyMap<string, NodeTypeInfo>): boolean {
  return types.get(type)?.container ?? type === 'loop';
}

/**
 * Each node's parent when it is valid for rendering: it exists, is a container, and the nesting
 * does not go round. Anything else is drawn at the top level (the validator reports it).
 */
export function validParents(
  definition: WorkflowDefinition,
  types: ReadonlyMap<string, NodeTypeInfo>,
): Map<string, string> {
  const byId = new Map(definition.nodes.map((n) => [n.id, n]));
  const parents = new Map<string, string>();
  for (const node of definition.nodes) {
    const parent = node.parentId === undefined ? undefined : byId.get(node.parentId);
    if (parent && parent.id !== node.id && isContainerType(parent.type, types))
      parents.set(node.id, parent.id);
  }
  for (const node of definition.nodes) {
    const seen = new Set([node.id]);
    for (let p = parents.get(node.id); p !== undefined; p = parents.get(p)) {
      if (seen.has(p)) {
        parents.delete(node.id);
        break;
      }
      seen.add(p);
    }
  }
  return parents;
}

function depthOf(id: string, parents: Map<string, string>): number {
  let depth = 0;
  for (let p = parents.get(id); p !== undefined; p = parents.get(p)) depth++;
  return depth;
}

const sameHandles = (a: (string | null)[], b: (string | null)[]) =>
  a.length === b.length && a.every((h, i) => h === b[i]);

function sameData(a: FlowNodeData, b: FlowNodeData): boolean {
  return (
    a.title === b.title &&
    a.type === b.type &&
    a.typeTitle === b.typeTitle &&
    a.icon === b.icon &&
    a.summary === b.summary &&
    a.problemCount === b.problemCount &&
    a.status === b.status &&
    a.minWidth === b.minWidth &&
    a.minHeight === b.minHeight &&
    sameHandles(a.inputHandles, b.inputHandles) &&
    sameHandles(a.outputHandles, b.outputHandles)
  );
}

export function toFlowNodes(input: FlowNodesInput, previous: readonly FlowNode[]): FlowNode[] {
  const { definition, types, inspection, statuses, loopSizes, selection } = input;
  const prevById = new Map(previous.map((n) => [n.id, n]));
  const parents = validParents(definition, types);
  const children = new Map<string, WorkflowNode[]>();
  for (const node of definition.nodes) {
    const parent = parents.get(node.id);
    if (parent === undefined) continue;
    const siblings = children.get(parent);
    if (siblings) siblings.push(node);
    else children.set(parent, [node]);
  }
  const problemCounts = new Map<string, number>();
  for (const problem of inspection?.problems ?? []) {
    if (problem.nodeId) problemCounts.set(problem.nodeId, (problemCounts.get(problem.nodeId) ?? 0) + 1);
  }

  // A loop is as large as its children need (nested loops first), or as its builder made it.
  const fitted = new Map<string, Size>();
  const fittedSize = (id: string): Size => {
    const known = fitted.get(id);
    if (known) return known;
    const size = containerSize(
      (children.get(id) ?? []).map((child) => ({
        position: child.position,
        size: isContainerType(child.type, types)
          ? displayedSize(child.id)
          : sizeOrEstimate(prevById.get(child.id)?.measured),
      })),
    );
    fitted.set(id, size);
    return size;
  };
  const displayedSize = (id: string): Size => {
    const fit = fittedSize(id);
    const chosen = loopSizes?.[id];
    return chosen
      ? { width: Math.max(fit.width, chosen.width), height: Math.max(fit.height, chosen.height) }
      : fit;
  };

  // React Flow needs parents before their children, and draws earlier nodes below later ones: so
  // by depth, and loops before the other nodes of their level, so a loop's body never hides a node
  // it overlaps. Sort is stable: otherwise the definition's order stays.
  const rank = new Map(
    definition.nodes.map((n) => [
      n.id,
      depthOf(n.id, parents) * 2 + (isContainerType(n.type, types) ? 0 : 1),
    ]),
  );
  const ordered = [...definition.nodes].sort((a, b) => (rank.get(a.id) ?? 0) - (rank.get(b.id) ?? 0));

  return ordered.map((node) => {
    const prev = prevById.get(node.id);
    const info = types.get(node.type);
    const container = isContainerType(node.type, types);
    const handles = handlesOf(node, inspection);
    const fit = container ? fittedSize(node.id) : undefined;
    const candidate: FlowNodeData = {
      title: node.title || info?.title || node.id,
      type: node.type,
      typeTitle: info?.title ?? node.type,
      icon: info?.icon ?? '',
      summary: inspection?.nodes[node.id]?.summary ?? '',
      inputHandles: handles.inputs,
      outputHandles: handles.outputs,
      problemCount: problemCounts.get(node.id) ?? 0,
      status: statuses?.[node.id] ?? null,
      minWidth: fit?.width ?? 0,
      minHeight: fit?.height ?? 0,
    };
    const data = prev && sameData(prev.data, candidate) ? prev.data : candidate;
    // While the pointer drags or resizes a node, its live geometry is the canvas's, not the
    // definition's (which only learns the result when the gesture ends).
    const live = prev?.dragging || prev?.resizing;
    const position = live && prev ? prev.position : node.position;
    const size = container
      ? live && prev?.width
        ? { width: prev.width, height: prev.height ?? 0 }
        : displayedSize(node.id)
      : undefined;
    const parentId = parents.get(node.id);
    const selected = selection ? selection.has(node.id) : (prev?.selected ?? false);
    const ariaLabel = `${data.title} (${data.typeTitle})`;
    const flowType = container ? 'loop' : 'step';
    const deletable = node.type !== 'start';

    if (
      prev &&
      prev.type === flowType &&
      prev.data === data &&
      prev.position.x === position.x &&
      prev.position.y === position.y &&
      prev.parentId === parentId &&
      prev.width === size?.width &&
      prev.height === size?.height &&
      (prev.selected ?? false) === selected &&
      prev.deletable === deletable &&
      prev.ariaLabel === ariaLabel
    ) {
      return prev;
    }
    const next: FlowNode = { id: node.id, type: flowType, position, data, selected, deletable, ariaLabel };
    if (parentId !== undefined) {
      next.parentId = parentId;
      next.extent = 'parent';
    }
    if (size) {
      next.width = size.width;
      next.height = size.height;
    }
    // Keep what React Flow measured, or it would treat the node as new and measure it again.
    if (prev?.measured) next.measured = prev.measured;
    if (prev?.dragging) next.dragging = prev.dragging;
    if (prev?.resizing) next.resizing = prev.resizing;
    return next;
  });
}

// Edges of the error branch are drawn red, arrowhead included (the rest use the canvas's default).
const ERROR_MARKER = { type: 'arrowclosed', color: '#c8322b' } as EdgeMarker;

export function toFlowEdges(definition: WorkflowDefinition, previous: readonly FlowEdge[]): FlowEdge[] {
  const prevById = new Map(previous.map((e) => [e.id, e]));
  const nodeIds = new Set(definition.nodes.map((n) => n.id));
  const edges: FlowEdge[] = [];
  for (const edge of definition.edges) {
    // A dangling edge cannot be drawn; the problems list names it.
    if (!nodeIds.has(edge.source) || !nodeIds.has(edge.target)) continue;
    const prev = prevById.get(edge.id);
    const className = edge.sourceHandle === ERROR_HANDLE ? 'wf-edge-error' : undefined;
    if (
      prev &&
      prev.source === edge.source &&
      prev.target === edge.target &&
      (prev.sourceHandle ?? null) === edge.sourceHandle &&
      (prev.targetHandle ?? null) === edge.targetHandle &&
      prev.className === className
    ) {
      edges.push(prev);
      continue;
    }
    const next: FlowEdge = {
      id: edge.id,
      source: edge.source,
      target: edge.target,
      sourceHandle: edge.sourceHandle,
      targetHandle: edge.targetHandle,
      selected: prev?.selected ?? false,
    };
    if (className) {
      next.className = className;
      next.markerEnd = ERROR_MARKER;
    }
    edges.push(next);
  }
  return edges;
}
