// Talks to a running Weft server the way the studio does: tRPC over HTTP (superjson, with the
// session cookie and a same-origin header) and a run's Server-Sent Events stream.
import superjson from 'superjson';

export interface SseEvent {
  id: number;
  event: string;
  data: { seq: number; type: string; nodeId: string | null; data: Record<string, unknown> };
}

/** Reads a whole SSE response (the server ends it after run_finished). */
export async function readEvents(res: Response): Promise<SseEvent[]> {
  const text = await res.text();
  return text
    .split('\n\n')
    .filter((block) => block.includes('data: '))
    .map((block) => {
      const field = (name: string) =>
        block
          .split('\n')
          .find((l) => l.startsWith(`${name}: `))
          ?.slice(name.length + 2) ?? '';
      return { id: Number(field('id')), event: field('event'), data: JSON.parse(field('data')) };
    });
}

export function weftHttpClient(baseUrl: string) {
  let cookie = '';
  const unwrap = async (procedure: string, res: Response) => {
    const setCookie = res.headers.get('set-cookie');
    if (setCookie) cookie = setCookie.split(';')[0] ?? '';
    const body = (await res.json()) as { result?: { data: { json: unknown } }; error?: unknown };
    if (!res.ok) throw new Error(`${procedure} failed: ${JSON.stringify(body.error)}`);
    return body.result?.data.json as Record<string, unknown>;
  };
  return {
    get cookie() {
      return cookie;
    },
    /** A tRPC mutation. */
    async call(procedure: string, input: unknown) {
      const res = await fetch(`${baseUrl}/api/trpc/${procedure}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie, origin: baseUrl },
        body: JSON.stringify(superjson.serialize(input)),
      });
      return unwrap(procedure, res);
    },
    /** A tRPC query. */
    async query(procedure: string, input: unknown) {
      const encoded = encodeURIComponent(JSON.stringify(superjson.serialize(input)));
      return unwrap(
        procedure,
        await fetch(`${baseUrl}/api/trpc/${procedure}?input=${encoded}`, { headers: { cookie } }),
      );
    },
    /** The run's events from the start, or after `lastEventId`, until run_finished. */
    async events(runId: string, lastEventId?: number) {
      const headers: Record<string, string> = { cookie };
      if (lastEventId !== undefined) headers['last-event-id'] = String(lastEventId);
      return readEvents(await fetch(`${baseUrl}/api/runs/${runId}/events`, { headers }));
    },
  };
}
