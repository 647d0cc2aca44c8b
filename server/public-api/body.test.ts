import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { readBody, readJsonBody } from './body';
import { ApiError } from './errors';

const request = (body: BodyInit, headers: Record<string, string> = {}) =>
  new Request('http://weft.test/api/v1/x', { method: 'POST', body, headers, duplex: 'half' } as RequestInit);

async function failure(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    const e = error as ApiError;
    return { status: e.status, code: e.code, message: e.message };
  }
  throw new Error('expected a failure');
}

describe('public API bodies', () => {
  it('refuses bodies over the limit by Content-Length and while reading', async () => {
    expect(await failure(readJsonBody(request('{}', { 'content-length': '2000' }), 1000))).toMatchObject({
      status: 413,
      code: 'too_large',
    });
    const chunks = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 5; i++) controller.enqueue(new Uint8Array(300).fill(32));
        controller.close();
      },
    });
    expect(await failure(readJsonBody(request(chunks), 1000))).toMatchObject({ status: 413 });
  });

  it('reads JSON, treats an empty body as {} and refuses invalid JSON', async () => {
    expect(await readJsonBody(request('{"a":1}'))).toEqual({ a: 1 });
    expect(await readJsonBody(request(''))).toEqual({});
    expect(await failure(readJsonBody(request('{"a":')))).toMatchObject({
      status: 400,
      code: 'invalid_param',
    });
  });

  it('names the first field at fault', async () => {
    const schema = z.object({ mode: z.enum(['a', 'b'], { error: 'must be a or b' }), n: z.number() });
    expect(await failure(readBody(request('{"mode":"c","n":"x"}'), schema))).toEqual({
      status: 400,
      code: 'invalid_param',
      message: 'mode: must be a or b',
    });
  });
});
