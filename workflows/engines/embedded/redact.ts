// Keeps secret values out of everything the engine stores: each occurrence of a secret's value in
// a string (step inputs, outputs, errors, logs, events, run outputs) becomes `[secret:NAME]`.

export type Redactor = <T>(value: T) => T;

export const noRedaction: Redactor = (value) => value;

/** Values shorter than this are not redacted: they would match ordinary text. */
const MIN_SECRET_LENGTH = 4;

export function createRedactor(secrets: Record<string, string>): Redactor {
  // Longest first, so a secret containing another is replaced whole.
  const entries = Object.entries(secrets)
    .filter(([, value]) => value.length >= MIN_SECRET_LENGTH)
    .sort((a, b) => b[1].length - a[1].length);
  if (entries.length === 0) return noRedaction;
  const redactString = (text: string) =>
    entries.reduce(
      (out, [name, value]) => (out.includes(value) ? out.split(value).join(`[secret:${name}]`) : out),
      text,
    );
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') return redactString(value);
    if (Array.isArray(value)) return value.map(walk);
    if (value && typeof value === 'object' && !(value instanceof Date)) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v)]));
    }
    return value;
  };
  return <T>(value: T) => walk(value) as T;
}
