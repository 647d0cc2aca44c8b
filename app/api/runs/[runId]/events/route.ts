// A run's events as Server-Sent Events for the studio. Each event's `id` is its sequence number, so
// a client reconnecting with Last-Event-ID (or ?after=N) resumes exactly where it stopped. The
// stream ends after `run_finished`.
import { and, eq } from 'drizzle-orm';
import { runs } from '@/db/schema';
import { readCookie, SESSION_COOKIE } from '@/server/auth/session-cookie';
import { getEngineRuntime } from '@/server/engine/runtime';
import { userForSessionToken } from '@/server/services/auth-service';
import { roleInWorkspace } from '@/server/services/workspace-service';

export const dynamic = 'force-dynamic';

const KEEP_ALIVE_MS = 15_000;

function problem(status: number, message: string) {
  return Response.json({ error: { message, status } }, { status });
}

export async function GET(req: Request, { params }: { params: Promise<{ runId: string }> }) {
  const { runId } = await params;
  if (!/^[0-9a-f-]{36}$/i.test(runId)) return problem(400, 'runId: must be a UUID');
  const { database, engine } = await getEngineRuntime();
  const db = database.db;
  const token = readCookie(req.headers.get('cookie'), SESSION_COOKIE);
  const user = token ? await userForSessionToken(db, token) : null;
  if (!user) return problem(401, 'Sign in first');
  const [run] = await db
    .select({ workspaceId: runs.workspaceId })
    .from(runs)
    .where(and(eq(runs.id, runId)));
  // Not a member looks the same as not existing.
  if (!run || !(await roleInWorkspace(db, run.workspaceId, user.id))) return problem(404, 'Run not found');

  const url = new URL(req.url);
  const resumeFrom = req.headers.get('last-event-id') ?? url.searchParams.get('after') ?? '0';
  if (!/^\d+$/.test(resumeFrom)) return problem(400, 'Last-Event-ID: must be a whole number');

  const encoder = new TextEncoder();
  const abort = new AbortController();
  req.signal.addEventListener('abort', () => abort.abort());
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      const keepAlive = setInterval(
        () => controller.enqueue(encoder.encode(': keep-alive\n\n')),
        KEEP_ALIVE_MS,
      );
      try {
        for await (const event of engine.events(runId, Number(resumeFrom), abort.signal)) {
          const payload = JSON.stringify({
            seq: event.seq,
            type: event.type,
            nodeId: event.nodeId,
            data: event.data,
            at: event.createdAt,
          });
          controller.enqueue(encoder.encode(`id: ${event.seq}\nevent: ${event.type}\ndata: ${payload}\n\n`));
        }
      } catch (error) {
        if (!abort.signal.aborted) console.error(`event stream of run ${runId} failed:`, error);
      } finally {
        clearInterval(keepAlive);
        try {
          controller.close();
        } catch {
          // the client went away first
        }
      }
    },
    cancel() {
      abort.abort();
    },
  });
  return new Response(stream, {
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    },
  });
}
