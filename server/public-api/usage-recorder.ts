// Usage rows of the published API (table api_requests): one per authenticated /api/v1 request,
// with its route pattern, status, latency and the run it started. The API must stay fast (hundreds
// of requests a second), so a request never waits for the database: rows wait in memory and are
// written in one multi-row insert about every second, or as soon as FLUSH_AT_ROWS are waiting. A
// failed write is logged and its rows dropped; stats are best effort, the API answer is what counts.
// Rows still waiting when the process dies are lost (at most about a second of traffic).
import { inArray } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { apiKeys, apiRequests, apps } from '@/db/schema';
import { directBodyOf, withDirectBody } from '@/server/http/api-fast-path';
import type { ApiCaller } from './auth';

export const FLUSH_AFTER_MS = 1_000;
export const FLUSH_AT_ROWS = 200;
/** While the database refuses writes, keep at most this many rows (the oldest go first). */
const MAX_WAITING = 20_000;
const MAX_ROUTE_LENGTH = 200;

export type ApiRequestRow = typeof apiRequests.$inferInsert;

interface Buffer {
  rows: ApiRequestRow[];
  timer: ReturnType<typeof setTimeout> | null;
}

const buffers = new Map<Db, Buffer>();
/** Inserts under way, so flushUsage() can wait for them. */
const writing = new Set<Promise<void>>();

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The fixed words of /api/v1 paths (chat-messages, human_input, run…): lower case, - and _. */
const WORD = /^[a-z][a-z_-]*$/;

/**
 * The route pattern of a request path: `/api/v1` dropped, ids (UUIDs, the route's parameter values,
 * anything that is not a plain word) replaced by `{id}`, so stats group by endpoint and the column
 * cannot grow one value per id.
 */
export function routePattern(pathname: string, paramValues: readonly string[] = []): string {
  const params = new Set(paramValues);
  const rest = pathname.replace(/^\/api\/v1(?=\/|$)/, '');
  const segments = rest.split('/').map((segment, i) => {
    if (i === 0 || segment === '') return segment;
    let decoded = segment;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      // a malformed escape is not a word either
    }
    return UUID.test(decoded) || params.has(decoded) || !WORD.test(decoded) ? '{id}' : decoded;
  });
  return (segments.join('/') || '/').slice(0, MAX_ROUTE_LENGTH);
}

/** Queues one row; it is written within about FLUSH_AFTER_MS. Never throws, never waits. */
export function recordApiRequest(db: Db, row: ApiRequestRow): void {
  let buffer = buffers.get(db);
  if (!buffer) {
    buffer = { rows: [], timer: null };
    buffers.set(db, buffer);
  }
  buffer.rows.push(row);
  if (buffer.rows.length > MAX_WAITING) buffer.rows.splice(0, buffer.rows.length - MAX_WAITING);
  if (buffer.rows.length >= FLUSH_AT_ROWS) {
    startFlush(db, buffer);
  } else if (!buffer.timer) {
    buffer.timer = setTimeout(() => startFlush(db, buffer), FLUSH_AFTER_MS);
    // A waiting flush must not keep a process (a test, a CLI) alive on its own.
    buffer.timer.unref?.();
  }
}

function startFlush(db: Db, buffer: Buffer) {
  if (buffer.timer) clearTimeout(buffer.timer);
  buffer.timer = null;
  const rows = buffer.rows.splice(0);
  if (rows.length === 0) return;
  const write = insertRows(db, rows).catch((error: unknown) =>
    console.error(`recording ${rows.length} API request(s) failed:`, error),
  );
  writing.add(write);
  void write.finally(() => writing.delete(write));
}

/** Writes every waiting row now and waits for all writes under way (tests, shutdown). */
export async function flushUsage(): Promise<void> {
  for (const [db, buffer] of buffers) startFlush(db, buffer);
  await Promise.all([...writing]);
}

/** Rows not yet written, for tests. */
export function waitingUsageRows(): number {
  let count = 0;
  for (const buffer of buffers.values()) count += buffer.rows.length;
  return count;
}

function isForeignKeyViolation(error: unknown): boolean {
  // drizzle wraps the driver's error; PGlite and postgres.js both carry the SQLSTATE in `code`.
  for (let e: unknown = error; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause)
    if ((e as { code?: unknown }).code === '23503') return true;
  return false;
}

