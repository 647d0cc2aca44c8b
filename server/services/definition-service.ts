// What the studio asks about workflow definitions without touching the database: the node palette
// (each type with its form schema and a config that validates when dropped on the canvas), an
// inspection of a draft (problems, each node's handles, a one-line summary, known output fields and
// what is upstream of it, for the reference picker) and a summary of what changed between two
// versions. Import and export of definition files live in definition-document.ts, re-exported here.
// Everything here is pure and must not throw on malformed drafts: the canvas sends them mid-edit.
import {
  ERROR_HANDLE,
  edgeSchema,
  nodeSchema,
  type WorkflowDefinition,
  type WorkflowEdge,
  type WorkflowNode,
} from '@/workflows/dsl/definition';
import type { DefinitionInspection, NodeInspection, NodeTypeInfo } from '@/workflows/dsl/inspection-types';
import { validateDefinition } from '@/workflows/dsl/validate';
import { type AnyNodeSpec, nodeCatalog, nodeConfigJsonSchemas } from '@/workflows/nodes';

export {
  type AppMeta,
  checkDocument,
  exportDefinition,
  type ParseImportResult,
  parseImport,
  type TransferFormat,
  type WeftDocument,
} from './definition-document';

type Loose = Record<string, unknown>;

const isObject = (value: unknown): value is Loose =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const rec = (value: unknown): Loose => (isObject(value) ? value : {});
const arr = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const str = (value: unknown): string => (typeof value === 'string' ? value : '');

// ---------------------------------------------------------------------------------------------
// Node palette

/**
 * Seeds for types whose schema has required fields, so `{}` does not parse. They avoid references
 * (a dropped node is not wired yet, so `{{start.query}}` could point at an input that does not
 * exist) and are completed with the schema's defaults.
 */
const DEFAULT_SEEDS: Record<string, Loose> = {
  answer: { text: '' },
  template: { template: '' },
  condition: { cases: [{ id: 'case_1', conditions: [{ left: '', operator: 'not_empty' }] }] },
  loop: { mode: 'for-each', items: [] },
  delay: { ms: 1000 },
  http: { method: 'GET', url: 'https://example.com' },
  code: { code: 'return inputs;' },
  llm: { messages: [{ role: 'user', content: 'Hello!' }] },
  'question-classifier': {
    question: '',
    classes: [
      { id: 'class_1', label: 'First class' },
      { id: 'class_2', label: 'Second class' },
    ],
  },
  'parameter-extractor': {
    text: '',
    parameters: [{ name: 'value', type: 'string', description: 'The value to extract' }],
  },
};

function defaultConfigOf(spec: AnyNodeSpec): Loose {
  const empty = spec.configSchema.safeParse({});
  if (empty.success && isObject(empty.data)) return empty.data;
  const seeded = spec.configSchema.safeParse(DEFAULT_SEEDS[spec.type] ?? {});
  // A new type without a seed shows up as `{}` (and fails the catalog test) rather than breaking the palette.
  return seeded.success && isObject(seeded.data) ? seeded.data : {};
}

let palette: NodeTypeInfo[] | undefined;

/** Every node type the studio can place, in catalog order. */
export function listNodeTypes(): NodeTypeInfo[] {
  if (!palette) {
    const schemas = nodeConfigJsonSchemas();
    palette = Object.values(nodeCatalog).map((spec) => ({
      type: spec.type,
      title: spec.title,
      description: spec.description,
      category: spec.category,
      icon: spec.icon,
      configSchema: rec(schemas[spec.type]),
      defaultConfig: defaultConfigOf(spec),
      supportsErrorHandling: spec.execution === 'activity',
      container: spec.type === 'loop',
    }));
  }
  // Copies, so a caller editing a default config cannot change the next caller's palette.
  return structuredClone(palette);
}

// ---------------------------------------------------------------------------------------------
// Inspection

/** Whitespace collapsed and cut to `max` characters (at a word boundary when one is near), for a node card. */
function clip(text: string, max = 60): string {
  const line = text.replace(/\s+/g, ' ').trim();
  if (line.length <= max) return line;
  let cut = line.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  if (line[max - 1] !== ' ' && space > max / 2) cut = cut.slice(0, space);
  return `${cut.trimEnd()}…`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : /(s|ss|x|ch|sh)$/.test(word) ? 'es' : 's'}`;
}

function names(items: unknown[], key: string): string {
  return items
    .map((item) => str(rec(item)[key]))
    .filter(Boolean)
    .join(', ');
}

function duration(ms: number): string {
  if (ms % 86_400_000 === 0 && ms > 0) return `${ms / 86_400_000} d`;
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000} min`;
  if (ms % 1000 === 0 && ms > 0) return `${ms / 1000} s`;
  return `${ms} ms`;
}

