// The process-wide engine: one event bus on the configured database, the embedded engine, the
// Temporal client when TEMPORAL_ADDRESS is set, and the run engine that routes between them. The
// web process starts an embedded worker at boot (or `npm run worker` starts one alone); Temporal
// workers are separate processes (`npm run worker:temporal`).
import { Client, Connection } from '@temporalio/client';
import { type Database, getDatabase } from '@/db/client';
import { config, type WeftConfig } from '@/server/config';
import { resolveModelTarget } from '@/server/services/provider-service';
import { openReview } from '@/server/services/review-service';
import { loadSecretValues } from '@/server/services/secret-service';
import { createEmbeddedEngine, type EmbeddedEngine } from '@/workflows/engines/embedded/engine';
import { createEventBus, type RunEventBus } from '@/workflows/engines/embedded/event-bus';
import type { EngineNodeSpec } from '@/workflows/engines/embedded/run-executor';
import { EmbeddedWorker, type WorkerOptions } from '@/workflows/engines/embedded/worker';
import { createRunEngine, type RunEngine } from '@/workflows/engines/run-engine';
import { workflowCatalog } from '@/workflows/engines/temporal/catalog';
import { createTemporalEngine } from '@/workflows/engines/temporal/engine';
import { nodeCatalog } from '@/workflows/nodes';
import type { NodeServices } from '@/workflows/nodes/node-spec';

export interface TemporalSettings {
  address: string;
  namespace: string;
  taskQueue: string;
  heartbeatTimeoutMs: number;
  continueAsNewAfterEvents: number;
}

export interface EngineRuntime {
  database: Database;
  bus: RunEventBus;
  embedded: EmbeddedEngine;
  engine: RunEngine;
  /** Set when new runs start on Temporal. */
  temporal: { settings: TemporalSettings; connection: Connection } | null;
  close(): Promise<void>;
}

export const engineCatalog = nodeCatalog as unknown as Record<string, EngineNodeSpec>;

export function temporalSettingsFrom(c: WeftConfig): TemporalSettings | null {
  if (!c.TEMPORAL_ADDRESS) return null;
  return {
    address: c.TEMPORAL_ADDRESS,
    namespace: c.TEMPORAL_NAMESPACE,
    taskQueue: c.TEMPORAL_TASK_QUEUE,
    heartbeatTimeoutMs: c.TEMPORAL_HEARTBEAT_TIMEOUT_MS,
    continueAsNewAfterEvents: c.TEMPORAL_CONTINUE_AS_NEW_EVENTS,
  };
}

/** What node run functions may use beyond their config, for one workspace's runs. */
export function nodeServicesFor(database: Database) {
  return {
    secretsFor: (workspaceId: string) => loadSecretValues(database.db, config().APP_SECRET, workspaceId),
    servicesFor: (workspaceId: string): NodeServices => ({
      modelTarget: (providerId) => resolveModelTarget(database.db, config(), workspaceId, providerId),
      openReview: (request) => openReview(database.db, { ...request, workspaceId }),
    }),
  };
}

export async function createEngineRuntime(
  database: Database,
  temporalSettings: TemporalSettings | null = temporalSettingsFrom(config()),
): Promise<EngineRuntime> {
  const bus = await createEventBus(database);
  const embedded = createEmbeddedEngine({ db: database.db, bus });
  let temporal: EngineRuntime['temporal'] = null;
  let temporalEngine = null;
  if (temporalSettings) {
    // Lazy: the web process starts even while the Temporal cluster is still coming up.
    const connection = Connection.lazy({ address: temporalSettings.address });
    const client = new Client({ connection, namespace: temporalSettings.namespace });
    temporal = { settings: temporalSettings, connection };
    temporalEngine = createTemporalEngine({
      db: database.db,
      bus,
      client,
      taskQueue: temporalSettings.taskQueue,
      catalog: workflowCatalog(engineCatalog),
      heartbeatTimeoutMs: temporalSettings.heartbeatTimeoutMs,
      continueAsNewAfterEvents: temporalSettings.continueAsNewAfterEvents,
    });
  }
  const engine = createRunEngine({ db: database.db, embedded, temporal: temporalEngine });
  return {
    database,
    bus,
    embedded,
    engine,
    temporal,
    async close() {
      await temporal?.connection.close();
      await bus.close();
    },
  };
}

/** A worker on the runtime's database; runs started through the runtime's engine go to it directly. */
export function createWorker(
  runtime: EngineRuntime,
  options: Omit<WorkerOptions, 'db' | 'bus' | 'catalog'> = {},
): EmbeddedWorker {
  const worker = new EmbeddedWorker({
    db: runtime.database.db,
    bus: runtime.bus,
    catalog: engineCatalog,
    singleProcessDatabase: runtime.database.kind === 'pglite',
    ...nodeServicesFor(runtime.database),
    ...options,
  });
  runtime.embedded.attachWorker(worker);
  return worker;
}

// Kept on globalThis so module reloads in development reuse one runtime and one worker.
const holder = globalThis as unknown as {
  __weftEngine?: Promise<EngineRuntime>;
  __weftWorker?: EmbeddedWorker;
};

export function getEngineRuntime(): Promise<EngineRuntime> {
  holder.__weftEngine ??= getDatabase().then((database) => createEngineRuntime(database));
  return holder.__weftEngine;
}

/** Starts this process's worker once, with WEFT_WORKER_CONCURRENCY runs at a time. */
export async function startProcessWorker(): Promise<EmbeddedWorker> {
  if (holder.__weftWorker) return holder.__weftWorker;
  const runtime = await getEngineRuntime();
  const worker = createWorker(runtime, {
    concurrency: config().WEFT_WORKER_CONCURRENCY,
    leaseMs: config().WEFT_LEASE_MS,
  });
  holder.__weftWorker = worker;
  await worker.start();
  return worker;
}
