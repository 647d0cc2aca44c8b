// The `{{ ref }}` syntax that lets a node's config use other nodes' outputs: finding references
// (for the validator and the studio) and substituting values (for the interpreter). Pure: no I/O.
// Templating is reference substitution only; there is no expression language and nothing is eval'd.
import type { Json } from '@/workflows/interpreter/types';

/** Roots that are not node ids: the start node's inputs (whatever its id), secrets, run metadata. */
export const SPECIAL_ROOTS = ['start', 'secrets', 'sys'] as const;
export type SpecialRoot = (typeof SPECIAL_ROOTS)[number];

export function isSpecialRoot(root: string): root is SpecialRoot {
  return (SPECIAL_ROOTS as readonly string[]).includes(root);
}

export interface Reference {
  /** A node id, or one of the special roots. */
  root: string;
  /** Field names and array indexes (as digit strings) below the root. */
  path: string[];
  /** The reference as written, braces included. */
  raw: string;
  /** Where the string holding the reference sits inside the walked value. */
  at: (string | number)[];
}

// Segments are identifiers or array indexes; `-` is accepted inside field names so that outputs
// such as HTTP headers (`content-type`) can be reached. The root follows the node id syntax.
const ROOT = '[A-Za-z][A-Za-z0-9_]*';
const SEGMENT = '(?:[A-Za-z_][A-Za-z0-9_-]*|\\d+)';
const BODY = `${ROOT}(?:\\.${SEGMENT})*`;
const referencePattern = () => new RegExp(`\\{\\{\\s*(${BODY})\\s*\\}\\}`, 'g');
const singleReference = new RegExp(`^\\{\\{\\s*(${BODY})\\s*\\}\\}$`);

function split(body: string): { root: string; path: string[] } {
  const [root = '', ...path] = body.split('.');
  return { root, path };
}

/** The reference when `value` is a string that is exactly one reference (ignoring outer spaces). */
export function parseSingleReference(value: unknown): Omit<Reference, 'at'> | null {
  if (typeof value !== 'string') return null;
  const match = singleReference.exec(value.trim());
  if (!match?.[1]) return null;
  return { ...split(match[1]), raw: match[0] };
}

/** References inside one string, in order of appearance. */
export function referencesInString(text: string): Omit<Reference, 'at'>[] {
  const found: Omit<Reference, 'at'>[] = [];
  for (const match of text.matchAll(referencePattern())) {
    if (match[1]) found.push({ ...split(match[1]), raw: match[0] });
  }
  return found;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every reference in a value, walking objects and arrays (object keys are never references). */
export function findReferences(value: unknown): Reference[] {
  const found: Reference[] = [];
  const seen = new WeakSet<object>();
  const walk = (v: unknown, at: (string | number)[]) => {
    if (typeof v === 'string') {
      for (const ref of referencesInString(v)) found.push({ ...ref, at });
    } else if (Array.isArray(v)) {
      if (seen.has(v)) return;
      seen.add(v);
      v.forEach((item, i) => {
        walk(item, [...at, i]);
      });
    } else if (isPlainObject(v)) {
      if (seen.has(v)) return;
      seen.add(v);
      for (const [key, item] of Object.entries(v)) walk(item, [...at, key]);
    }
  };
  walk(value, []);
  return found;
}

/** The names of the secrets `{{secrets.NAME}}` references in `value` (e.g. node configs). */
export function referencedSecretNames(value: unknown): string[] {
  const names = findReferences(value)
    .filter((r) => r.root === 'secrets' && r.path[0] !== undefined)
    .map((r) => r.path[0] as string);
  return [...new Set(names)];
}

/** Follows field names and array indexes; undefined when any step is missing. */
export function getPath(value: Json | undefined, path: string[]): Json | undefined {
  let current: Json | undefined = value;
  for (const segment of path) {
    if (Array.isArray(current)) {
      if (!/^\d+$/.test(segment)) return undefined;
      current = current[Number(segment)];
    } else if (isPlainObject(current)) {
      // Own properties only, so `constructor` or `__proto__` never reach into the prototype.
      current = Object.hasOwn(current, segment) ? current[segment] : undefined;
    } else {
      return undefined;
    }
    if (current === undefined) return undefined;
  }
  return current;
}

/**
 * Copies any value into JSON: undefined, functions, symbols, bigints and non-finite numbers become
 * null (object properties holding undefined are dropped, as JSON.stringify does, so optional
 * config fields stay absent); `toJSON` is honoured (dates become strings); cycles become null.
 */
export function toJson(value: unknown): Json {
  return convert(value, new WeakSet(), (s) => s);
}

function convert(value: unknown, seen: WeakSet<object>, onString: (s: string) => Json): Json {
  if (value === null) return null;
  switch (typeof value) {
    case 'string':
      return onString(value);
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'boolean':
      return value;
    case 'object':
      break;
    default:
      return null;
  }
  const obj = value as object;
  if (seen.has(obj)) return null;
  if (!Array.isArray(obj) && typeof (obj as { toJSON?: unknown }).toJSON === 'function') {
    return convert((obj as { toJSON(): unknown }).toJSON(), seen, (s) => s);
  }
  seen.add(obj);
  try {
    if (Array.isArray(obj)) return obj.map((item) => convert(item, seen, onString));
    const out: { [key: string]: Json } = {};
    for (const [key, item] of Object.entries(obj)) {
      if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
      out[key] = convert(item, seen, onString);
    }
    return out;
  } finally {
    // Only ancestors count as cycles; the same object may appear twice side by side.
    seen.delete(obj);
  }
}

function interpolated(value: Json | undefined): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/**
 * A resolved value as text, by the interpolation rules (null → '', objects and arrays as JSON);
 * undefined stays undefined so required fields are still reported missing. Text config fields
 * preprocess with it: a field that is exactly `{{llm.count}}` resolves to a number, and must
 * still be accepted as the text "3" when the engine checks the resolved config.
 */
export function asText(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  return interpolated(toJson(value));
}

/**
 * Returns a copy of `value` with references substituted. A string that is exactly one reference
 * becomes the referenced value with its type (missing → null); a string mixing text and references
 * is interpolated (null or missing → '', objects and arrays as JSON).
 */
export function resolveValue(
  value: unknown,
  lookup: (root: string, path: string[]) => Json | undefined,
): Json {
  return convert(value, new WeakSet(), (text) => {
    const single = parseSingleReference(text);
    // Copied, so a run function that mutates its config cannot change another node's output.
    if (single) return toJson(lookup(single.root, single.path) ?? null);
    if (!text.includes('{{')) return text;
    return text.replace(referencePattern(), (_raw, body: string) => {
      const { root, path } = split(body);
      return interpolated(lookup(root, path));
    });
  });
}