/** Key config at a glance, per type; configs may be half-edited, so every field is read defensively. */
const SUMMARIES: Record<string, (config: Loose) => string> = {
  start: (c) => (arr(c.inputs).length > 0 ? `inputs: ${names(arr(c.inputs), 'name')}` : 'no inputs'),
  end: (c) => {
    const keys = Object.keys(rec(c.outputs));
    return keys.length > 0 ? `outputs: ${keys.join(', ')}` : 'no outputs';
  },
  answer: (c) => str(c.text),
  condition: (c) => `${plural(arr(c.cases).length, 'case')} + else`,
  loop: (c) => {
    if (c.mode === 'while') {
      return `while, at most ${typeof c.maxIterations === 'number' ? c.maxIterations : 100} times`;
    }
    if (c.mode !== 'for-each') return '';
    const at = typeof c.concurrency === 'number' && c.concurrency > 1 ? `, ${c.concurrency} at a time` : '';
    return `for each item${at}`;
  },
  join: (c) => `${c.mode === 'first' ? 'first of' : 'all of'}: ${Object.keys(rec(c.values)).join(', ')}`,
  'variable-assign': (c) => names(arr(c.assignments), 'name'),
  template: (c) => clip(str(c.template), 40),
  delay: (c) => (typeof c.ms === 'number' ? duration(c.ms) : str(c.ms)),
  'human-review': (c) => str(c.instructions),
  http: (c) => `${str(c.method) || 'GET'} ${str(c.url)}`,
  code: (c) =>
    str(c.code)
      .split('\n')
      .map((line) => line.trim())
      .find(Boolean) ?? '',
  llm: (c) => {
    if (str(c.model)) return str(c.model);
    const prompt = arr(c.messages)
      .map((m) => str(rec(m).content))
      .find(Boolean);
    return clip(prompt ?? str(c.system), 40);
  },
  'question-classifier': (c) =>
    `${plural(arr(c.classes).length, 'class')}: ${names(arr(c.classes), 'label')}`,
  'parameter-extractor': (c) => `extracts ${names(arr(c.parameters), 'name')}`,
};

/** Calls a spec function on a config that may not have passed its schema; undefined when it throws. */
function attempt<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}

function handleList(value: unknown): (string | null)[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.filter((h): h is string | null => h === null || typeof h === 'string');
}

function inspectNode(node: WorkflowNode, edges: WorkflowEdge[]): NodeInspection {
  const spec = Object.hasOwn(nodeCatalog, node.type) ? nodeCatalog[node.type] : undefined;
  const parsed = spec?.configSchema.safeParse(node.config);
  const valid = parsed?.success === true;
  const config = valid ? parsed.data : node.config;
  // Handles the node's edges already use: the best guess while its config is invalid, so the
  // canvas keeps drawing those edges.
  const used = (pick: (e: WorkflowEdge) => string | null, side: 'source' | 'target') => {
    const handles = [...new Set(edges.filter((e) => e[side] === node.id).map(pick))];
    return handles.length > 0 ? handles : [null];
  };
  const inputHandles =
    (spec && handleList(attempt(() => spec.inputHandles(config)))) ?? used((e) => e.targetHandle, 'target');
  const outputHandles =
    (spec && handleList(attempt(() => spec.outputHandles(config)))) ?? used((e) => e.sourceHandle, 'source');
  if (node.error?.onError === 'error-branch' && !outputHandles.includes(ERROR_HANDLE)) {
    outputHandles.push(ERROR_HANDLE);
  }
  const summarize = SUMMARIES[node.type];
  const types = valid && spec?.outputTypes ? attempt(() => spec.outputTypes?.(config)) : undefined;
  return {
    inputHandles,
    outputHandles,
    summary: clip((summarize && attempt(() => summarize(rec(config)))) ?? ''),
    outputFields: isObject(types) ? Object.keys(types) : [],
  };
}

/** The nodes and edges of a possibly malformed definition that parse on their own (first id wins). */
function salvage(definition: unknown): { nodes: WorkflowNode[]; edges: WorkflowEdge[] } {
  const input = rec(definition);
  const nodes = new Map<string, WorkflowNode>();
  for (const raw of arr(input.nodes)) {
    const parsed = nodeSchema.safeParse(raw);
    if (parsed.success && !nodes.has(parsed.data.id)) nodes.set(parsed.data.id, parsed.data);
  }
  const edges: WorkflowEdge[] = [];
  for (const raw of arr(input.edges)) {
    const parsed = edgeSchema.safeParse(raw);
    if (parsed.success) edges.push(parsed.data);
  }
  return { nodes: [...nodes.values()], edges };
}

/**
 * For each node, the nodes whose outputs run before it: those with a path of edges to it at its
 * level, and for a node in a loop body also each enclosing loop and what is upstream of that loop
 * (the same scope the validator checks references against). Listed in definition order.
 */
