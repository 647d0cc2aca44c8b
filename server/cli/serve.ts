// The web server `npm start` runs: Next.js (production build) behind Node's own HTTP server, so
// that requests to the published API (/api/v1) can take the short way to their handlers (see
// server/http/api-fast-path.ts) while everything else goes through Next as with `next start`.
import { createServer } from 'node:http';
import next from 'next';
import { registeredApiRoutes, serveWithHandler } from '../http/api-fast-path';
import { MAX_BODY_BYTES } from '../public-api/body';

async function main() {
  const port = Number(process.env.PORT ?? 3000);
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
    void handle(req, res);
  });
  server.listen(port, () => {
    console.log(`Weft: listening on port ${port}`);
    // A preflight through Next loads the /api/v1 routes, which hand their table to the short way.
    fetch(`http://127.0.0.1:${port}/api/v1/info`, { method: 'OPTIONS' }).catch((error: unknown) => {
      console.error('Weft: loading the /api/v1 routes failed:', error);
    });
  });
  const stop = () => {
    server.close();
    void app.close().finally(() => process.exit(0));
    // Open streams (SSE) would keep close() waiting: do not wait for them for long.
    setTimeout(() => process.exit(0), 3_000).unref();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
