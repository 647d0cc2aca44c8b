// The process-wide embedded engine: one event bus and engine on the configured database, and the
// worker that the web process starts at boot (or `npm run worker` starts alone).
import { type Database, getDatabase } from '@/db/client';
import { config } from '@/server/config';
import { resolveModelTarget } from '@/server/services/provider-service';
import { loadSecretValues } from '@/server/services/secret-service';
import { createEmbeddedEngine, type EmbeddedEngine } from '@/workflows/engines/embedded/engine';
import { createEventBus, type RunEventBus } from '@/workflows/engines/embedded/event-bus';
import type { EngineNodeSpec } from '@/workflows/engines/embedded/run-executor';
import { EmbeddedWorker, type WorkerOptions } from '@/workflows/engines/embedded/worker';
import { nodeCatalog } from '@/workflows/nodes';

export interface EngineRuntime {
  database: Database;
  bus: RunEventBus;
  engine: EmbeddedEngine;
}

export const engineCatalog = nodeCatalog as unknown as Record<string, EngineNodeSpec>;

export async function createEngineRuntime(database: Database): Promise<EngineRuntime> {
  const bus = await createEventBus(database);
  return { database, bus, engine: createEmbeddedEngine({ db: database.db, bus }) };
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
    secretsFor: (workspaceId) => loadSecretValues(runtime.database.db, config().APP_SECRET, workspaceId),
    servicesFor: (workspaceId) => ({
      modelTarget: (providerId) => resolveModelTarget(runtime.database.db, config(), workspaceId, providerId),
    }),
    ...options,
  });
  runtime.engine.attachWorker(worker);
  return worker;
}

// Kept on globalThis so module reloads in development reuse one runtime and one worker.
const holder = globalThis as unknown as {
  __weftEngine?: Promise<EngineRuntime>;
  __weftWorker?: EmbeddedWorker;
};

export function getEngineRuntime(): Promise<EngineRuntime> {
  holder.__weftEngine ??= getDatabase().then(createEngineRuntime);
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
