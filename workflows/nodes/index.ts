// The catalog of node types: what the validator checks definitions against, what the interpreter
// dispatches on, and (as JSON Schemas) what the studio renders config forms from.
import { z } from 'zod';
import { answerNode } from '@/workflows/nodes/answer';
import { codeNode } from '@/workflows/nodes/code';
import { conditionNode } from '@/workflows/nodes/condition';
import { delayNode } from '@/workflows/nodes/delay';
import { endNode } from '@/workflows/nodes/end';
import { httpNode } from '@/workflows/nodes/http';
import { humanReviewNode } from '@/workflows/nodes/human-review';
import { joinNode } from '@/workflows/nodes/join';
import { llmNode } from '@/workflows/nodes/llm';
import { loopNode } from '@/workflows/nodes/loop';
import type { NodeSpec } from '@/workflows/nodes/node-spec';
import { parameterExtractorNode } from '@/workflows/nodes/parameter-extractor';
import { questionClassifierNode } from '@/workflows/nodes/question-classifier';
import { startNode } from '@/workflows/nodes/start';
import { templateNode } from '@/workflows/nodes/template';
import { variableAssignNode } from '@/workflows/nodes/variable-assign';

/**
 * A spec of any node type. Every `NodeSpec<C>` fits: the schema is covariant in C, and methods
 * (not function-typed properties) are checked bivariantly. The price is that TypeScript no longer
 * ties a config to its spec, so callers must only pass configs produced by that same spec's
 * `configSchema` (the validator's normalized definition, resolved by the interpreter).
 */
export type AnyNodeSpec = NodeSpec<unknown>;

const specs: AnyNodeSpec[] = [
  startNode,
  endNode,
  answerNode,
  conditionNode,
  loopNode,
  joinNode,
  variableAssignNode,
  templateNode,
  delayNode,
  humanReviewNode,
  httpNode,
  codeNode,
  llmNode,
  questionClassifierNode,
  parameterExtractorNode,
];

/** Node type → spec; keys are taken from the specs so they cannot drift apart. */
export const nodeCatalog: Record<string, AnyNodeSpec> = Object.fromEntries(specs.map((s) => [s.type, s]));

/**
 * JSON Schema (draft 2020-12) of each node type's config as the studio should fill it in: the input
 * side, so fields with defaults are optional. Refinements (unique ids, …) are not representable and
 * are left to the validator.
 */
export function nodeConfigJsonSchemas(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const spec of specs) {
    out[spec.type] = z.toJSONSchema(spec.configSchema, { io: 'input', unrepresentable: 'any' });
  }
  return out;
}
