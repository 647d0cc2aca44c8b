// The web server `npm start` runs: Next.js (production build) behind Node's own HTTP server, so
// that requests to the published API (/api/v1) can take the short way to their handlers (see
// server/http/api-fast-path.ts) while everything else goes through Next as with `next start`.
// With WEFT_WEB_PROCESSES above 1 (PostgreSQL only) a primary process forks that many servers
// sharing the port, each with its own embedded worker, and replaces one that dies. Async hooks are
// off while no request is with Next (server/http/async-storage-idler.ts).
import cluster from 'node:cluster';
import { createServer } from 'node:http';
import next from 'next';
import { config } from '../config';
import { registeredApiRoutes, serveWithHandler } from '../http/api-fast-path';
import { installAsyncStorageIdler } from '../http/async-storage-idler';
import { MAX_BODY_BYTES } from '../public-api/body';

/** How long a stopping server waits for open streams (SSE) before it exits anyway. */
const STOP_GRACE_MS = 3_000;
/**
 * How long Next must have had no request before its async storages are disabled: long enough for
 * what a request leaves running just after its response closes.
 */
const NEXT_IDLE_MS = 1_000;

async function serveWeb() {
  const port = config().PORT;
  const idler = installAsyncStorageIdler(NEXT_IDLE_MS);
  const app = next({ dev: false, dir: process.cwd(), port });
  const handle = app.getRequestHandler();
  await app.prepare();
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    if (url.startsWith('/api/v1/')) {
      const query = url.indexOf('?');
      const route = registeredApiRoutes()?.(req.method ?? 'GET', query < 0 ? url : url.slice(0, query));
      if (route) {
        void serveWithHandler(req, res, route, MAX_BODY_BYTES);
        return;
      }
    }
    idler.requestStarted();
    res.once('close', idler.requestEnded);
    void handle(req, res);
  });
  server.listen(port, () => {
    if (cluster.isPrimary) console.log(`Weft: listening on port ${port}`);
    void loadApiRoutes(port);
  });
  const stop = () => {
    server.close();
    void app.close().finally(() => process.exit(0));
    setTimeout(() => process.exit(0), STOP_GRACE_MS).unref();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/**
 * Preflights through Next load the /api/v1 routes, which hand their table to the short way. With
 * several processes on one port a request may reach another process, so this repeats until this
 * process has the table (a handful of tries at most).
 */
async function loadApiRoutes(port: number) {
  for (let attempt = 0; attempt < 50 && !registeredApiRoutes(); attempt++) {
    await fetch(`http://127.0.0.1:${port}/api/v1/info`, { method: 'OPTIONS' }).catch(() => {});
    if (!registeredApiRoutes()) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (!registeredApiRoutes()) console.error('Weft: /api/v1 is served through Next only (routes not loaded)');
}

function servePrimary(processes: number) {
  let stopping = false;
  const fork = () => cluster.fork();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    console.error(`Weft: web process ${worker.process.pid} exited (${signal ?? code}); starting another`);
    setTimeout(fork, 1_000);
  });
  cluster.once('listening', () =>
    console.log(`Weft: listening on port ${config().PORT} (${processes} processes)`),
  );
  for (let i = 0; i < processes; i++) fork();
  const stop = (signal: NodeJS.Signals) => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
    setTimeout(() => process.exit(0), STOP_GRACE_MS + 2_000).unref();
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

const processes = config().WEFT_WEB_PROCESSES;
if (processes > 1 && cluster.isPrimary) servePrimary(processes);
else
  serveWeb().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
