// The engines every conformance suite runs against: the embedded engine and Temporal (when the
// tier's dev server is up), each on a fresh PostgreSQL database with its own workers and, for
// Temporal, its own task queue. Runs are started, signalled and cancelled through Weft's normal
// API (the tRPC caller of a signed-up owner), so both engines are held to the same contract.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, inject } from 'vitest';
import { type Database, openDatabase } from '@/db/client';
import { runEvents, runSteps, runs } from '@/db/schema';
import {
  createEngineRuntime,
  createWorker,
  type EngineRuntime,
  type TemporalSettings,
} from '@/server/engine/runtime';
import { startTemporalWorkerFor } from '@/server/engine/temporal-worker';
import type { WorkflowDefinition } from '@/workflows/dsl/definition';
import type { EmbeddedWorker } from '@/workflows/engines/embedded/worker';
import type { Json } from '@/workflows/interpreter/types';
import { type Behaviour, type CountingServer, startCountingServer } from './counting-server';
import { freshPostgresUrl } from './databases';
import { type Caller, registerEngine, signUpUser } from './trpc-harness';

export type EngineName = 'embedded' | 'temporal';

export interface EngineUnderTestOptions {
  /** false: no worker in this process (a test starts worker processes itself). */
  inProcessWorker?: boolean;
  /** Temporal: history length after which a run continues as new. */
  continueAsNewAfterEvents?: number;
}

export interface WorkerProcess {
  child: ChildProcess;
  exited: Promise<number | null>;
  output(): string;
  /** Resolves once the worker says it is ready. */
  ready: Promise<void>;
}

export interface EngineUnderTest {
  name: EngineName;
  database: Database;
  runtime: EngineRuntime;
  /** The owner of the workspace the runs belong to, calling through tRPC. */
  caller: Caller;
  workspaceId: string;
  appId: string;
  /** Saves `definition` as the app's draft and runs it through `runs.start`. */
  start(definition: WorkflowDefinition, inputs?: Record<string, Json>): Promise<string>;
  waitFor(runId: string, statuses?: string[], timeoutMs?: number): Promise<typeof runs.$inferSelect>;
  events(runId: string): Promise<(typeof runEvents.$inferSelect)[]>;
  steps(runId: string): Promise<(typeof runSteps.$inferSelect)[]>;
  signal(runId: string, name: string, payload: Json): Promise<unknown>;
  cancel(runId: string): Promise<{ status: string }>;
  /** A worker in its own process (npm run worker / worker:temporal) on this engine's database. */
  spawnWorker(env?: Record<string, string>): WorkerProcess;
  close(): Promise<void>;
}

export const FINISHED = ['succeeded', 'partially_succeeded', 'failed', 'cancelled'];

const temporalAddress = inject('temporalAddress');
const workflowBundlePath = inject('workflowBundlePath');

/** The engines to run a suite on: embedded always, Temporal when the tier's dev server runs. */
export function conformanceEngines(): { name: EngineName }[] {
  return temporalAddress ? [{ name: 'embedded' }, { name: 'temporal' }] : [{ name: 'embedded' }];
}

let runtimeInstalled = false;
function installQuietTemporalRuntime() {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  Runtime.install({ logger: new DefaultLogger('WARN') });
}

let queueCounter = 0;

