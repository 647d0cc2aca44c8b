// `npm run bench`: the embedded engine's overhead, on PGlite and (when its server binaries are
// installed) on a throw-away PostgreSQL, side by side in one run. Prints a table and writes JSON to
// bench/results/. Nodes are no-op templates, so the numbers are the engine's own cost: journaling
// each step with its events, scheduling, and the run's start and finish.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { type Database, openDatabase } from '@/db/client';
import { createEngineRuntime, createWorker, type EngineRuntime } from '@/server/engine/runtime';
import { SCHEMA_VERSION, type WorkflowDefinition, type WorkflowNode } from '@/workflows/dsl/definition';
import { createOwner, runInputFor } from '../tests/support/engine-harness';
import { findPostgresBinDir, startPostgres } from '../tests/support/postgres-server';

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

function node(id: string, type: string, config: Record<string, unknown>, x = 0): WorkflowNode {
  return { id, type, title: id, config, position: { x, y: 0 } };
}

function chain(length: number): WorkflowDefinition {
  const ids = Array.from({ length }, (_, i) => `n${i}`);
  return {
    schemaVersion: SCHEMA_VERSION,
    nodes: [
      node('start', 'start', { inputs: [] }),
      ...ids.map((id, i) => node(id, 'template', { template: 'ok' }, i)),
      node('end', 'end', { outputs: { last: `{{${ids.at(-1)}.text}}` } }),
    ],
    edges: ['start', ...ids, 'end'].slice(1).map((target, i) => ({
      id: `e${i}`,
      source: i === 0 ? 'start' : (ids[i - 1] as string),
      sourceHandle: null,
      target,
      targetHandle: null,
    })),
  };
}

function fanOut(width: number): WorkflowDefinition {
  const ids = Array.from({ length: width }, (_, i) => `b${i}`);
  return {
    schemaVersion: SCHEMA_VERSION,
    nodes: [
      node('start', 'start', { inputs: [] }),
      ...ids.map((id) => node(id, 'template', { template: id })),
      node('join', 'join', {
        mode: 'all',
        values: Object.fromEntries(ids.map((id) => [id, `{{${id}.text}}`])),
      }),
      node('end', 'end', { outputs: { count: 'done' } }),
    ],
    edges: [
      ...ids.map((id) => ({
        id: `s_${id}`,
        source: 'start',
        sourceHandle: null,
        target: id,
        targetHandle: null,
      })),
      ...ids.map((id) => ({
        id: `j_${id}`,
        source: id,
        sourceHandle: null,
        target: 'join',
        targetHandle: null,
      })),
      { id: 'e_end', source: 'join', sourceHandle: null, target: 'end', targetHandle: null },
    ],
  };
}

interface Harness {
  runtime: EngineRuntime;
  owner: Awaited<ReturnType<typeof createOwner>>;
  run(definition: WorkflowDefinition): Promise<number>;
  close(): Promise<void>;
}

async function harness(database: Database, concurrency: number): Promise<Harness> {
  const runtime = await createEngineRuntime(database);
  const worker = createWorker(runtime, { concurrency, pollMs: 20 });
  await worker.start();
  const owner = await createOwner(database);
  return {
    runtime,
    owner,
    async run(definition) {
      const began = performance.now();
      const { runId, status } = await runtime.engine.startAndWait(runInputFor(owner, definition));
      if (status !== 'succeeded') throw new Error(`bench run ${runId} ended ${status}`);
      return performance.now() - began;
    },
    async close() {
      await worker.stop();
      await runtime.bus.close();
    },
  };
}

async function throughput(database: Database, runs: number, inFlight: number) {
  const h = await harness(database, inFlight);
  const def = chain(1); // start → one node → end: a 3-node workflow
  await h.run(def);
  const began = performance.now();
  let next = 0;
  const lane = async () => {
    while (next < runs) {
      next += 1;
      await h.run(def);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  const seconds = (performance.now() - began) / 1000;
  await h.close();
  return runs / seconds;
}

async function measure(label: string, open: () => Promise<Database>) {
  const database = await open();
  const h = await harness(database, 20);
  await h.run(chain(10)); // warm-up: code paths, query plans
  const chain100 = [];
  for (let i = 0; i < 9; i++) chain100.push(await h.run(chain(100)));
  const chain1000 = [];
  for (let i = 0; i < 3; i++) chain1000.push(await h.run(chain(1000)));
  const fan100 = [];
  for (let i = 0; i < 5; i++) fan100.push(await h.run(fanOut(100)));
  await h.close();
  const runsPerSecond = await throughput(database, 200, 50);
  await database.close();
  const result = {
    database: label,
    perNodeMsMedian: median(chain100) / 102,
    chain100MsMedian: median(chain100),
    chain1000MsMedian: median(chain1000),
    fanOut100MsMedian: median(fan100),
    runsPerSecond200x50: runsPerSecond,
  };
  console.log(
    `${label.padEnd(10)} per node ${result.perNodeMsMedian.toFixed(3)} ms | 1,000-node chain ${result.chain1000MsMedian.toFixed(0)} ms | ` +
      `100-way fan-out ${result.fanOut100MsMedian.toFixed(0)} ms | ${runsPerSecond.toFixed(0)} runs/s (3 nodes, 50 in flight)`,
  );
  return result;
}

async function main() {
  const results = [];
  const pgliteDir = mkdtempSync(path.join(tmpdir(), 'weft-bench-'));
  results.push(await measure('pglite', () => openDatabase({ kind: 'pglite', dataDir: pgliteDir })));
  const binDir = findPostgresBinDir();
  if (binDir) {
    const server = await startPostgres(binDir);
    try {
      results.push(
        await measure('postgres', () =>
          openDatabase({ kind: 'postgres', url: server.url, maxConnections: 10 }),
        ),
      );
    } finally {
      server.stop();
    }
  } else {
    console.log('postgres   skipped: PostgreSQL server binaries not found (apt-get install postgresql)');
  }
  const report = {
    benchmark: 'engine',
    at: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', node: process.version },
    targets: { perNodeMsMedian: 0.5, chain1000Ms: 1000, runsPerSecond200x50: 300 },
    results,
  };
  const dir = path.join(process.cwd(), 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'engine.json');
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`written to ${path.relative(process.cwd(), file)}`);
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
