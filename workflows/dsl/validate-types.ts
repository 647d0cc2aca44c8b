// Definition validation of known type mismatches: config fields that must have a certain type
// (TYPED_FIELDS), checked against a literal value or the known output type of a single reference.
import type { WorkflowNode } from '@/workflows/dsl/definition';
import { isSpecialRoot, parseSingleReference, type Reference } from '@/workflows/dsl/references';
import { article, type Context, type Entry, valueAt } from '@/workflows/dsl/validate-common';
import type { Scope } from '@/workflows/dsl/validate-references';
import type { ValueType } from '@/workflows/nodes/node-spec';

/**
 * Config fields whose value must have a certain type. When such a field is exactly one reference
 * and the referenced output's type is known, a mismatch is reported before the run fails on it.
 */
export const TYPED_FIELDS: { nodeType: string; path: string[]; expected: ValueType }[] = [
  { nodeType: 'loop', path: ['items'], expected: 'array' },
  { nodeType: 'delay', path: ['ms'], expected: 'number' },
];

function literalType(value: unknown): ValueType | undefined {
  if (value === undefined) return undefined;
  if (value === null) return 'any';
  if (Array.isArray(value)) return 'array';
  const t = typeof value;
  if (t === 'string' || t === 'number' || t === 'boolean' || t === 'object') return t;
  return undefined;
}

/** The type a single reference resolves to, when the catalog knows it. */
function referenceType(
  ctx: Context,
  scope: Scope,
  node: WorkflowNode,
  ref: Omit<Reference, 'at'>,
): ValueType | undefined {
  if (isSpecialRoot(ref.root) && ref.root !== 'start') return undefined;
  const target = scope.targetOf(ref.root);
  if (!target) return undefined;
  if (target.id === node.id || scope.enclosingLoops(node.id).includes(target.id)) {
    const variable = ref.path[0];
    if (ref.path.length === 0) return 'object';
    return ref.path.length === 1 && variable !== undefined
      ? scope.loopVariables(target.id)[variable]
      : undefined;
  }
  if (ref.path.length === 0) return 'object';
  const spec = ctx.specOf(target);
  const variable = ref.path[0];
  if (!spec?.outputTypes || !ctx.configs.has(target.id) || ref.path.length !== 1 || variable === undefined) {
    return undefined;
  }
  const types = spec.outputTypes(ctx.configs.get(target.id));
  return Object.hasOwn(types, variable) ? types[variable] : undefined;
}

/** Reports the node's typed fields whose value is known to have the wrong type. */
export function checkTypes(ctx: Context, scope: Scope, entry: Entry<WorkflowNode>): void {
  const node = entry.value;
  for (const typed of TYPED_FIELDS) {
    if (typed.nodeType !== node.type) continue;
    const value = valueAt(node.config, typed.path);
    const ref = parseSingleReference(value);
    const actual = ref ? referenceType(ctx, scope, node, ref) : literalType(value);
    if (actual === undefined || actual === 'any' || actual === typed.expected) continue;
    // A literal of the wrong type in a config that failed its schema has been reported already.
    if (!ref && !ctx.configs.has(node.id)) continue;
    const what = ref ? `${ref.raw} is ${article(actual)}` : `it is ${article(actual)}`;
    ctx.problem({
      code: 'type_mismatch',
      message: `${typed.path.join('.')} must be ${article(typed.expected)}, but ${what}`,
      nodeId: node.id,
      path: ctx.nodePath(entry, 'config', ...typed.path),
    });
  }
}
