// The mock OpenAI server's /v1/embeddings: deterministic unit vectors derived from a hash of each
// input, as floats or base64 float32, with the requested number of dimensions.
import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { approxTokens, badRequest, isRecord, type MockReply, type Responder } from './mock-openai-shared';

const DEFAULT_EMBEDDING_DIMENSIONS = 16;

function embeddingInputs(body: Record<string, unknown>): string[] {
  const { input } = body;
  if (typeof input === 'string') return [input];
  if (Array.isArray(input) && input.length > 0) {
    if (input.every((x) => typeof x === 'string')) return input.map(String);
    // Token arrays (number[] or number[][]): hash their JSON form.
    if (input.every((x) => typeof x === 'number')) return [JSON.stringify(input)];
    if (input.every((x) => Array.isArray(x))) return input.map((x) => JSON.stringify(x));
  }
  throw badRequest("'input' must be a string or a non-empty array.", 'input');
}

/** Deterministic unit vector derived from a SHA-256 hash of the text. */
export function mockEmbedding(text: string, dimensions = DEFAULT_EMBEDDING_DIMENSIONS): number[] {
  const values: number[] = [];
  let block = 0;
  while (values.length < dimensions) {
    const digest = createHash('sha256').update(`${block}\u0000${text}`).digest();
    for (let i = 0; i + 4 <= digest.length && values.length < dimensions; i += 4) {
      values.push(digest.readUInt32LE(i) / 0xffffffff - 0.5);
    }
    block++;
  }
  const norm = Math.sqrt(values.reduce((sum, v) => sum + v * v, 0)) || 1;
  // Rounded to float32 so the float and base64 encodings decode to identical numbers.
  return values.map((v) => Math.fround(v / norm));
}

/**
 * Answers POST /v1/embeddings; throws `HttpError` for a malformed request. A valid request
 * consumes the first queued reply only when it is an error (`status` >= 400), and answers with it.
 */
export function handleEmbeddings(
  io: Responder,
  res: ServerResponse,
  body: unknown,
  queue: MockReply[],
): void {
  if (!isRecord(body)) throw badRequest('Request body must be a JSON object.');
  const inputs = embeddingInputs(body);
  const { dimensions, encoding_format: encoding } = body;
  if (
    dimensions !== undefined &&
    (typeof dimensions !== 'number' || !Number.isInteger(dimensions) || dimensions < 1)
  ) {
    throw badRequest("'dimensions' must be a positive integer.", 'dimensions');
  }
  if (encoding !== undefined && encoding !== 'float' && encoding !== 'base64') {
    throw badRequest("'encoding_format' must be 'float' or 'base64'.", 'encoding_format');
  }
  const head = queue[0];
  if (head?.status !== undefined && head.status >= 400) {
    queue.shift();
    io.replyError(res, head);
    return;
  }
  const dims = typeof dimensions === 'number' ? dimensions : DEFAULT_EMBEDDING_DIMENSIONS;
  const data = inputs.map((text, index) => {
    const vector = mockEmbedding(text, dims);
    const bytes = Buffer.from(new Float32Array(vector).buffer);
    const embedding = encoding === 'base64' ? bytes.toString('base64') : vector;
    return { object: 'embedding', index, embedding };
  });
  const tokens = inputs.reduce((sum, text) => sum + approxTokens(text), 0);
  io.json(res, 200, {
    object: 'list',
    data,
    model: typeof body.model === 'string' ? body.model : 'mock-embed',
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  });
}
