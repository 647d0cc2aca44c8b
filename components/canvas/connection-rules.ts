// Which edges a builder may draw, checked while the connection line is dragged so that an invalid
// target never lights up: the handles must exist, the ends must differ and sit at the same level
// (edges cannot cross a loop's boundary), the edge must be new, and it must not close a cycle
// (repetition is what loops are for). The same rules as the server's validator, applied early.
import type { WorkflowDefinition } from '@/workflows/dsl/definition';
import type { DefinitionInspection } from '@/workflows/dsl/inspection-types';
import { handlesOf } from './flow-conversion';
import { uniqueEdgeId } from './node-ids';

/** What React Flow reports for a drawn connection (handle ids are null for default handles). */
export interface ConnectionAttempt {
  source: string;
  sourceHandle?: string | null;
  target: string;
  targetHandle?: string | null;
}

/** Why the connection is refused, or null when it may be made. */
export function connectionProblem(
  definition: WorkflowDefinition,
  inspection: DefinitionInspection | null,
  attempt: ConnectionAttempt,
): string | null {
  const sourceHandle = attempt.sourceHandle ?? null;
  const targetHandle = attempt.targetHandle ?? null;
  if (attempt.source === attempt.target) return 'a node cannot connect to itself';
  const source = definition.nodes.find((n) => n.id === attempt.source);
  const target = definition.nodes.find((n) => n.id === attempt.target);
  if (!source || !target) return 'both ends must be nodes of this workflow';
  if (!handlesOf(source, inspection).outputs.includes(sourceHandle)) return 'the source has no such output';
  if (!handlesOf(target, inspection).inputs.includes(targetHandle)) return 'the target has no such input';
  if ((source.parentId ?? null) !== (target.parentId ?? null)) return "edges cannot cross a loop's boundary";
  const duplicate = definition.edges.some(
    (e) =>
      e.source === source.id &&
      e.target === target.id &&
      e.sourceHandle === sourceHandle &&
      e.targetHandle === targetHandle,
  );
  if (duplicate) return 'these handles are already connected';
  if (reaches(definition, target.id, source.id)) return 'the edge would close a cycle';
  return null;
}

export function isValidConnection(
  definition: WorkflowDefinition,
  inspection: DefinitionInspection | null,
  attempt: ConnectionAttempt,
): boolean {
  return connectionProblem(definition, inspection, attempt) === null;
}

/** Whether a path of edges leads from `from` to `to`. */
function reaches(definition: WorkflowDefinition, from: string, to: string): boolean {
  const next = new Map<string, string[]>();
  for (const edge of definition.edges) {
    const list = next.get(edge.source);
    if (list) list.push(edge.target);
    else next.set(edge.source, [edge.target]);
  }
  const seen = new Set([from]);
  const stack = [from];
  while (stack.length > 0) {
    const id = stack.pop() as string;
    if (id === to) return true;
    for (const n of next.get(id) ?? []) {
      if (!seen.has(n)) {
        seen.add(n);
        stack.push(n);
      }
    }
  }
  return false;
}

/** The definition with the connection added as an edge (unchanged when the connection is invalid). */
export function connect(
  definition: WorkflowDefinition,
  inspection: DefinitionInspection | null,
  attempt: ConnectionAttempt,
): WorkflowDefinition {
  if (!isValidConnection(definition, inspection, attempt)) return definition;
  const sourceHandle = attempt.sourceHandle ?? null;
  const id = uniqueEdgeId(
    attempt.source,
    sourceHandle,
    attempt.target,
    new Set(definition.edges.map((e) => e.id)),
  );
  return {
    ...definition,
    edges: [
      ...definition.edges,
      {
        id,
        source: attempt.source,
        sourceHandle,
        target: attempt.target,
        targetHandle: attempt.targetHandle ?? null,
      },
    ],
  };
}
