// The `{{` autocomplete of text fields, as pure functions: spotting a reference being typed at the
// caret, ranking the offered references against what has been typed, and splicing the chosen one
// into the text.

/** A value a config may reference, e.g. { label: 'Summarise › text', value: '{{summarise.text}}' }. */
export interface ReferenceOption {
  label: string;
  value: string;
}

/** A `{{` being typed: it spans [start, end) and `query` is what follows the braces so far. */
export interface Trigger {
  start: number;
  end: number;
  query: string;
}

// What may appear between `{{` and the caret while a reference is being typed (see
// workflows/dsl/references.ts: dotted identifiers, `-` inside names, list indexes).
const TYPING = /^\s*[A-Za-z0-9_.-]*$/;
// The rest of a reference after the caret, when the caret sits inside one: replaced on insert.
const REST = /^[A-Za-z0-9_.-]*\s*\}\}/;

/** The reference being typed at `caret`, or null when the caret is not inside an open `{{`. */
export function findTrigger(text: string, caret: number): Trigger | null {
  if (caret < 2 || caret > text.length) return null;
  const before = text.slice(0, caret);
  const open = before.lastIndexOf('{{');
  if (open < 0) return null;
  const query = before.slice(open + 2);
  if (!TYPING.test(query)) return null;
  const rest = REST.exec(text.slice(caret));
  return { start: open, end: caret + (rest ? rest[0].length : 0), query: query.trim() };
}

/** The part of an option's value a builder types after `{{` (its text without the braces). */
function body(option: ReferenceOption): string {
  return option.value.replace(/^\{\{\s*/, '').replace(/\s*\}\}$/, '');
}

/**
 * Options matching `query` (case-insensitive), best first: the reference starting with it, then
 * the label starting with it, then either containing it. Ties keep the caller's order.
 */
export function filterReferences(
  options: readonly ReferenceOption[],
  query: string,
  limit = 50,
): ReferenceOption[] {
  const q = query.trim().toLowerCase();
  if (!q) return options.slice(0, limit);
  const ranked: { option: ReferenceOption; rank: number; index: number }[] = [];
  options.forEach((option, index) => {
    const ref = body(option).toLowerCase();
    const label = option.label.toLowerCase();
    const rank = ref.startsWith(q)
      ? 0
      : label.startsWith(q)
        ? 1
        : ref.includes(q) || label.includes(q)
          ? 2
          : -1;
    if (rank >= 0) ranked.push({ option, rank, index });
  });
  ranked.sort((a, b) => a.rank - b.rank || a.index - b.index);
  return ranked.slice(0, limit).map((r) => r.option);
}

/** `text` with [start, end) replaced by `insertion`, and the caret just after the insertion. */
export function replaceRange(
  text: string,
  start: number,
  end: number,
  insertion: string,
): { text: string; caret: number } {
  return { text: text.slice(0, start) + insertion + text.slice(end), caret: start + insertion.length };
}

/** `text` with the reference being typed replaced by the chosen one. */
export function insertReference(
  text: string,
  trigger: Trigger,
  value: string,
): { text: string; caret: number } {
  return replaceRange(text, trigger.start, trigger.end, value);
}

/** The secrets a config may use, as options: `{{secrets.NAME}}`. */
export function secretOptions(names: readonly string[]): ReferenceOption[] {
  return names.map((name) => ({ label: `Secret › ${name}`, value: `{{secrets.${name}}}` }));
}
