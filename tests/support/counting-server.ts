// A local HTTP server standing in for a remote API that workflow nodes call: it counts requests per
// path, remembers idempotency keys, tracks how many requests are in flight at once, and can be told
// to answer slowly or with errors.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Behaviour {
  delayMs?: number;
  /** Status codes to answer with, one per request, before falling back to 200. */
  statuses?: number[];
  /** A JSON body to answer with instead of the default description of the request. */
  body?: unknown;
}

export interface CountingServer {
  url: string;
  counts(path: string): number;
  idempotencyKeys(path: string): string[];
  /** When each request to `path` arrived (Date.now()). */
  arrivals(path: string): number[];
  /** Authorization headers received on `path`. */
  authorizations(path: string): string[];
  maxInFlight(prefix?: string): number;
  /** Resolves when `path` has been requested `times` times. */
  reached(path: string, times?: number): Promise<void>;
  behave(path: string, behaviour: Behaviour): void;
  close(): Promise<void>;
}

export async function startCountingServer(defaults: Behaviour = {}): Promise<CountingServer> {
  const hits = new Map<string, { count: number; keys: string[]; auth: string[]; at: number[] }>();
  const behaviours = new Map<string, Behaviour>();
  const waiters: { path: string; times: number; resolve: () => void }[] = [];
  const inFlight = new Map<string, number>();
  const peaks = new Map<string, number>();

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const entry = hits.get(path) ?? { count: 0, keys: [], auth: [], at: [] };
    entry.at.push(Date.now());
    if (req.headers.authorization) entry.auth.push(req.headers.authorization);
    entry.count += 1;
    const key = req.headers['idempotency-key'];
    if (typeof key === 'string') entry.keys.push(key);
    hits.set(path, entry);
    for (const w of [...waiters]) if (w.path === path && entry.count >= w.times) w.resolve();

    const prefix = path.split('/').slice(0, 2).join('/');
    for (const p of ['*', prefix]) {
      const now = (inFlight.get(p) ?? 0) + 1;
      inFlight.set(p, now);
      peaks.set(p, Math.max(peaks.get(p) ?? 0, now));
    }
    const behaviour = { ...defaults, ...behaviours.get(path) };
    const status = behaviour.statuses?.[entry.count - 1] ?? 200;
    if (behaviour.delayMs) await new Promise((r) => setTimeout(r, behaviour.delayMs));
    for (const p of ['*', prefix]) inFlight.set(p, (inFlight.get(p) ?? 1) - 1);
    res.writeHead(status, { 'content-type': 'application/json' });
    const answer = behaviour.body ?? {
      path,
      count: entry.count,
      ok: status < 400,
      auth: req.headers.authorization ?? null,
    };
    res.end(JSON.stringify(answer));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counts: (path) => hits.get(path)?.count ?? 0,
    idempotencyKeys: (path) => hits.get(path)?.keys ?? [],
    arrivals: (path) => hits.get(path)?.at ?? [],
    authorizations: (path) => hits.get(path)?.auth ?? [],
    maxInFlight: (prefix = '*') => peaks.get(prefix) ?? 0,
    reached: (path, times = 1) =>
      (hits.get(path)?.count ?? 0) >= times
        ? Promise.resolve()
        : new Promise((resolve) => waiters.push({ path, times, resolve })),
    behave: (path, behaviour) => behaviours.set(path, behaviour),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
