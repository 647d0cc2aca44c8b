// Immutable reads and writes of a config value at a path of keys and list indexes, the way the form
// edits one field without disturbing the rest of the config. Pure.

export type PathSegment = string | number;
export type Path = readonly PathSegment[];

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The value at `path`, or undefined when any step is missing. */
export function getAtPath(root: unknown, path: Path): unknown {
  let node = root;
  for (const seg of path) {
    if (Array.isArray(node) && typeof seg === 'number') node = node[seg];
    else if (isPlainObject(node)) node = node[String(seg)];
    else return undefined;
  }
  return node;
}

/**
 * A copy of `root` with `next` at `path`; every container on the way is copied, everything else is
 * shared. `undefined` removes the key (an optional field left empty is omitted, not stored as null)
 * or, in a list, the item. Missing containers are created: a list for a number segment, otherwise
 * an object.
 */
export function setAtPath(root: unknown, path: Path, next: unknown): unknown {
  const [seg, ...rest] = path;
  if (seg === undefined) return next;
  if (typeof seg === 'number' && (Array.isArray(root) || root === undefined || root === null)) {
    const list = Array.isArray(root) ? [...root] : [];
    const child = setAtPath(list[seg], rest, next);
    if (child === undefined) list.splice(seg, 1);
    else list[seg] = child;
    return list;
  }
  const object: Record<string, unknown> = isPlainObject(root) ? { ...root } : {};
  const key = String(seg);
  const child = setAtPath(object[key], rest, next);
  if (child === undefined) delete object[key];
  else object[key] = child;
  return object;
}

/** A copy of `list` with the item at `from` moved to `to` (clamped to the list). */
export function moveItem<T>(list: readonly T[], from: number, to: number): T[] {
  const out = [...list];
  if (from < 0 || from >= out.length) return out;
  const target = Math.max(0, Math.min(out.length - 1, to));
  const [item] = out.splice(from, 1) as [T];
  out.splice(target, 0, item);
  return out;
}

/** A copy of `list` without the item at `index`. */
export function removeItem<T>(list: readonly T[], index: number): T[] {
  return list.filter((_, i) => i !== index);
}

/** A stable string for a path: indexes and keys compare as text, as they arrive from the server. */
export function pathKey(path: Path): string {
  return JSON.stringify(path.map(String));
}

/** `data-path` attribute value of a field (dot-separated, for focusing it from a problems list). */
export function pathAttr(path: Path): string {
  return path.map(String).join('.');
}

/** A DOM-id-safe suffix for a path ("cases-0-id"); callers prefix it with their own unique id. */
export function pathId(path: Path): string {
  return path.map((seg) => String(seg).replace(/[^A-Za-z0-9_-]/g, '_')).join('-');
}

// DOM ids of generated fields: a child's id is its parent's id, a dot and its key or index; the
// parts of one field (help, errors, listbox) add a colon and a name. Keys cannot contain either
// separator once passed through pathId, so a property named "hint" never collides with a hint.

/** The DOM id of the field for `segment` under the field `id`. */
export function childId(id: string, segment: PathSegment): string {
  return `${id}.${pathId([segment])}`;
}

/** The DOM id of a part of the field `id` (its "hint", "error", "suggestions", …). */
export function partId(id: string, part: string): string {
  return `${id}:${part}`;
}
