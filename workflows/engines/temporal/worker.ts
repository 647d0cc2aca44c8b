// A Temporal worker for Weft runs: the workflow code (the interpreter) bundled for Temporal's
// sandbox, and the activities that run nodes and write to Postgres. Any number of these processes
// may poll one task queue; each also needs the database.
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, DefaultLogger, type NativeConnection, Worker } from '@temporalio/worker';
import type { TemporalActivities } from './contract';

const WORKFLOWS_PATH = fileURLToPath(new URL('./workflow.ts', import.meta.url));
const REPOSITORY_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Bundled workflow code, in memory or in a file written earlier. */
export type WorkflowBundle = { code: string } | { codePath: string };

/** Bundles the workflow function and the interpreter (webpack; a few seconds). */
export async function bundleWorkflows(): Promise<{ code: string }> {
  const bundle = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    // webpack's module report is noise; problems still surface as errors.
    logger: new DefaultLogger('WARN'),
    webpackConfigHook: (config) => ({
      ...config,
      resolve: {
        ...config.resolve,
        alias: { ...(config.resolve?.alias as Record<string, string> | undefined), '@': REPOSITORY_ROOT },
      },
    }),
  });
  return { code: bundle.code };
}

export interface TemporalWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  workflowBundle: WorkflowBundle;
  activities: TemporalActivities;
  /** Node attempts this worker runs at once. */
  maxConcurrentActivities?: number;
  /**
   * How long a workflow task waits for this worker's cache before any worker may take it; short
   * values let a replacement continue sooner after a crash.
   */
  stickyQueueScheduleToStartTimeoutMs?: number;
  identity?: string;
}

export function createTemporalWorker(opts: TemporalWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    workflowBundle: opts.workflowBundle,
    activities: opts.activities,
    ...(opts.maxConcurrentActivities
      ? { maxConcurrentActivityTaskExecutions: opts.maxConcurrentActivities }
      : {}),
    ...(opts.stickyQueueScheduleToStartTimeoutMs
      ? { stickyQueueScheduleToStartTimeout: opts.stickyQueueScheduleToStartTimeoutMs }
      : {}),
    ...(opts.identity ? { identity: opts.identity } : {}),
  });
}
