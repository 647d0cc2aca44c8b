// The canvas's "Auto layout": arranges the graph left to right with dagre. Each loop's body is laid
// out on its own first (innermost loops first), inside its container and below its header, so
// children stay in their loop with positions relative to it; then the top level is laid out with
// every loop at the size its body now needs, keeping the graph's top-left corner where it was.
import dagre from '@dagrejs/dagre';
import type { WorkflowDefinition, WorkflowEdge, WorkflowNode } from '@/workflows/dsl/definition';
import type { NodeTypeInfo } from '@/workflows/dsl/inspection-types';
import {
  containerSize,
  LOOP_HEADER,
  LOOP_MIN_SIZE,
  LOOP_PADDING,
  type Point,
  type Size,
  sizeOrEstimate,
} from './canvas-geometry';
import { moveNodes } from './definition-edits';
import { isContainerType, validParents } from './flow-conversion';

const NODE_GAP = 40;
const RANK_GAP = 90;

/** Top-left positions for one level's nodes, ranked along their edges from left to right. */
function layoutLevel(
  nodes: WorkflowNode[],
  edges: WorkflowEdge[],
  sizes: Map<string, Size>,
): Map<string, Point> {
  const graph = new dagre.graphlib.Graph({ multigraph: true });
  graph.setGraph({ rankdir: 'LR', nodesep: NODE_GAP, ranksep: RANK_GAP, marginx: 0, marginy: 0 });
  graph.setDefaultEdgeLabel(() => ({}));
  const ids = new Set(nodes.map((n) => n.id));
  for (const node of nodes) graph.setNode(node.id, { ...(sizes.get(node.id) ?? LOOP_MIN_SIZE) });
  for (const edge of edges) {
    if (ids.has(edge.source) && ids.has(edge.target)) graph.setEdge(edge.source, edge.target, {}, edge.id);
  }
  dagre.layout(graph);
  const positions = new Map<string, Point>();
  for (const node of nodes) {
    // dagre places centres; React Flow positions are top-left corners.
    const { x, y, width, height } = graph.node(node.id);
    positions.set(node.id, { x: x - width / 2, y: y - height / 2 });
  }
  return positions;
}

/** Moves `positions` so that their top-left-most corner lands on `origin`. */
function anchor(positions: Map<string, Point>, origin: Point): Map<string, Point> {
  const points = [...positions.values()];
  if (points.length === 0) return positions;
  const dx = origin.x - Math.min(...points.map((p) => p.x));
  const dy = origin.y - Math.min(...points.map((p) => p.y));
  return new Map([...positions].map(([id, p]) => [id, { x: p.x + dx, y: p.y + dy }]));
}

/**
 * The definition with every node laid out. `measured` holds the sizes the browser measured (missing
 * ones are estimated).
 */
export function autoLayout(
  definition: WorkflowDefinition,
  types: ReadonlyMap<string, NodeTypeInfo>,
  measured: ReadonlyMap<string, Partial<Size> | undefined>,
): WorkflowDefinition {
  if (definition.nodes.length === 0) return definition;
  const parents = validParents(definition, types);
  const levels = new Map<string, WorkflowNode[]>();
  for (const node of definition.nodes) {
    const level = parents.get(node.id) ?? '';
    const list = levels.get(level);
    if (list) list.push(node);
    else levels.set(level, [node]);
  }
  const depth = (id: string) => {
    let d = 0;
    for (let p = parents.get(id); p !== undefined; p = parents.get(p)) d++;
    return d;
  };
  const sizes = new Map<string, Size>();
  for (const node of definition.nodes) {
    if (!isContainerType(node.type, types)) sizes.set(node.id, sizeOrEstimate(measured.get(node.id)));
  }
  const positions = new Map<string, Point>();
  const containers = definition.nodes
    .filter((n) => isContainerType(n.type, types))
    .sort((a, b) => depth(b.id) - depth(a.id));
  for (const container of containers) {
    const body = levels.get(container.id) ?? [];
    const placed = anchor(layoutLevel(body, definition.edges, sizes), { x: LOOP_PADDING, y: LOOP_HEADER });
    for (const [id, p] of placed) positions.set(id, p);
    sizes.set(
      container.id,
      containerSize(
        body.map((n) => ({ position: placed.get(n.id) as Point, size: sizes.get(n.id) as Size })),
      ),
    );
  }
  const top = levels.get('') ?? [];
  const origin = {
    x: Math.min(...top.map((n) => n.position.x)),
    y: Math.min(...top.map((n) => n.position.y)),
  };
  const placed = anchor(layoutLevel(top, definition.edges, sizes), top.length ? origin : { x: 0, y: 0 });
  for (const [id, p] of placed) positions.set(id, p);
  return moveNodes(definition, positions);
}
