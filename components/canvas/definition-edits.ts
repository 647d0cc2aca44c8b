// The canvas's edits as pure functions from one definition to the next: add a node of a type,
// remove nodes and edges, move nodes. Nodes that an edit does not touch keep their object identity,
// so the flow conversion can tell cheaply what changed.
import type { WorkflowDefinition, WorkflowNode } from '@/workflows/dsl/definition';
import type { NodeTypeInfo } from '@/workflows/dsl/inspection-types';
import { type Point, roundPoint } from './canvas-geometry';
import { idSuffix, uniqueNodeId } from './node-ids';

/** A title for a new node: the type's title, numbered like its id ("LLM 2" for `llm_2`). */
export function titleFor(info: NodeTypeInfo, id: string): string {
  const n = idSuffix(id, info.type);
  return n === null ? info.title : `${info.title} ${n}`;
}

export function addNode(
  definition: WorkflowDefinition,
  info: NodeTypeInfo,
  position: Point,
  parentId?: string,
): { definition: WorkflowDefinition; id: string } {
  const id = uniqueNodeId(info.type, new Set(definition.nodes.map((n) => n.id)));
  const node: WorkflowNode = {
    id,
    type: info.type,
    title: titleFor(info, id),
    // A copy, so editing the new node's config can never reach the catalog's default.
    config: structuredClone(info.defaultConfig),
    position: roundPoint(position),
  };
  if (parentId !== undefined) node.parentId = parentId;
  return { definition: { ...definition, nodes: [...definition.nodes, node] }, id };
}

/** `ids` and every node nested inside them (a loop's body, at any depth). */
export function withDescendants(definition: WorkflowDefinition, ids: Iterable<string>): Set<string> {
  const result = new Set(ids);
  let grew = true;
  while (grew) {
    grew = false;
    for (const node of definition.nodes) {
      if (node.parentId !== undefined && result.has(node.parentId) && !result.has(node.id)) {
        result.add(node.id);
        grew = true;
      }
    }
  }
  return result;
}

/**
 * Removes the nodes (with their loop bodies and every edge touching them) and the edges. The start
 * node stays: a workflow cannot run without it.
 */
export function removeElements(
  definition: WorkflowDefinition,
  nodeIds: Iterable<string>,
  edgeIds: Iterable<string> = [],
): WorkflowDefinition {
  const starts = new Set(definition.nodes.filter((n) => n.type === 'start').map((n) => n.id));
  const removable = [...nodeIds].filter((id) => !starts.has(id));
  const nodes = withDescendants(definition, removable);
  for (const id of starts) nodes.delete(id);
  const edges = new Set(edgeIds);
  const keptNodes = definition.nodes.filter((n) => !nodes.has(n.id));
  const keptEdges = definition.edges.filter(
    (e) => !edges.has(e.id) && !nodes.has(e.source) && !nodes.has(e.target),
  );
  if (keptNodes.length === definition.nodes.length && keptEdges.length === definition.edges.length) {
    return definition;
  }
  return {
    ...definition,
    nodes: keptNodes.length === definition.nodes.length ? definition.nodes : keptNodes,
    edges: keptEdges.length === definition.edges.length ? definition.edges : keptEdges,
  };
}

/** Puts nodes at new positions (rounded to whole pixels); unchanged when nothing moves. */
export function moveNodes(
  definition: WorkflowDefinition,
  positions: ReadonlyMap<string, Point>,
): WorkflowDefinition {
  let changed = false;
  const nodes = definition.nodes.map((node) => {
    const to = positions.get(node.id);
    if (!to) return node;
    const position = roundPoint(to);
    if (position.x === node.position.x && position.y === node.position.y) return node;
    changed = true;
    return { ...node, position };
  });
  return changed ? { ...definition, nodes } : definition;
}