async function insertRows(db: Db, rows: ApiRequestRow[]): Promise<void> {
  try {
    await db.insert(apiRequests).values(rows);
  } catch (error) {
    if (!isForeignKeyViolation(error)) throw error;
    // An app (and with it its keys) was deleted while its rows waited: keep the others.
    const appIds = [...new Set(rows.map((r) => r.appId))];
    const keyIds = [...new Set(rows.flatMap((r) => (r.apiKeyId ? [r.apiKeyId] : [])))];
    const liveApps = new Set(
      (await db.select({ id: apps.id }).from(apps).where(inArray(apps.id, appIds))).map((a) => a.id),
    );
    const liveKeys = new Set(
      keyIds.length
        ? (await db.select({ id: apiKeys.id }).from(apiKeys).where(inArray(apiKeys.id, keyIds))).map(
            (k) => k.id,
          )
        : [],
    );
    const kept = rows
      .filter((r) => liveApps.has(r.appId))
      .map((r) => (r.apiKeyId && !liveKeys.has(r.apiKeyId) ? { ...r, apiKeyId: null } : r));
    if (kept.length > 0) await db.insert(apiRequests).values(kept);
  }
}

/** What the handler learns about a request while it runs: the run it started, if any. */
interface RequestUsage {
  runId: string | null;
}

// Keyed by the request's caller object (made fresh by authenticateRequest for every request and
// handed to every function that starts a run), so run-starting code needs no extra parameter.
const usageByCaller = new WeakMap<ApiCaller, RequestUsage>();

/** Tells the usage row of the caller's request which run it started (no-op outside /api/v1). */
export function noteRunForUsage(caller: ApiCaller, runId: string): void {
  const usage = usageByCaller.get(caller);
  if (usage) usage.runId = runId;
}

/**
 * Starts the usage row of an authenticated request; `finish` records it once the response is
 * known. `startedAt` is performance.now() when the request arrived.
 */
export function trackRequest(db: Db, req: Request, caller: ApiCaller, startedAt: number) {
  const usage: RequestUsage = { runId: null };
  usageByCaller.set(caller, usage);
  const createdAt = new Date(Date.now() - (performance.now() - startedAt));
  return {
    /** Records the row now (JSON), or when an event stream ends or is dropped. */
    finish(response: Response, paramValues: readonly string[]): Response {
      const streaming = /^text\/event-stream/i.test(response.headers.get('content-type') ?? '');
      const record = () =>
        recordApiRequest(db, {
          workspaceId: caller.workspaceId,
          appId: caller.app.id,
          apiKeyId: caller.keyId,
          method: req.method,
          route: routePattern(new URL(req.url).pathname, paramValues),
          status: response.status,
          streaming,
          latencyMs: Math.round((performance.now() - startedAt) * 100) / 100,
          runId: usage.runId,
          createdAt,
        });
      if (!streaming || !response.body) {
        record();
        return response;
      }
      return observeBody(response, record);
    },
  };
}

/**
 * The same response whose body calls `onEnd` once, when it has been read to the end, fails, or is
 * cancelled (the client went away). Chunks pass straight through: the stream pulls from the
 * original only when its reader asks (high-water mark 0), so nothing is buffered here. A body that
 * writes itself (withDirectBody) still does, and `onEnd` follows its end.
 */
export function observeBody(response: Response, onEnd: () => void): Response {
  const body = response.body;
  if (!body) {
    onEnd();
    return response;
  }
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    onEnd();
  };
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          reader ??= body.getReader();
          const { done, value } = await reader.read();
          if (done) {
            end();
            controller.close();
          } else {
            controller.enqueue(value);
          }
        } catch (error) {
          end();
          controller.error(error);
        }
      },
      cancel(reason) {
        end();
        return (reader ?? body).cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
  const observed = new Response(stream, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
  const direct = directBodyOf(response);
  if (!direct) return observed;
  return withDirectBody(observed, (sink) =>
    direct({
      write: (chunk) => sink.write(chunk),
      end: () => {
        sink.end();
        end();
      },
    }),
  );
}
