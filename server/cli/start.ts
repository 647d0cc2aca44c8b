// `npm start`: validates the configuration (stopping with a message naming any bad variable),
// builds the app when the build is missing or stale, then serves it (server/cli/serve.ts: Next.js
// behind Node's HTTP server, with the published API's short way in).
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { ConfigError, loadConfig } from '../config';
import { buildIsStale } from './build-freshness';

/**
 * The server's young generation is fixed at 64 MB a half instead of V8's default, which shrinks to a
 * few MB while the server is quiet and grows to 16 MB at most. Shrunk, the first second of a burst of
 * streams promotes most of their short-lived objects and a full collection follows mid-burst; at
 * 16 MB a busy server still collects several times a second, each pause holding every stream up
 * (50 streams: a collection every ~170 ms, 6–15 ms each). At 64 MB they are about four times rarer
 * and, side by side with 16 MB, the first token's p99 at 50 streams was lower in every round. It
 * costs memory: about 40 MB more than the default at rest, up to about 100 MB once the server has
 * been busy. An operator who would rather save that sets the size in NODE_OPTIONS
 * (--max-semi-space-size), which then replaces these flags. Web processes forked for
 * WEFT_WEB_PROCESSES inherit them.
 */
const SERVER_NODE_FLAGS = process.env.NODE_OPTIONS?.includes('semi-space-size')
  ? []
  : ['--min-semi-space-size=64', '--max-semi-space-size=64'];

function main() {
  let port: number;
  let dataDir: string;
  try {
    const cfg = loadConfig();
    port = cfg.PORT;
    dataDir = cfg.WEFT_DATA_DIR;
    console.log(`Weft: ${cfg.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite in ${dataDir}`}`);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }

  const next = path.join(process.cwd(), 'node_modules', '.bin', 'next');
  if (buildIsStale()) {
    console.log('Weft: building the app (first start or changed sources)…');
    const build = spawnSync(next, ['build'], { stdio: 'inherit', env: process.env });
    if (build.status !== 0) process.exit(build.status ?? 1);
  }

  console.log(`Weft: starting on http://localhost:${port}`);
  const tsx = path.join(process.cwd(), 'node_modules', '.bin', 'tsx');
  const server = spawn(tsx, [...SERVER_NODE_FLAGS, path.join(process.cwd(), 'server', 'cli', 'serve.ts')], {
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production', PORT: String(port), WEFT_DATA_DIR: dataDir },
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => server.kill(signal));
  server.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
}

main();
