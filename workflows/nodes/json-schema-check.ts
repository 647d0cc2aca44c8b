// A small JSON Schema checker for model answers: the subset structured output relies on (type,
// properties, required, items, enum). Unknown keywords are ignored rather than rejected, so a
// richer schema still works, just checked less strictly. Problems carry JSONPath-like locations
// ($.items[2].name) because they are shown to the model when asking it to repair its answer.

export interface SchemaProblem {
  /** Where in the value, e.g. `$.address.city` or `$.tags[0]`. */
  path: string;
  message: string;
}

type Schema = Record<string, unknown>;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function childPath(path: string, key: string): string {
  return IDENTIFIER.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/** The JSON Schema type name of a value. */
export function typeOfJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function matchesType(value: unknown, type: string): boolean {
  const actual = typeOfJson(value);
  // Every integer is also a number.
  return actual === type || (type === 'number' && actual === 'integer');
}

/** A short preview of the offending value for messages. */
function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

function check(value: unknown, schema: unknown, path: string, out: SchemaProblem[]): void {
  // `true`, `{}` and anything that is not a schema object accept every value.
  if (!isRecord(schema)) {
    if (schema === false) out.push({ path, message: 'no value is allowed here' });
    return;
  }
  const s: Schema = schema;
  const types = typeof s.type === 'string' ? [s.type] : Array.isArray(s.type) ? s.type : undefined;
  if (types && !types.some((t) => typeof t === 'string' && matchesType(value, t))) {
    out.push({ path, message: `expected ${types.join(' or ')}, got ${preview(value)}` });
    // Deeper checks would only add noise about a value of the wrong kind.
    return;
  }
  if (Array.isArray(s.enum)) {
    const text = JSON.stringify(value);
    if (!s.enum.some((option) => JSON.stringify(option) === text)) {
      const options = s.enum.map((o) => JSON.stringify(o)).join(', ');
      out.push({ path, message: `must be one of ${options}, got ${preview(value)}` });
    }
  }
  if (isRecord(value)) {
    const properties = isRecord(s.properties) ? s.properties : {};
    if (Array.isArray(s.required)) {
      for (const name of s.required) {
        if (typeof name === 'string' && !Object.hasOwn(value, name)) {
          out.push({ path: childPath(path, name), message: 'is required' });
        }
      }
    }
    for (const [name, sub] of Object.entries(properties)) {
      if (Object.hasOwn(value, name)) check(value[name], sub, childPath(path, name), out);
    }
  }
  if (Array.isArray(value) && s.items !== undefined) {
    value.forEach((item, i) => {
      check(item, s.items, `${path}[${i}]`, out);
    });
  }
}

/** Every way `value` breaks `schema` (empty when it fits). */
export function checkJsonSchema(value: unknown, schema: unknown): SchemaProblem[] {
  const out: SchemaProblem[] = [];
  check(value, schema, '$', out);
  return out;
}

/** Problems as `path: message` lines, capped so a hopeless answer does not flood the message. */
export function formatProblems(problems: SchemaProblem[], max = 10): string[] {
  const lines = problems.slice(0, max).map((p) => `${p.path}: ${p.message}`);
  if (problems.length > max) lines.push(`(and ${problems.length - max} more)`);
  return lines;
}
