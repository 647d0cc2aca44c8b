// Crash safety: a worker process is killed with SIGKILL in the middle of a run whose nodes call a
// counting HTTP server; a new worker process finishes the run. Every node that completed before the
// kill ran exactly once; only the node in flight may run again, with the same idempotency key.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '@/db/client';
import { runs } from '@/db/schema';
import { createEngineRuntime } from '@/server/engine/runtime';
import { validateDefinition } from '@/workflows/dsl/validate';
import { nodeCatalog } from '@/workflows/nodes';
import { type CountingServer, startCountingServer } from '../support/counting-server';
import { testDatabases } from '../support/databases';
import { createOwner, startRunFor, workflow } from '../support/engine-harness';

const NODES = ['n1', 'n2', 'n3', 'n4', 'n5', 'n6'];

function startWorkerProcess(env: Record<string, string>): {
  child: ChildProcess;
  exited: Promise<number | null>;
  output: () => string;
} {
  const tsx = path.join(process.cwd(), 'node_modules', '.bin', 'tsx');
  const child = spawn(tsx, ['server/cli/worker.ts'], {
    env: {
      ...process.env,
      WEFT_HTTP_ALLOWLIST: '127.0.0.1',
      WEFT_WORKER_EXIT_WHEN_IDLE: 'true',
      WEFT_LEASE_MS: '1500',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout?.on('data', (d) => {
    output += String(d);
  });
  child.stderr?.on('data', (d) => {
    output += String(d);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

describe.each(testDatabases())('crash safety on $name', (testDb) => {
  let api: CountingServer;
  beforeAll(async () => {
    api = await startCountingServer({ delayMs: 150 });
  });
  afterAll(() => api.close());

  it('a SIGKILLed worker loses nothing: a new worker finishes the run without repeating finished nodes', async () => {
    const target = await testDb.target();
    const { env } = target;
    const prefix = `/crash-${testDb.name}`;
    // Create the run, then close the database: on PGlite only one process may hold it.
    let database = await openDatabase(target);
    const owner = await createOwner(database);
    const definition = workflow(
      [
        { id: 'start', type: 'start', config: { inputs: [] } },
        ...NODES.map((id) => ({ id, type: 'http', config: { url: `${api.url}${prefix}/${id}` } })),
        { id: 'end', type: 'end', config: { outputs: { last: '{{n6.body.path}}' } } },
      ],
      [
        ['start', 'n1'],
        ...NODES.slice(1).map((id, i): [string, string] => [NODES[i] as string, id]),
        ['n6', 'end'],
      ],
    );
    const checked = validateDefinition(definition, nodeCatalog);
    expect(checked.problems).toEqual([]);
    const runtime = await createEngineRuntime(database);
    const runId = await startRunFor(runtime.engine, owner, definition);
    await runtime.bus.close();
    await database.close();

    const first = startWorkerProcess(env);
    await Promise.race([
      api.reached(`${prefix}/n3`),
      first.exited.then(() => {
        throw new Error(`worker exited early:\n${first.output()}`);
      }),
    ]);
    process.kill(-(first.child.pid as number), 'SIGKILL');
    await first.exited;
    const inFlightAtKill = 'n3';

    const second = startWorkerProcess(env);
    const code = await Promise.race([
      second.exited,
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error(`second worker did not finish:\n${second.output()}`)), 60_000),
      ),
    ]);
    expect(code, second.output()).toBe(0);

    database = await openDatabase(target);
    const [run] = await database.db.select().from(runs).where(eq(runs.id, runId));
    await database.close();
    expect(run?.status).toBe('succeeded');
    expect(run?.outputs).toEqual({ last: `${prefix}/n6` });
    for (const id of NODES) {
      const count = api.counts(`${prefix}/${id}`);
      if (id === inFlightAtKill) {
        expect(count).toBeGreaterThanOrEqual(1);
        expect(count).toBeLessThanOrEqual(2);
        // A repeat carries the same idempotency key, so the remote side can drop it.
        expect(new Set(api.idempotencyKeys(`${prefix}/${id}`)).size).toBe(1);
      } else {
        expect(count, id).toBe(1);
      }
    }
    expect(api.idempotencyKeys(`${prefix}/n1`)).toEqual([`${runId}:n1`]);
  });
});
