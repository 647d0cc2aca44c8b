// `npm run bench`: the engines' overhead side by side in one run: the embedded engine on PGlite and
// on a throw-away PostgreSQL, and Temporal (a throw-away dev server, with the same PostgreSQL) when
// the server binaries and the temporal CLI are installed. Prints a table and writes JSON to
// bench/results/. Template nodes are no-ops and HTTP nodes call a local server that answers at
// once, so the numbers are the engine's own cost: journaling each step with its events,
// scheduling (activities and their round trips on Temporal), and the run's start and finish.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { type Database, openDatabase } from '@/db/client';
import {
  createEngineRuntime,
  createWorker,
  type EngineRuntime,
  type TemporalSettings,
} from '@/server/engine/runtime';
import { startTemporalWorkerFor } from '@/server/engine/temporal-worker';
import { SCHEMA_VERSION, type WorkflowDefinition, type WorkflowNode } from '@/workflows/dsl/definition';
import { bundleWorkflows } from '@/workflows/engines/temporal/worker';
import { type CountingServer, startCountingServer } from '../tests/support/counting-server';
import { createOwner, runInputFor } from '../tests/support/engine-harness';
import { findPostgresBinDir, startPostgres } from '../tests/support/postgres-server';
import { findTemporalCli, startTemporalDevServer } from '../tests/support/temporal-server';
import { writeBenchResult } from './write-result';

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

function node(id: string, type: string, config: Record<string, unknown>, x = 0): WorkflowNode {
  return { id, type, title: id, config, position: { x, y: 0 } };
}

/** start → `length` template nodes (pure: local activities on Temporal) → end. */
function chain(length: number): WorkflowDefinition {
  return chainOf(length, (id, i) => node(id, 'template', { template: 'ok' }, i), 'text');
}

/** start → `length` HTTP calls to a server that answers at once (activities on Temporal) → end. */
function httpChain(length: number, api: CountingServer): WorkflowDefinition {
  return chainOf(length, (id, i) => node(id, 'http', { url: `${api.url}/bench/${id}` }, i), 'status');
}

