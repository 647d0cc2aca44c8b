// A Temporal worker on a runtime's database: Weft's activities (node runners writing to Postgres)
// and the bundled workflow code, polling one task queue. Used by `npm run worker:temporal`, the
// conformance tests and the bench; never by the web process.
import { NativeConnection, type Worker } from '@temporalio/worker';
import { createTemporalActivities } from '@/workflows/engines/temporal/activities';
import { createTemporalWorker, type WorkflowBundle } from '@/workflows/engines/temporal/worker';
import { type EngineRuntime, engineCatalog, nodeServicesFor, type TemporalSettings } from './runtime';

export interface RunningTemporalWorker {
  worker: Worker;
  /** Resolves when the worker has stopped (after `stop()` or a shutdown signal). */
  done: Promise<void>;
  stop(): Promise<void>;
}

export async function startTemporalWorkerFor(
  runtime: EngineRuntime,
  settings: Pick<TemporalSettings, 'address' | 'namespace' | 'taskQueue'>,
  options: {
    workflowBundle: WorkflowBundle;
    maxConcurrentActivities?: number;
    stickyQueueScheduleToStartTimeoutMs?: number;
  },
): Promise<RunningTemporalWorker> {
  const connection = await NativeConnection.connect({ address: settings.address });
  const worker = await createTemporalWorker({
    connection,
    namespace: settings.namespace,
    taskQueue: settings.taskQueue,
    activities: createTemporalActivities({
      db: runtime.database.db,
      bus: runtime.bus,
      catalog: engineCatalog,
      ...nodeServicesFor(runtime.database),
    }),
    ...options,
  });
  const done = worker.run().finally(() => connection.close());
  return {
    worker,
    done,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}
