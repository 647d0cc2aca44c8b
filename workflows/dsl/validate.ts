// Validates a workflow definition against the node catalog before it is run or published, and
// reports every problem at once (the studio shows them all on the canvas): the document's shape,
// then the graph (start and terminal nodes, loops, edges and their handles, cycles, reachability),
// node configs, and `{{references}}` (which must point upstream, with known types where it matters).
// Each step lives in its own validate-*.ts module; this one runs them in order.
import type { WorkflowDefinition } from '@/workflows/dsl/definition';
import { createContext, isPlainObject, type Problem } from '@/workflows/dsl/validate-common';
import { checkNodes } from '@/workflows/dsl/validate-configs';
import { checkCycles } from '@/workflows/dsl/validate-cycles';
import {
  checkEdges,
  checkParents,
  checkReachability,
  checkStartAndTerminal,
} from '@/workflows/dsl/validate-graph';
import { checkReferences, createScope } from '@/workflows/dsl/validate-references';
import { parseDocument } from '@/workflows/dsl/validate-shape';
import { checkTypes } from '@/workflows/dsl/validate-types';
import type { AnyNodeSpec } from '@/workflows/nodes';

export type { Problem } from '@/workflows/dsl/validate-common';
export { TYPED_FIELDS } from '@/workflows/dsl/validate-types';

export interface ValidationResult {
  ok: boolean;
  /**
   * Present when the document's shape is valid (even if the graph has problems); node configs
   * that pass their schema are replaced by the parsed config, with defaults filled in.
   */
  definition?: WorkflowDefinition;
  problems: Problem[];
}

export function validateDefinition(input: unknown, catalog: Record<string, AnyNodeSpec>): ValidationResult {
  const problems: Problem[] = [];
  const parsed = parseDocument(input, problems);
  if (!parsed) return { ok: false, problems };
  const ctx = createContext(parsed.doc, catalog, problems);

  checkNodes(ctx);
  const validParent = checkParents(ctx);
  const startNode = checkStartAndTerminal(ctx);
  const { next, prev } = checkEdges(ctx);
  checkCycles(ctx, next);
  checkReachability(ctx, startNode, next);

  const scope = createScope(ctx, { validParent, prev, startNode });
  for (const entry of ctx.nodes) {
    checkReferences(ctx, scope, entry);
    checkTypes(ctx, scope, entry);
  }

  const result: ValidationResult = { ok: problems.length === 0, problems };
  const { definition } = parsed;
  if (definition) {
    result.definition = {
      ...definition,
      nodes: definition.nodes.map((node) => {
        const config = ctx.configs.get(node.id);
        return isPlainObject(config) ? { ...node, config } : node;
      }),
    };
  }
  return result;
}
