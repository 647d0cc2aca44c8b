// Ids for nodes and edges the canvas creates. Node ids are what builders type in references
// (`{{llm_2.text}}`), so they are derived from the node type and kept short and readable rather
// than random; edge ids only need to be unique.
import { SPECIAL_ROOTS } from '@/workflows/dsl/references';

/** Reference roots that name something other than a node; a node id must not shadow them. */
const RESERVED = new Set<string>(SPECIAL_ROOTS.filter((root) => root !== 'start'));
const MAX_NODE_ID = 64;
const MAX_EDGE_ID = 128;

/** A node id stem from a type: `human-review` → `human_review` (the DSL allows letters, digits, _). */
export function nodeIdStem(type: string): string {
  let stem = type.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
  if (!/^[A-Za-z]/.test(stem)) stem = `node_${stem}`.replace(/_+$/, '');
  // Room for a `_12345` suffix within the DSL's 64 characters.
  return stem.slice(0, MAX_NODE_ID - 6);
}

/**
 * The first free id for a node of `type` (or named after another id): the stem itself (`llm`), then
 * `llm_2`, `llm_3`, …. `taken` holds the ids in use (and those already handed out in the same edit).
 */
export function uniqueNodeId(type: string, taken: ReadonlySet<string>): string {
  const stem = nodeIdStem(type);
  if (!taken.has(stem) && !RESERVED.has(stem)) return stem;
  for (let n = 2; ; n++) {
    const id = `${stem}_${n}`;
    if (!taken.has(id)) return id;
  }
}

/** The number an id got from uniqueNodeId (`llm_3` → 3), for a matching title ("LLM 3"). */
export function idSuffix(id: string, type: string): number | null {
  const match = new RegExp(`^${nodeIdStem(type)}_(\\d+)$`).exec(id);
  return match ? Number(match[1]) : null;
}

/** A readable, unique edge id: `e_start_llm`, with the source handle when there is one. */
export function uniqueEdgeId(
  source: string,
  sourceHandle: string | null | undefined,
  target: string,
  taken: ReadonlySet<string>,
): string {
  const handle = sourceHandle ? `_${sourceHandle.replace(/[^A-Za-z0-9_-]+/g, '_')}` : '';
  let base = `e_${source}${handle}_${target}`;
  if (base.length > MAX_EDGE_ID - 6) base = base.slice(0, MAX_EDGE_ID - 6);
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) {
    const id = `${base}_${n}`;
    if (!taken.has(id)) return id;
  }
}
