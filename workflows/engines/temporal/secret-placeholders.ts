// Secret values never enter Temporal's history: the workflow resolves `{{secrets.NAME}}` to a
// placeholder, which the activity swaps for the value just before the node runs and which
// redaction puts back in everything stored or returned. The placeholder is redaction's own marker.

export function secretPlaceholder(name: string): string {
  return `[secret:${name}]`;
}

export function secretPlaceholders(names: string[]): Record<string, string> {
  return Object.fromEntries(names.map((name) => [name, secretPlaceholder(name)]));
}

/** `value` with each placeholder of a known secret replaced by the secret's value. */
export function fillSecrets<T>(value: T, secrets: Record<string, string>): T {
  const entries = Object.entries(secrets);
  if (entries.length === 0) return value;
  const fill = (text: string) =>
    entries.reduce((out, [name, secret]) => out.split(secretPlaceholder(name)).join(secret), text);
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return v.includes('[secret:') ? fill(v) : v;
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object')
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}