function chainOf(
  length: number,
  make: (id: string, index: number) => WorkflowNode,
  outputField: string,
): WorkflowDefinition {
  const ids = Array.from({ length }, (_, i) => `n${i}`);
  return {
    schemaVersion: SCHEMA_VERSION,
    nodes: [
      node('start', 'start', { inputs: [] }),
      ...ids.map((id, i) => make(id, i)),
      node('end', 'end', { outputs: { last: `{{${ids.at(-1)}.${outputField}}}` } }),
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
  run(definition: WorkflowDefinition): Promise<number>;
  close(): Promise<void>;
}

/** Runs definitions to the end on `runtime`'s engine, timing each from start to run_finished. */
async function timedRunner(database: Database, runtime: EngineRuntime, stop: () => Promise<void>) {
  const owner = await createOwner(database);
  const harness: Harness = {
    async run(definition) {
      const began = performance.now();
      const { runId, status } = await runtime.engine.startAndWait(runInputFor(owner, definition));
      if (status !== 'succeeded') throw new Error(`bench run ${runId} ended ${status}`);
      return performance.now() - began;
    },
    async close() {
      await stop();
      await runtime.close();
    },
  };
  return harness;
}

async function embeddedHarness(database: Database, concurrency: number): Promise<Harness> {
  const runtime = await createEngineRuntime(database, null);
  const worker = createWorker(runtime, { concurrency, pollMs: 20 });
  await worker.start();
  return timedRunner(database, runtime, () => worker.stop());
}

interface TemporalTarget {
  address: string;
  workflowBundle: { code: string };
}

async function temporalHarness(database: Database, target: TemporalTarget): Promise<Harness> {
  const settings: TemporalSettings = {
    address: target.address,
    namespace: 'default',
    taskQueue: `weft-bench-${Date.now()}-${Math.random().toString(36).slice(2)}`,
    heartbeatTimeoutMs: 30_000,
    continueAsNewAfterEvents: 10_000,
  };
  const runtime = await createEngineRuntime(database, settings);
  const running = await startTemporalWorkerFor(runtime, settings, {
    workflowBundle: target.workflowBundle,
    maxConcurrentActivities: 50,
  });
  return timedRunner(database, runtime, () => running.stop());
}

async function throughput(h: Harness, runs: number, inFlight: number) {
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
  return runs / ((performance.now() - began) / 1000);
}

async function repeat(times: number, h: Harness, definition: WorkflowDefinition): Promise<number> {
  const took = [];
  for (let i = 0; i < times; i++) took.push(await h.run(definition));
  return median(took);
}

interface Sizes {
  /** Repetitions of the 100-node chain, the 1,000-node chain and the fan-out. */
  chain100: number;
  chain1000: number;
  fanOut: number;
  /** Runs (and runs in flight) for the throughput figure. */
  throughputRuns: number;
  throughputInFlight: number;
}

const EMBEDDED_SIZES: Sizes = {
  chain100: 9,
  chain1000: 3,
  fanOut: 5,
  throughputRuns: 200,
  throughputInFlight: 50,
};
// Temporal's round trips make each run slower: fewer repetitions keep the whole bench in minutes.
const TEMPORAL_SIZES: Sizes = {
  chain100: 5,
  chain1000: 1,
  fanOut: 3,
  throughputRuns: 100,
  throughputInFlight: 20,
};

async function measure(label: string, open: () => Promise<Harness>, api: CountingServer, sizes: Sizes) {
  const h = await open();
  await h.run(chain(10)); // warm-up: code paths, query plans
  await h.run(httpChain(2, api));
  const chain100 = await repeat(sizes.chain100, h, chain(100));
  const chain1000 = await repeat(sizes.chain1000, h, chain(1000));
  const fan100 = await repeat(sizes.fanOut, h, fanOut(100));
  const http20 = await repeat(sizes.chain100, h, httpChain(20, api));
  const runsPerSecond = await throughput(h, sizes.throughputRuns, sizes.throughputInFlight);
  await h.close();
  const result = {
    engine: label,
    perNodeMsMedian: chain100 / 102,
    perHttpNodeMsMedian: http20 / 22,
    chain100MsMedian: chain100,
    chain1000MsMedian: chain1000,
    fanOut100MsMedian: fan100,
    httpChain20MsMedian: http20,
    runsPerSecond,
    throughput: `${sizes.throughputRuns} runs of 3 nodes, ${sizes.throughputInFlight} in flight`,
  };
  console.log(
    `${label.padEnd(18)} per node ${result.perNodeMsMedian.toFixed(3)} ms | per HTTP node ${result.perHttpNodeMsMedian.toFixed(2)} ms | ` +
      `1,000-node chain ${chain1000.toFixed(0)} ms | 100-way fan-out ${fan100.toFixed(0)} ms | ` +
      `${runsPerSecond.toFixed(0)} runs/s (${result.throughput})`,
  );
  return result;
}

async function main() {
  process.env.WEFT_HTTP_ALLOWLIST = '127.0.0.1';
  const api = await startCountingServer();
  const results = [];
  const pgliteDir = mkdtempSync(path.join(tmpdir(), 'weft-bench-'));
  const pglite = await openDatabase({ kind: 'pglite', dataDir: pgliteDir });
  results.push(await measure('embedded/pglite', () => embeddedHarness(pglite, 50), api, EMBEDDED_SIZES));
  await pglite.close();
  const binDir = findPostgresBinDir();
  const cli = findTemporalCli();
  if (binDir) {
    const server = await startPostgres(binDir);
    const postgres = await openDatabase({ kind: 'postgres', url: server.url, maxConnections: 10 });
    try {
      results.push(
        await measure('embedded/postgres', () => embeddedHarness(postgres, 50), api, EMBEDDED_SIZES),
      );
      if (cli) {
        Runtime.install({ logger: new DefaultLogger('WARN') });
        const temporal = await startTemporalDevServer(cli);
        try {
          const target = { address: temporal.address, workflowBundle: await bundleWorkflows() };
          results.push(
            await measure('temporal/postgres', () => temporalHarness(postgres, target), api, TEMPORAL_SIZES),
          );
        } finally {
          await temporal.stop();
        }
      } else {
        console.log(
          'temporal           skipped: temporal CLI not found (bash scripts/install-temporal-cli.sh)',
        );
      }
    } finally {
      await postgres.close();
      server.stop();
    }
  } else {
    console.log(
      'postgres, temporal skipped: PostgreSQL server binaries not found (apt-get install postgresql)',
    );
  }
  await api.close();
  const embedded = results.find((r) => r.engine === 'embedded/postgres');
  const temporal = results.find((r) => r.engine === 'temporal/postgres');
  const ratios =
    embedded && temporal
      ? {
          perNodeTemporalOverEmbedded: temporal.perNodeMsMedian / embedded.perNodeMsMedian,
          perHttpNodeTemporalOverEmbedded: temporal.perHttpNodeMsMedian / embedded.perHttpNodeMsMedian,
        }
      : null;
  if (ratios)
    console.log(
      `Temporal / embedded on the same PostgreSQL: ${ratios.perNodeTemporalOverEmbedded.toFixed(1)}x per template node, ` +
        `${ratios.perHttpNodeTemporalOverEmbedded.toFixed(1)}x per HTTP node`,
    );
  writeBenchResult('engine', {
    targets: { embeddedPerNodeMsMedian: 0.5, embeddedChain1000Ms: 1000, embeddedRunsPerSecond: 300 },
    results,
    ratios,
  });
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
