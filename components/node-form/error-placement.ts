// Puts the server's validation problems next to the field that shows them. A problem's path can
// point below what the form renders as separate controls (into a JSON value, past a list the value
// does not have yet), so each problem goes to the deepest field on its path that exists. Pure.
import { unionIndexOf, variantIndexOf } from './field-defaults';
import type { FieldModel } from './field-model';
import { type Path, type PathSegment, pathKey } from './value-path';

export interface FieldError {
  path: PathSegment[];
  message: string;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

interface Step {
  model: FieldModel;
  value: unknown;
}

/** The model one segment below, when the form renders that segment as a field of its own. */
function step(model: FieldModel, value: unknown, seg: PathSegment): Step | null {
  const key = String(seg);
  const child = isPlainObject(value) ? value[key] : Array.isArray(value) ? value[Number(seg)] : undefined;
  switch (model.kind) {
    case 'object': {
      const prop = model.properties.find((p) => p.key === key);
      return prop ? { model: prop.model, value: child } : null;
    }
    case 'variants': {
      // The discriminator's select is a field at [...path, discriminator].
      if (key === model.discriminator)
        return { model: { hasDefault: false, kind: 'const', value: null }, value: child };
      const variant = model.variants[variantIndexOf(model, value)];
      const prop = variant?.fields.properties.find((p) => p.key === key);
      return prop ? { model: prop.model, value: child } : null;
    }
    case 'record':
      return { model: model.values, value: child };
    case 'array': {
      const index = Number(seg);
      if (!Number.isInteger(index) || !Array.isArray(value) || index < 0 || index >= value.length)
        return null;
      return { model: model.items, value: child };
    }
    case 'union': {
      // The chosen option renders at the union's own path, so look one level into it.
      const option = model.options[Math.max(0, unionIndexOf(model, value))];
      return option ? step(option.model, value, seg) : null;
    }
    default:
      return null;
  }
}

/** The longest prefix of `path` that the form renders as a field. */
export function nearestFieldPath(model: FieldModel, value: unknown, path: Path): PathSegment[] {
  const out: PathSegment[] = [];
  let current: Step = { model, value };
  for (const seg of path) {
    const next = step(current.model, current.value, seg);
    if (!next) break;
    // Keep numbers for list indexes so the key matches the path the form renders with.
    out.push(current.model.kind === 'array' ? Number(seg) : seg);
    current = next;
  }
  return out;
}

/** Messages by the `pathKey` of the field that shows them. */
export function placeErrors(
  model: FieldModel,
  value: unknown,
  errors: readonly FieldError[],
): Map<string, string[]> {
  const placed = new Map<string, string[]>();
  for (const error of errors) {
    const at = nearestFieldPath(model, value, error.path);
    const key = pathKey(at);
    const deeper = error.path.slice(at.length);
    // A problem inside a JSON value says where, since its field cannot point at it.
    const message = deeper.length > 0 ? `${deeper.join('.')}: ${error.message}` : error.message;
    placed.set(key, [...(placed.get(key) ?? []), message]);
  }
  return placed;
}
