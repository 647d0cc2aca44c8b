// bench/api (part of `npm run bench`): the published API's own cost on a real `npm start` server,
// with the mock model in a process of its own. On the embedded PGlite database, and on a
// throw-away PostgreSQL when its server binaries are installed (with one web process, then one per
// core), it measures
//   - time to first token of POST /api/v1/chat-messages (streaming) against the model's own stream
//     (POST /v1/chat/completions on the mock), side by side at 1, 20 and 50 concurrent streams
//     (lanes started over about one answer's length), and 50 opened in the same moment: what Weft
//     adds is the difference (p50 and p99);
//   - blocking chat messages and blocking one-node workflow runs (start → template → end) against a
//     zero-latency model, 20 and 50 in flight: requests per second, latency, and CPU milliseconds
//     per request of the server (its process tree; PostgreSQL's processes apart), the mock model
//     and the bench's own HTTP client.
// Prints a table and writes bench/results/api.json.
import { cpus } from 'node:os';
import type { Pool } from 'undici';
import { findPostgresBinDir, startPostgres } from '../tests/support/postgres-server';
import type { WeftServer } from '../tests/support/weft-server';
import {
  closedLoop,
  cpuMs,
  findProcess,
  type LoopResult,
  modelFirstToken,
  ownCpuMs,
  percentile,
  pool,
  postJson,
  processTree,
  round,
  weftFirstToken,
} from './api-client';
import { type MockProcess, type Setup, setUp, startBenchServer, startMockProcess } from './api-setup';
import { writeBenchResult } from './write-result';

/** The model's latencies for the first-token comparison: a fast hosted model's, roughly. */
const STREAM_MODEL = { firstTokenLatencyMs: 200, chunkLatencyMs: 10 };
/** Throughput is measured against a model that answers at once. */
const INSTANT_MODEL = { firstTokenLatencyMs: 0, chunkLatencyMs: 0 };
/**
 * Streams per side (model, Weft) at each concurrency of the first-token comparison: enough at 20 and
 * 50 that a p99 is not decided by the few answers of a level's first moments, and at 1 that the p50
 * of the difference (a few milliseconds on answers of about 210) is not moved by a handful of
 * answers either way (about 45 s a side on this model). The lanes of a level
 * start spread over STREAM_RAMP_MS, about one answer's length, so the level measures that many
 * streams held open; the last level opens its 50 lanes in the same moment (`together`), a burst of
 * new streams, and is reported beside it.
 */
const STREAM_LEVELS = [
  { concurrency: 1, requests: 200, together: false },
  { concurrency: 20, requests: 1000, together: false },
  { concurrency: 50, requests: 1000, together: false },
  { concurrency: 50, requests: 300, together: true },
];
/** The stream model's answer (12 chunks) takes about 200 + 11 × 10 ms. */
const STREAM_RAMP_MS = 350;
/** Blocking throughput runs: at most this many requests or seconds per measurement. */
const BLOCKING = { requests: 4000, seconds: 8, concurrency: [20, 50] };
const QUERY = 'What is the weather like in Lisbon today';

const TARGETS = {
  addedFirstTokenP50MsAtConcurrency1: 3,
  addedFirstTokenP99MsAt50Streams: 30,
  chatRequestsPerSecond: 300,
  workflowRunsPerSecond: 400,
};
const REFERENCE = {
  note: 'Same machine and mock, from the issue',
  flowise: {
    version: '3.1',
    addedMsPerChatAtConcurrency1: 12,
    chatRequestsPerSecondAt20: 120,
    p50MsAt20: 150,
  },
  n8n: { version: '2.41', oneNodeWorkflowRunsPerSecond: 100 },
};

/** Records a request's whole duration (closedLoop's null). */
const whole =
  (call: (i: number) => Promise<unknown>) =>
  async (i: number): Promise<null> => {
    await call(i);
    return null;
  };

const stats = (xs: number[]) => ({
  n: xs.length,
  p50: round(percentile(xs, 50)),
  p99: round(percentile(xs, 99)),
});

