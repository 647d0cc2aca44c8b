// Copy and paste of canvas selections as pure functions. A copy takes the selected nodes, the
// bodies of selected loops and the edges between copied nodes (edges to nodes left behind would
// dangle). A paste gives every node a new id, rewrites the edges and the `{{id.field}}` references
// between pasted nodes to those ids, and offsets the copy so it does not hide the original.
import type { WorkflowDefinition, WorkflowEdge, WorkflowNode } from '@/workflows/dsl/definition';
import type { Point } from './canvas-geometry';
import { withDescendants } from './definition-edits';
import { uniqueEdgeId, uniqueNodeId } from './node-ids';

export interface ClipboardContent {
  nodes: WorkflowNode[];
  edges: WorkflowEdge[];
}

/** The selected nodes with their loop bodies and inner edges; null when there is nothing to copy. */
export function copyNodes(definition: WorkflowDefinition, ids: Iterable<string>): ClipboardContent | null {
  // A second start node would make the workflow invalid, so the start node is never copied.
  const copyable = [...ids].filter((id) => definition.nodes.some((n) => n.id === id && n.type !== 'start'));
  const included = withDescendants(definition, copyable);
  const nodes = definition.nodes.filter((n) => included.has(n.id) && n.type !== 'start');
  if (nodes.length === 0) return null;
  const edges = definition.edges.filter((e) => included.has(e.source) && included.has(e.target));
  // A deep copy, so later edits of the originals do not change what will be pasted.
  return structuredClone({ nodes, edges });
}

const ROOT_REFERENCE = /\{\{(\s*)([A-Za-z][A-Za-z0-9_]*)(?=\s*\}\}|\.)/g;

/** Rewrites the roots of `{{root.path}}` references found in any string inside `value`. */
export function renameReferences(value: unknown, ids: ReadonlyMap<string, string>): unknown {
  if (typeof value === 'string') {
    return value.replace(ROOT_REFERENCE, (match, space: string, root: string) => {
      const renamed = ids.get(root);
      return renamed === undefined ? match : `{{${space}${renamed}`;
    });
  }
  if (Array.isArray(value)) return value.map((item) => renameReferences(item, ids));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renameReferences(v, ids)]));
  }
  return value;
}

/**
 * Adds the clipboard's nodes and edges under new ids. Copied nodes whose loop was copied too go
 * into the new loop; the others go back into their loop if it still exists (else the top level)
 * and are moved by `offset`. Returns the new definition and the ids of the pasted nodes.
 */
export function pasteNodes(
  definition: WorkflowDefinition,
  clipboard: ClipboardContent,
  offset: Point,
): { definition: WorkflowDefinition; ids: string[] } {
  const existing = new Set(definition.nodes.map((n) => n.id));
  const taken = new Set(existing);
  const ids = new Map<string, string>();
  for (const node of clipboard.nodes) {
    // Named after the original (`summary` → `summary_2`, `llm_2` → `llm_3`), which says more than the type.
    const id = uniqueNodeId(node.id.replace(/_\d+$/, ''), taken);
    taken.add(id);
    ids.set(node.id, id);
  }
  const nodes = clipboard.nodes.map((node): WorkflowNode => {
    const { parentId, ...rest } = node;
    const pastedParent = parentId === undefined ? undefined : ids.get(parentId);
    const keptParent = parentId !== undefined && existing.has(parentId) ? parentId : undefined;
    const moved = pastedParent === undefined;
    const pasted: WorkflowNode = {
      ...structuredClone(rest),
      id: ids.get(node.id) as string,
      config: renameReferences(node.config, ids) as Record<string, unknown>,
      position: moved
        ? { x: node.position.x + offset.x, y: node.position.y + offset.y }
        : { ...node.position },
    };
    const newParent = pastedParent ?? keptParent;
    if (newParent !== undefined) pasted.parentId = newParent;
    return pasted;
  });
  const edgeIds = new Set(definition.edges.map((e) => e.id));
  const edges = clipboard.edges.flatMap((edge): WorkflowEdge[] => {
    const source = ids.get(edge.source);
    const target = ids.get(edge.target);
    if (source === undefined || target === undefined) return [];
    const id = uniqueEdgeId(source, edge.sourceHandle, target, edgeIds);
    edgeIds.add(id);
    return [{ ...edge, id, source, target }];
  });
  return {
    definition: {
      ...definition,
      nodes: [...definition.nodes, ...nodes],
      edges: [...definition.edges, ...edges],
    },
    ids: nodes.map((n) => n.id),
  };
}