export async function startEngineUnderTest(
  name: EngineName,
  options: EngineUnderTestOptions = {},
): Promise<EngineUnderTest> {
  process.env.WEFT_HTTP_ALLOWLIST = '127.0.0.1';
  const url = await freshPostgresUrl(inject('postgresUrl') ?? '');
  const database = await openDatabase({ kind: 'postgres', url, maxConnections: 10 });
  queueCounter += 1;
  const settings: TemporalSettings | null =
    name === 'temporal'
      ? {
          address: temporalAddress ?? '',
          namespace: 'default',
          taskQueue: `weft-conformance-${process.pid}-${queueCounter}-${Date.now()}`,
          heartbeatTimeoutMs: 2_000,
          continueAsNewAfterEvents: options.continueAsNewAfterEvents ?? 10_000,
        }
      : null;
  const runtime = await createEngineRuntime(database, settings);
  registerEngine(database.db, runtime.engine);

  let stopWorker: () => Promise<void> = async () => {};
  if (options.inProcessWorker !== false) {
    if (settings) {
      installQuietTemporalRuntime();
      const running = await startTemporalWorkerFor(runtime, settings, {
        workflowBundle: { codePath: workflowBundlePath ?? '' },
        stickyQueueScheduleToStartTimeoutMs: 1_000,
      });
      stopWorker = () => running.stop();
    } else {
      const worker: EmbeddedWorker = createWorker(runtime, { pollMs: 50, leaseMs: 5_000 });
      await worker.start();
      stopWorker = () => worker.stop();
    }
  }

  const owner = await signUpUser(database.db, `conformance-${name}`);
  const app = await owner.caller.apps.create({
    workspaceId: owner.workspaceId,
    name: 'Conformance',
    kind: 'workflow',
  });
  const db = database.db;
  const children: ChildProcess[] = [];

  return {
    name,
    database,
    runtime,
    caller: owner.caller,
    workspaceId: owner.workspaceId,
    appId: app.id,
    async start(definition, inputs = {}) {
      const draft = await owner.caller.apps.getDraft({ workspaceId: owner.workspaceId, appId: app.id });
      await owner.caller.apps.saveDraft({
        workspaceId: owner.workspaceId,
        appId: app.id,
        definition,
        baseRevision: draft.revision,
      });
      const { runId } = await owner.caller.runs.start({
        workspaceId: owner.workspaceId,
        appId: app.id,
        inputs,
      });
      return runId;
    },
    async waitFor(runId, statuses = FINISHED, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const [run] = await db.select().from(runs).where(eq(runs.id, runId));
        if (run && statuses.includes(run.status)) return run;
        if (Date.now() > deadline)
          throw new Error(`run ${runId} on ${name} is ${run?.status}, not ${statuses.join('/')}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    events: (runId) =>
      db.select().from(runEvents).where(eq(runEvents.runId, runId)).orderBy(asc(runEvents.seq)),
    steps: (runId) =>
      db.select().from(runSteps).where(eq(runSteps.runId, runId)).orderBy(asc(runSteps.startedAt)),
    signal: (runId, signalName, payload) =>
      owner.caller.runs.signal({ workspaceId: owner.workspaceId, runId, name: signalName, payload }),
    cancel: (runId) => owner.caller.runs.cancel({ workspaceId: owner.workspaceId, runId }),
    spawnWorker(env = {}) {
      const tsx = path.join(process.cwd(), 'node_modules', '.bin', 'tsx');
      const script = settings ? 'server/cli/worker-temporal.ts' : 'server/cli/worker.ts';
      const child = spawn(tsx, [script], {
        env: {
          ...process.env,
          DATABASE_URL: url,
          WEFT_HTTP_ALLOWLIST: '127.0.0.1',
          WEFT_LEASE_MS: '1500',
          ...(settings
            ? {
                TEMPORAL_ADDRESS: settings.address,
                TEMPORAL_NAMESPACE: settings.namespace,
                TEMPORAL_TASK_QUEUE: settings.taskQueue,
              }
            : {}),
          ...env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      children.push(child);
      let output = '';
      let markReady: () => void = () => {};
      const ready = new Promise<void>((resolve) => {
        markReady = resolve;
      });
      const collect = (data: Buffer) => {
        output += String(data);
        if (/worker .*(started|ready)/i.test(output)) markReady();
      };
      child.stdout?.on('data', collect);
      child.stderr?.on('data', collect);
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      return { child, exited, output: () => output, ready };
    },
    async close() {
      for (const child of children) {
        // A child killed by a signal has no exit code either; its group may be gone already.
        if (child.exitCode !== null || child.signalCode !== null || !child.pid) continue;
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
        }
      }
      await stopWorker();
      await runtime.close();
      await database.close();
    },
  };
}

/**
 * Starts an engine, and a counting server for its nodes to call, before the enclosing suite's
 * tests and stops both after them. Tests read `suite.engine` and `suite.api`.
 */
export function engineSuite(
  name: EngineName,
  options: EngineUnderTestOptions & { api?: Behaviour } = {},
): { engine: EngineUnderTest; api: CountingServer } {
  const suite = {} as { engine: EngineUnderTest; api: CountingServer };
  beforeAll(async () => {
    suite.api = await startCountingServer(options.api);
    suite.engine = await startEngineUnderTest(name, options);
  });
  afterAll(async () => {
    await suite.engine?.close();
    await suite.api?.close();
  });
  return suite;
}