function requireClean(label: string, result: LoopResult) {
  if (result.errors > 0) throw new Error(`${label}: ${result.errors} failed, first: ${result.firstError}`);
}

/** Processes whose CPU time counts: Weft's (the npm start tree), the model's, PostgreSQL's. */
interface CpuProbe {
  server: () => number[];
  mock: number;
  database: () => number[];
}

async function firstTokens(weft: Pool, model: Pool, setup: Setup, mock: MockProcess, probe: CpuProbe) {
  await mock.setOptions(STREAM_MODEL);
  const levels = [];
  for (const { concurrency, requests, together } of STREAM_LEVELS) {
    const ramp = together ? 0 : STREAM_RAMP_MS;
    const direct: number[] = [];
    const viaWeft: number[] = [];
    const serverPids = probe.server();
    const databasePids = probe.database();
    let serverMs = 0;
    let databaseMs = 0;
    // Two rounds of each side, alternating, so drift over the run falls on both alike.
    for (let round = 0; round < 2; round++) {
      const half = Math.ceil(requests / 2);
      const a = await closedLoop(concurrency, half, 60, () => modelFirstToken(model, QUERY), ramp);
      requireClean(`model stream c=${concurrency}`, a);
      const cpu0 = { server: cpuMs(serverPids), database: cpuMs(databasePids) };
      const b = await closedLoop(
        concurrency,
        half,
        60,
        (i) =>
          weftFirstToken(weft, setup.chatToken, QUERY, `stream-${concurrency}-${round}-${i % concurrency}`),
        ramp,
      );
      serverMs += cpuMs(serverPids) - cpu0.server;
      databaseMs += cpuMs(databasePids) - cpu0.database;
      requireClean(`Weft stream c=${concurrency}`, b);
      direct.push(...a.took);
      viaWeft.push(...b.took);
    }
    const model50 = percentile(direct, 50);
    const model99 = percentile(direct, 99);
    const weft50 = percentile(viaWeft, 50);
    const weft99 = percentile(viaWeft, 99);
    levels.push({
      concurrency,
      /** Whether the lanes started in the same moment rather than over STREAM_RAMP_MS. */
      together,
      model: stats(direct),
      weft: stats(viaWeft),
      addedP50Ms: round(weft50 - model50),
      addedP99Ms: round(weft99 - model99),
      /** CPU of a whole streamed answer (request to message_end). */
      cpuMsPerStream: {
        server: round(serverMs / viaWeft.length, 3),
        database: databasePids.length > 0 ? round(databaseMs / viaWeft.length, 3) : null,
      },
    });
  }
  return levels;
}

async function blocking(
  label: string,
  concurrency: number,
  probe: CpuProbe,
  call: (i: number) => Promise<unknown>,
) {
  const serverPids = probe.server();
  const databasePids = probe.database();
  const before = { server: cpuMs(serverPids), db: cpuMs(databasePids), mock: cpuMs([probe.mock]) };
  const client0 = ownCpuMs();
  const result = await closedLoop(concurrency, BLOCKING.requests, BLOCKING.seconds, whole(call));
  const clientMs = ownCpuMs() - client0;
  requireClean(`${label} c=${concurrency}`, result);
  const n = result.took.length;
  const perRequest = (ms: number) => round(ms / n, 3);
  return {
    concurrency,
    requests: n,
    seconds: round(result.seconds),
    perSecond: round(n / result.seconds, 1),
    latencyMs: stats(result.took),
    cpuMsPerRequest: {
      server: perRequest(cpuMs(serverPids) - before.server),
      database: databasePids.length > 0 ? perRequest(cpuMs(databasePids) - before.db) : null,
      model: perRequest(cpuMs([probe.mock]) - before.mock),
      client: perRequest(clientMs),
    },
  };
}

