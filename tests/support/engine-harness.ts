// Runs workflow definitions on the real embedded engine (database, worker, journal) for tests:
// a workspace and an app to own the runs, a worker, and helpers to start a run and wait for it.
import { eq } from 'drizzle-orm';
import type { Database } from '@/db/client';
import { runEvents, runs, users } from '@/db/schema';
import { createEngineRuntime, createWorker, type EngineRuntime } from '@/server/engine/runtime';
import { createApp } from '@/server/services/app-service';
import { createWorkspace } from '@/server/services/workspace-service';
import {
  SCHEMA_VERSION,
  type WorkflowDefinition,
  type WorkflowEdge,
  type WorkflowNode,
} from '@/workflows/dsl/definition';
import { validateDefinition } from '@/workflows/dsl/validate';
import type { EmbeddedWorker } from '@/workflows/engines/embedded/worker';
import type { Json } from '@/workflows/interpreter/types';
import { nodeCatalog } from '@/workflows/nodes';

export async function createOwner(database: Database) {
  const [user] = await database.db
    .insert(users)
    .values({
      email: `engine.${Date.now()}.${Math.random()}@example.test`,
      name: 'Engine',
      passwordHash: 'x',
    })
    .returning();
  if (!user) throw new Error('no user');
  const workspace = await createWorkspace(database.db, user.id, 'Engine tests');
  const app = await createApp(database.db, user.id, workspace.id, { name: 'Engine app', kind: 'workflow' });
  return { userId: user.id, workspaceId: workspace.id, appId: app.id };
}

type Owner = { userId: string; workspaceId: string; appId: string };

/** What the engine needs to start a run of `definition` owned by `owner` (from the app's draft). */
export function runInputFor(owner: Owner, definition: WorkflowDefinition, inputs: Record<string, Json> = {}) {
  return {
    workspaceId: owner.workspaceId,
    appId: owner.appId,
    appVersionId: null,
    versionNumber: null,
    definition,
    inputs,
    createdBy: owner.userId,
  };
}

/** Queues a run (no validation: callers pass valid definitions). */
export async function startRunFor(
  engine: EngineRuntime['engine'],
  owner: Owner,
  definition: WorkflowDefinition,
  inputs: Record<string, Json> = {},
): Promise<string> {
  return (await engine.start(runInputFor(owner, definition, inputs))).runId;
}

export interface EngineHarness {
  runtime: EngineRuntime;
  worker: EmbeddedWorker;
  owner: { userId: string; workspaceId: string; appId: string };
  start(definition: WorkflowDefinition, inputs?: Record<string, Json>): Promise<string>;
  waitFor(runId: string, statuses?: string[], timeoutMs?: number): Promise<typeof runs.$inferSelect>;
  events(runId: string): Promise<(typeof runEvents.$inferSelect)[]>;
  close(): Promise<void>;
}

const FINISHED = ['succeeded', 'partially_succeeded', 'failed', 'cancelled'];

export async function startEngineHarness(
  database: Database,
  workerOptions: Parameters<typeof createWorker>[1] = {},
): Promise<EngineHarness> {
  const runtime = await createEngineRuntime(database);
  const worker = createWorker(runtime, { pollMs: 50, leaseMs: 5_000, ...workerOptions });
  await worker.start();
  const owner = await createOwner(database);
  const db = database.db;
  return {
    runtime,
    worker,
    owner,
    async start(definition, inputs = {}) {
      const checked = validateDefinition(definition, nodeCatalog);
      if (!checked.ok || !checked.definition)
        throw new Error(`invalid test definition: ${JSON.stringify(checked.problems, null, 1)}`);
      return startRunFor(runtime.engine, owner, checked.definition, inputs);
    },
    async waitFor(runId, statuses = FINISHED, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const [run] = await db.select().from(runs).where(eq(runs.id, runId));
        if (run && statuses.includes(run.status)) return run;
        if (Date.now() > deadline)
          throw new Error(`run ${runId} is ${run?.status}, not ${statuses.join('/')}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    events: (runId) => db.select().from(runEvents).where(eq(runEvents.runId, runId)).orderBy(runEvents.seq),
    async close() {
      await worker.stop();
      await runtime.bus.close();
    },
  };
}

/** Builds definitions tersely: nodes in order, edges as [source, target, sourceHandle?]. */
export function workflow(
  nodes: (Omit<WorkflowNode, 'position' | 'title'> & { title?: string })[],
  edges: [string, string, string?][],
): WorkflowDefinition {
  return {
    schemaVersion: SCHEMA_VERSION,
    nodes: nodes.map((n, i) => ({ title: n.id, ...n, position: { x: i * 200, y: 0 } })),
    edges: edges.map(
      ([source, target, handle], i): WorkflowEdge => ({
        id: `e${i}`,
        source,
        sourceHandle: handle ?? null,
        target,
        targetHandle: null,
      }),
    ),
  };
}
