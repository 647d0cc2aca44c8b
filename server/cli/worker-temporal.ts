// `npm run worker:temporal`: a Temporal worker for Weft runs. Needs TEMPORAL_ADDRESS and
// DATABASE_URL (the same database as the web process, which stays the source of truth for what the
// studio shows). Start as many as the load needs, on any machines that reach both.
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { getDatabase } from '@/db/client';
import { ConfigError, config } from '@/server/config';
import { createEngineRuntime, temporalSettingsFrom } from '@/server/engine/runtime';
import { startTemporalWorkerFor } from '@/server/engine/temporal-worker';
import { bundleWorkflows } from '@/workflows/engines/temporal/worker';

async function main() {
  let settings: ReturnType<typeof temporalSettingsFrom>;
  try {
    settings = temporalSettingsFrom(config());
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  if (!settings) {
    console.error(
      'TEMPORAL_ADDRESS is not set: there is no Temporal cluster to work for (see README, "Running on Temporal")',
    );
    process.exit(1);
  }
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const database = await getDatabase();
  // The runtime's own engine is not used here; it provides the bus and database the activities write to.
  const runtime = await createEngineRuntime(database, null);
  const startedAt = Date.now();
  const running = await startTemporalWorkerFor(runtime, settings, {
    workflowBundle: await bundleWorkflows(),
    maxConcurrentActivities: config().WEFT_WORKER_CONCURRENCY,
  });
  console.log(
    `Weft Temporal worker ready in ${Date.now() - startedAt} ms: ${settings.address}, namespace ${settings.namespace}, task queue ${settings.taskQueue}`,
  );
  // The worker stops on SIGINT / SIGTERM by itself, finishing what it has in hand.
  await running.done;
  await runtime.close();
  await database.close();
}

main().catch((error: unknown) => {
  console.error('Weft Temporal worker failed:', error);
  process.exit(1);
});
