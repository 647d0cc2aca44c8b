// Request bodies of /api/v1: JSON of at most MAX_BODY_BYTES (checked against Content-Length up
// front and again while reading, since the header may be absent or wrong), then checked with a zod
// schema whose first problem becomes a 400 naming the field, e.g. "response_mode: must be …".
import type { z } from 'zod';
import { ApiError } from './errors';

export const MAX_BODY_BYTES = 1024 * 1024;

const tooLarge = (limit: number) =>
  new ApiError(413, 'too_large', `Request body exceeds ${Math.round(limit / 1024)} KB`);

/** The raw body as text, refusing more than `limit` bytes. */
export async function readBodyText(req: Request, limit = MAX_BODY_BYTES): Promise<string> {
  const declared = req.headers.get('content-length');
  if (declared !== null && /^\d+$/.test(declared) && Number(declared) > limit) throw tooLarge(limit);
  if (!req.body) return '';
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

/** The body parsed as JSON; an empty body counts as `{}`. */
export async function readJsonBody(req: Request, limit = MAX_BODY_BYTES): Promise<unknown> {
  const text = await readBodyText(req, limit);
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, 'invalid_param', 'Request body is not valid JSON');
  }
}

/** `path.to.field: message` for a zod issue path. */
export function issueMessage(issue: { path: PropertyKey[]; message: string }): string {
  const field = issue.path.map(String).join('.');
  return field ? `${field}: ${issue.message}` : issue.message;
}

/** The value checked against `schema`; the first problem becomes a 400 `invalid_param`. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const first = result.error.issues[0];
  throw new ApiError(400, 'invalid_param', first ? issueMessage(first) : 'Invalid request');
}

/** Reads and checks a JSON body in one go. */
export async function readBody<S extends z.ZodType>(req: Request, schema: S): Promise<z.output<S>> {
  return parseWith(schema, await readJsonBody(req));
}