async function measure(label: string, env: Record<string, string>, mock: MockProcess, pgPort?: string) {
  const server = await startBenchServer(env);
  const weft = pool(server.url);
  const model = pool(new URL(mock.url).origin);
  try {
    const setup = await setUp(server, mock);
    const probe: CpuProbe = {
      server: () => serverPids(server),
      mock: mock.pid,
      database: () => {
        const postmaster = pgPort ? findProcess(['postgres', '-D', `-p ${pgPort}`]) : null;
        return postmaster ? processTree(postmaster) : [];
      },
    };
    const chat = (mode: 'blocking' | 'streaming') => (i: number) =>
      postJson(weft, '/api/v1/chat-messages', setup.chatToken, {
        inputs: {},
        query: QUERY,
        user: `user-${i % 50}`,
        response_mode: mode,
      });
    const run = (i: number) =>
      postJson(weft, '/api/v1/workflows/run', setup.workflowToken, {
        inputs: { name: `n${i}` },
        user: `user-${i % 50}`,
        response_mode: 'blocking',
      });
    // Warm-up: compiled routes, query plans, JIT, connections.
    await mock.setOptions(INSTANT_MODEL);
    requireClean('warm-up chat', await closedLoop(10, 300, 30, whole(chat('blocking'))));
    requireClean('warm-up workflow', await closedLoop(10, 300, 30, whole(run)));
    requireClean(
      'warm-up stream',
      await closedLoop(10, 100, 30, (i) => weftFirstToken(weft, setup.chatToken, QUERY, `warm-${i}`)),
    );
    requireClean('warm-up model', await closedLoop(10, 100, 30, () => modelFirstToken(model, QUERY)));

    const streams = await firstTokens(weft, model, setup, mock, probe);
    await mock.setOptions(INSTANT_MODEL);
    const chatBlocking = [];
    for (const c of BLOCKING.concurrency)
      chatBlocking.push(await blocking('chat', c, probe, chat('blocking')));
    const workflowBlocking = [];
    for (const c of BLOCKING.concurrency) workflowBlocking.push(await blocking('workflow', c, probe, run));
    return { database: label, firstToken: streams, chatBlocking, workflowBlocking };
  } catch (error) {
    console.error(server.output().slice(-4000));
    throw error;
  } finally {
    await weft.close();
    await model.close();
    await server.stop();
  }
}

type Result = Awaited<ReturnType<typeof measure>>;

/** The processes of `npm start` (npm, tsx, next-server): the children of this process that are not the mock. */
function serverPids(server: WeftServer): number[] {
  const port = new URL(server.url).port;
  const npm = findProcess(['npm', 'start'], process.pid);
  if (!npm) throw new Error(`the npm start process of ${port} was not found`);
  return processTree(npm);
}

