// `npm run worker`: runs an embedded worker alone (no web server) against the configured database.
// Useful with PostgreSQL (DATABASE_URL) to add workers beside the web process, which then can run
// with WEFT_WEB_WORKER=false. With WEFT_WORKER_EXIT_WHEN_IDLE=true it exits once nothing is due.
import { ConfigError, config } from '@/server/config';
import { getEngineRuntime, startProcessWorker } from '@/server/engine/runtime';
import { hasPendingWork } from '@/workflows/engines/embedded/leases';

async function main() {
  try {
    config();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const runtime = await getEngineRuntime();
  const worker = await startProcessWorker();
  console.log(
    `Weft worker ${worker.id} started (${runtime.database.kind}, ${config().WEFT_WORKER_CONCURRENCY} at a time)`,
  );

  const shutdown = async () => {
    await worker.stop();
    await runtime.bus.close();
    await runtime.database.close();
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);

  if (process.env.WEFT_WORKER_EXIT_WHEN_IDLE === 'true') {
    const check = setInterval(async () => {
      if (worker.activeRuns === 0 && !(await hasPendingWork(runtime.database.db))) {
        clearInterval(check);
        await shutdown();
      }
    }, 200);
  }
}

main().catch((error: unknown) => {
  console.error('Weft worker failed to start:', error);
  process.exit(1);
});
