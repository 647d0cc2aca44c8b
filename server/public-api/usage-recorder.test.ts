// The usage recorder without a database: route patterns hide ids, rows are written in one insert per
// second or per FLUSH_AT_ROWS, a failed write is logged (never thrown), and a watched event stream
// passes its chunks through and reports its end or cancellation once.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Db } from '@/db/client';
import { directBodyOf, withDirectBody } from '@/server/http/api-fast-path';
import {
  type ApiRequestRow,
  FLUSH_AFTER_MS,
  FLUSH_AT_ROWS,
  flushUsage,
  observeBody,
  recordApiRequest,
  routePattern,
  waitingUsageRows,
} from './usage-recorder';

const ID = '0b9e3c1e-6a55-4a8e-9a43-2f3b1f0c9d11';

/** A Db whose inserts are remembered (or fail, when told). */
function fakeDb(fail = false) {
  const batches: ApiRequestRow[][] = [];
  const db = {
    insert: () => ({
      values: async (rows: ApiRequestRow[]) => {
        if (fail) throw new Error('database down');
        batches.push(rows);
      },
    }),
  } as unknown as Db;
  return { db, batches };
}

const row = (n: number): ApiRequestRow => ({
  workspaceId: ID,
  appId: ID,
  apiKeyId: null,
  method: 'POST',
  route: '/chat-messages',
  status: 200,
  streaming: false,
  latencyMs: n,
  createdAt: new Date(),
});

afterEach(async () => {
  vi.useRealTimers();
  await flushUsage();
});

describe('routePattern', () => {
  it('drops /api/v1 and replaces ids with {id}', () => {
    expect(routePattern('/api/v1/chat-messages')).toBe('/chat-messages');
    expect(routePattern(`/api/v1/workflows/run/${ID}`)).toBe('/workflows/run/{id}');
    expect(routePattern(`/api/v1/chat-messages/${ID.toUpperCase()}/stop`)).toBe('/chat-messages/{id}/stop');
    expect(routePattern('/api/v1/conversations/abc/name', ['abc'])).toBe('/conversations/{id}/name');
    expect(routePattern('/api/v1/messages/123/feedbacks')).toBe('/messages/{id}/feedbacks');
    expect(routePattern('/api/v1/form/human_input/Tok_9x')).toBe('/form/human_input/{id}');
    expect(routePattern('/api/v1/chat/completions')).toBe('/chat/completions');
    expect(routePattern('/api/v1/conversations/%E0%A4%A')).toBe('/conversations/{id}');
    expect(routePattern('/api/v1')).toBe('/');
    expect(routePattern(`/api/v1/${'a'.repeat(500)}`).length).toBe(200);
  });
});

describe('recordApiRequest', () => {
  it('writes waiting rows in one insert after about a second, never at once', async () => {
    vi.useFakeTimers();
    const { db, batches } = fakeDb();
    recordApiRequest(db, row(1));
    recordApiRequest(db, row(2));
    expect(batches).toEqual([]);
    await vi.advanceTimersByTimeAsync(FLUSH_AFTER_MS - 1);
    expect(batches).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(batches.map((b) => b.map((r) => r.latencyMs))).toEqual([[1, 2]]);
    expect(waitingUsageRows()).toBe(0);
  });

  it('writes as soon as FLUSH_AT_ROWS rows wait', async () => {
    vi.useFakeTimers();
    const { db, batches } = fakeDb();
    for (let i = 0; i < FLUSH_AT_ROWS + 5; i++) recordApiRequest(db, row(i));
    await vi.advanceTimersByTimeAsync(0);
    expect(batches.map((b) => b.length)).toEqual([FLUSH_AT_ROWS]);
    await vi.advanceTimersByTimeAsync(FLUSH_AFTER_MS);
    expect(batches.map((b) => b.length)).toEqual([FLUSH_AT_ROWS, 5]);
  });

  it('logs a failed write instead of throwing', async () => {
    const { db } = fakeDb(true);
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    recordApiRequest(db, row(1));
    await flushUsage();
    expect(log).toHaveBeenCalledWith('recording 1 API request(s) failed:', expect.any(Error));
    log.mockRestore();
  });
});

describe('observeBody', () => {
  const source = (chunks: string[]) => {
    const encoder = new TextEncoder();
    let cancelled = false;
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const next = chunks.shift();
        if (next === undefined) controller.close();
        else controller.enqueue(encoder.encode(next));
      },
      cancel() {
        cancelled = true;
      },
    });
    const response = new Response(stream, { status: 201, headers: { 'content-type': 'text/event-stream' } });
    return { response, wasCancelled: () => cancelled };
  };

  it('passes the chunks through and reports the end once', async () => {
    const onEnd = vi.fn();
    const { response } = source(['data: 1\n\n', 'data: 2\n\n']);
    const watched = observeBody(response, onEnd);
    expect(watched.status).toBe(201);
    expect(watched.headers.get('content-type')).toBe('text/event-stream');
    expect(onEnd).not.toHaveBeenCalled();
    expect(await watched.text()).toBe('data: 1\n\ndata: 2\n\n');
    expect(onEnd).toHaveBeenCalledTimes(1);
  });

  it('reports a client going away, and cancels the original stream', async () => {
    const onEnd = vi.fn();
    const { response, wasCancelled } = source(['a', 'b', 'c']);
    const reader = observeBody(response, onEnd).body?.getReader();
    expect(new TextDecoder().decode((await reader?.read())?.value)).toBe('a');
    expect(onEnd).not.toHaveBeenCalled();
    await reader?.cancel();
    expect(onEnd).toHaveBeenCalledTimes(1);
    expect(wasCancelled()).toBe(true);
  });

  it('keeps a body that writes itself writing itself, and reports its end once', async () => {
    const onEnd = vi.fn();
    const { response } = source(['never read']);
    const written: string[] = [];
    let ends = 0;
    const writesItself = withDirectBody(response, (sink) => {
      sink.write(new TextEncoder().encode('data: 1\n\n'));
      sink.end();
    });
    const watched = observeBody(writesItself, onEnd);
    const direct = directBodyOf(watched);
    expect(direct).toBeDefined();
    direct?.({
      write: (chunk) => written.push(new TextDecoder().decode(chunk)),
      end: () => {
        ends += 1;
      },
    });
    expect(written).toEqual(['data: 1\n\n']);
    expect(ends).toBe(1);
    expect(onEnd).toHaveBeenCalledTimes(1);
  });
});