/** Prints rows under a header, each column as wide as its widest cell (numbers right-aligned). */
function table(header: string[], rows: (string | number | null)[][]) {
  const cells = [header, ...rows.map((r) => r.map((c) => (c === null ? '—' : String(c))))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  for (const row of cells)
    console.log(
      `  ${row.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ')}`,
    );
}

function printResult(r: Result) {
  console.log(
    `\n${r.database}: time to first token (ms): the model's own stream, through Weft, and the difference`,
  );
  table(
    [
      'streams',
      'start',
      'model p50',
      'model p99',
      'Weft p50',
      'Weft p99',
      'added p50',
      'added p99',
      'n',
      'cpu/stream',
    ],
    r.firstToken.map((l) => [
      String(l.concurrency),
      l.together ? 'at once' : `over ${STREAM_RAMP_MS} ms`,
      l.model.p50,
      l.model.p99,
      l.weft.p50,
      l.weft.p99,
      l.addedP50Ms,
      l.addedP99Ms,
      l.weft.n,
      l.cpuMsPerStream.server,
    ]),
  );
  console.log(`${r.database}: blocking requests on a zero-latency model; CPU ms per request by process`);
  table(
    [
      'endpoint',
      'in flight',
      'req/s',
      'p50 ms',
      'p99 ms',
      'cpu server',
      'cpu postgres',
      'cpu model',
      'cpu client',
    ],
    [
      ...r.chatBlocking.map((b) => ['POST /chat-messages', ...blockingCells(b)]),
      ...r.workflowBlocking.map((b) => ['POST /workflows/run', ...blockingCells(b)]),
    ],
  );
}

function blockingCells(b: Result['chatBlocking'][number]) {
  const cpu = b.cpuMsPerRequest;
  return [
    b.concurrency,
    b.perSecond,
    b.latencyMs.p50,
    b.latencyMs.p99,
    cpu.server,
    cpu.database,
    cpu.model,
    cpu.client,
  ];
}

function verdicts(r: Result) {
  const at = (c: number) => r.firstToken.find((l) => l.concurrency === c && !l.together);
  const best = (rows: Result['chatBlocking']) => Math.max(...rows.map((b) => b.perSecond ?? 0));
  const added1 = at(1)?.addedP50Ms ?? Number.POSITIVE_INFINITY;
  const added50 = at(50)?.addedP99Ms ?? Number.POSITIVE_INFINITY;
  return {
    database: r.database,
    addedFirstTokenP50At1: { value: added1, met: added1 < TARGETS.addedFirstTokenP50MsAtConcurrency1 },
    addedFirstTokenP99At50: { value: added50, met: added50 < TARGETS.addedFirstTokenP99MsAt50Streams },
    chatRequestsPerSecond: {
      value: best(r.chatBlocking),
      met: best(r.chatBlocking) >= TARGETS.chatRequestsPerSecond,
    },
    workflowRunsPerSecond: {
      value: best(r.workflowBlocking),
      met: best(r.workflowBlocking) >= TARGETS.workflowRunsPerSecond,
    },
  };
}

async function main() {
  const only = process.env.WEFT_BENCH_DATABASES?.split(',') ?? ['pglite', 'postgres'];
  const mock = await startMockProcess();
  const results: Result[] = [];
  try {
    if (only.includes('pglite')) results.push(await measure('pglite', {}, mock));
    const binDir = only.includes('postgres') ? findPostgresBinDir() : null;
    if (binDir) {
      const pg = await startPostgres(binDir);
      try {
        const port = new URL(pg.url).port;
        results.push(await measure('postgres', { DATABASE_URL: pg.url }, mock, port));
        // One web process per core, as PostgreSQL allows (WEFT_WEB_PROCESSES).
        const cores = cpus().length;
        if (cores > 1) {
          const env = { DATABASE_URL: pg.url, WEFT_WEB_PROCESSES: String(cores) };
          results.push(await measure(`postgres ×${cores}`, env, mock, port));
        }
      } finally {
        pg.stop();
      }
    } else if (only.includes('postgres')) {
      console.log('postgres skipped: PostgreSQL server binaries not found (apt-get install postgresql)');
    }
  } finally {
    mock.stop();
  }
  for (const r of results) printResult(r);
  const checks = results.map(verdicts);
  console.log('\ntargets');
  for (const c of checks)
    console.log(
      `  ${c.database.padEnd(12)} added p50 at 1 < ${TARGETS.addedFirstTokenP50MsAtConcurrency1} ms: ${c.addedFirstTokenP50At1.met ? 'met' : 'MISSED'} | ` +
        `added p99 at 50 < ${TARGETS.addedFirstTokenP99MsAt50Streams} ms: ${c.addedFirstTokenP99At50.met ? 'met' : 'MISSED'} | ` +
        `chat ≥ ${TARGETS.chatRequestsPerSecond}/s: ${c.chatRequestsPerSecond.met ? 'met' : 'MISSED'} | ` +
        `workflow ≥ ${TARGETS.workflowRunsPerSecond}/s: ${c.workflowRunsPerSecond.met ? 'met' : 'MISSED'}`,
    );
  writeBenchResult('api', {
    setup: {
      streamModel: STREAM_MODEL,
      blockingModel: INSTANT_MODEL,
      query: QUERY,
      streamLevels: STREAM_LEVELS,
      streamRampMs: STREAM_RAMP_MS,
      blocking: BLOCKING,
      chatApp: 'start → llm (streaming) → answer',
      workflowApp: 'start → template → end',
    },
    targets: TARGETS,
    reference: REFERENCE,
    results,
    checks,
  });
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