function upstreamOf(nodes: WorkflowNode[], edges: WorkflowEdge[]): Record<string, string[]> {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const order = new Map(nodes.map((n, i) => [n.id, i]));
  const prev = new Map<string, string[]>(nodes.map((n) => [n.id, []]));
  for (const edge of edges) {
    const source = byId.get(edge.source);
    const target = byId.get(edge.target);
    // Edges across a loop's boundary are invalid (and reported); they do not order anything.
    if (source && target && source.parentId === target.parentId) prev.get(target.id)?.push(source.id);
  }
  const ancestors = (id: string, into: Set<string>) => {
    const queue = [...(prev.get(id) ?? [])];
    while (queue.length > 0) {
      const p = queue.pop() as string;
      if (into.has(p)) continue;
      into.add(p);
      queue.push(...(prev.get(p) ?? []));
    }
  };
  const out: Record<string, string[]> = {};
  for (const node of nodes) {
    const found = new Set<string>();
    ancestors(node.id, found);
    const seenLoops = new Set<string>([node.id]);
    for (
      let loop = byId.get(node.parentId ?? '');
      loop?.type === 'loop';
      loop = byId.get(loop.parentId ?? '')
    ) {
      // Nesting that goes round is reported by the validator; stop instead of looping forever.
      if (seenLoops.has(loop.id)) break;
      seenLoops.add(loop.id);
      found.add(loop.id);
      ancestors(loop.id, found);
    }
    found.delete(node.id);
    out[node.id] = [...found].sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
  }
  return out;
}

/** Problems, per-node details and upstream sets of a draft, whatever shape it is in. */
export function inspectDefinition(definition: unknown): DefinitionInspection {
  let problems: DefinitionInspection['problems'];
  try {
    problems = validateDefinition(definition, nodeCatalog).problems;
  } catch (error) {
    // The validator is meant to report, not throw; if it ever does, the canvas still gets an answer.
    const reason = error instanceof Error ? error.message : String(error);
    problems = [
      { code: 'invalid_shape', message: `the definition could not be checked: ${reason}`, path: [] },
    ];
  }
  const { nodes, edges } = salvage(definition);
  const inspected: Record<string, NodeInspection> = {};
  for (const node of nodes) inspected[node.id] = inspectNode(node, edges);
  return { problems, nodes: inspected, upstream: upstreamOf(nodes, edges) };
}

// ---------------------------------------------------------------------------------------------
// Changes between versions

export interface DefinitionChanges {
  addedNodes: string[];
  removedNodes: string[];
  /** Type, title, config, error handling or parent changed (moving a node on the canvas is no change). */
  changedNodes: string[];
  addedEdges: number;
  removedEdges: number;
  /** E.g. '2 nodes added (a, b), 1 changed (c), 1 edge removed', or 'no changes'. */
  text: string;
}

/** JSON with object keys sorted: stored definitions (jsonb) do not keep key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    isObject(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, v[k]]),
        )
      : v,
  );
}

const nodeContent = (n: WorkflowNode) =>
  canonical({ type: n.type, title: n.title, config: n.config, error: n.error, parentId: n.parentId });

// Edges are compared by what they connect, not by id: re-drawing an edge gives it a new id.
const edgeKey = (e: WorkflowEdge) => canonical([e.source, e.sourceHandle, e.target, e.targetHandle]);

function countBy<T>(items: T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

function missingFrom(from: Map<string, number>, other: Map<string, number>): number {
  let n = 0;
  for (const [key, count] of from) n += Math.max(0, count - (other.get(key) ?? 0));
  return n;
}

function idList(ids: string[]): string {
  const shown = ids.slice(0, 5).join(', ');
  return ids.length > 5 ? `${shown}, +${ids.length - 5} more` : shown;
}

export function summarizeChanges(before: WorkflowDefinition, after: WorkflowDefinition): DefinitionChanges {
  const beforeNodes = new Map(arr(before?.nodes).map((n) => [(n as WorkflowNode).id, n as WorkflowNode]));
  const afterNodes = new Map(arr(after?.nodes).map((n) => [(n as WorkflowNode).id, n as WorkflowNode]));
  const addedNodes = [...afterNodes.keys()].filter((id) => !beforeNodes.has(id));
  const removedNodes = [...beforeNodes.keys()].filter((id) => !afterNodes.has(id));
  const changedNodes = [...afterNodes].flatMap(([id, node]) => {
    const old = beforeNodes.get(id);
    return old && nodeContent(old) !== nodeContent(node) ? [id] : [];
  });
  const beforeEdges = countBy(arr(before?.edges) as WorkflowEdge[], edgeKey);
  const afterEdges = countBy(arr(after?.edges) as WorkflowEdge[], edgeKey);
  const addedEdges = missingFrom(afterEdges, beforeEdges);
  const removedEdges = missingFrom(beforeEdges, afterEdges);

  const parts: string[] = [];
  const nodePart = (ids: string[], verb: string) => {
    if (ids.length === 0) return;
    // Only the first node part names the noun: '2 nodes added (a, b), 1 changed (c)'.
    const count = parts.length === 0 ? plural(ids.length, 'node') : String(ids.length);
    parts.push(`${count} ${verb} (${idList(ids)})`);
  };
  nodePart(addedNodes, 'added');
  nodePart(removedNodes, 'removed');
  nodePart(changedNodes, 'changed');
  if (addedEdges > 0) parts.push(`${plural(addedEdges, 'edge')} added`);
  if (removedEdges > 0) parts.push(`${plural(removedEdges, 'edge')} removed`);
  return {
    addedNodes,
    removedNodes,
    changedNodes,
    addedEdges,
    removedEdges,
    text: parts.length > 0 ? parts.join(', ') : 'no changes',
  };
}
