// Human-readable names for schema property keys, list items and problem paths. The server's
// schemas carry camelCase keys (`maxResponseBytes`, `timeoutMs`); builders should read words.

// Words that read better as acronyms or units than as capitalised words.
const WORDS: Record<string, string> = {
  id: 'ID',
  url: 'URL',
  uri: 'URI',
  http: 'HTTP',
  json: 'JSON',
  api: 'API',
  llm: 'LLM',
  uuid: 'UUID',
};
// Trailing unit suffixes: `timeoutMs` is a timeout in milliseconds, not a "Timeout ms".
const UNITS: Record<string, string> = { ms: '(ms)', mb: '(MB)', kb: '(KB)' };

function words(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[\s_.-]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

/** `maxResponseBytes` → "Max response bytes", `timeoutMs` → "Timeout (ms)", `providerId` → "Provider ID". */
export function humanise(key: string): string {
  if (key === 'ms') return 'Milliseconds';
  const parts = words(key);
  if (parts.length === 0) return key;
  const out = parts.map((w, i) => {
    if (i > 0 && i === parts.length - 1 && UNITS[w]) return UNITS[w];
    if (WORDS[w]) return WORDS[w];
    return i === 0 ? w.charAt(0).toUpperCase() + w.slice(1) : w;
  });
  return out.join(' ');
}

/** The singular of a list's name, for its items ("Cases" → "Case", "Classes" → "Class"). */
export function singular(label: string): string {
  if (/sses$/i.test(label)) return label.slice(0, -2);
  if (/ies$/i.test(label)) return `${label.slice(0, -3)}y`;
  if (/[^s]s$/i.test(label)) return label.slice(0, -1);
  return label;
}

/** Where a problem sits, for people: ['config', 'cases', 0, 'id'] → "Config › Cases › 1 › ID". */
export function pathLabel(path: readonly (string | number)[]): string {
  return path.map((seg) => (typeof seg === 'number' ? String(seg + 1) : humanise(seg))).join(' › ');
}

/** A schema value shown inside a sentence or an option ("Default: 30000"). */
export function displayValue(value: unknown): string {
  if (typeof value === 'string') return value === '' ? '(empty)' : value;
  return JSON.stringify(value) ?? String(value);
}
