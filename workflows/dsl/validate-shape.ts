// The first step of definition validation: checks the document's shape against the definition
// schema and, when it does not parse, keeps the nodes and edges that do so the rest of the
// validation can still report graph problems.
import {
  definitionSchema,
  edgeSchema,
  nodeSchema,
  type WorkflowDefinition,
  type WorkflowEdge,
  type WorkflowNode,
} from '@/workflows/dsl/definition';
import {
  type Document,
  type Entry,
  isPlainObject,
  issueMessage,
  type Problem,
  toPath,
  valueAt,
} from '@/workflows/dsl/validate-common';

/** Keeps what parses of a document that does not, so graph problems can be reported too. */
function salvage(input: unknown): (Document & { duplicates: Problem[] }) | null {
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

/**
 * Parses the document, reporting shape problems into `problems`. Returns the definition when it
 * parses, and the nodes and edges to analyse; null when too little parses to analyse anything.
 */
export function parseDocument(
  input: unknown,
  problems: Problem[],
): { definition?: WorkflowDefinition; doc: Document } | null {
  const parsed = definitionSchema.safeParse(input);
  if (parsed.success) {
    const doc: Document = {
      nodes: parsed.data.nodes.map((value, index) => ({ value, index })),
      edges: parsed.data.edges.map((value, index) => ({ value, index })),
      dropped: new Set<string>(),
      nodesLost: false,
      edgesLost: false,
    };
    return { definition: parsed.data, doc };
  }
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
  if (!kept) return null;
  for (const dup of kept.duplicates) {
    // The schema reports duplicates itself when the rest of the document is well-formed.
    if (!problems.some((p) => p.message === dup.message && p.path.join('.') === dup.path.join('.'))) {
      problems.push(dup);
    }
  }
  const { nodes, edges, dropped, nodesLost, edgesLost } = kept;
  return { doc: { nodes, edges, dropped, nodesLost, edgesLost } };
}
