// What bench/api.ts measures with: keep-alive HTTP pools (undici) sized for the concurrency, the
// two first-token probes (the mock model's own stream and Weft's /chat-messages stream), a closed
// loop of N lanes with a request count and a time limit, percentiles, and CPU time of processes
// read from /proc (the Weft server's process tree, the mock model's process, PostgreSQL's).
import { readdirSync, readFileSync } from 'node:fs';
import { Pool } from 'undici';

/** Connections per pool: above the highest concurrency, so no request waits for a socket. */
export const POOL_CONNECTIONS = 64;

export function pool(origin: string): Pool {
  return new Pool(origin, {
    connections: POOL_CONNECTIONS,
    pipelining: 1,
    keepAliveTimeout: 60_000,
    keepAliveMaxTimeout: 120_000,
  });
}

const JSON_HEADERS = { 'content-type': 'application/json' };

/** POSTs JSON and reads the JSON answer; throws on a status other than 200. */
export async function postJson(http: Pool, path: string, token: string, body: unknown): Promise<unknown> {
  const res = await http.request({
    path,
    method: 'POST',
    headers: { ...JSON_HEADERS, authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`${path}: HTTP ${res.statusCode} ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

/**
 * POSTs and reads a Server-Sent Events answer to its end. `isFirst` is asked about every `data:`
 * payload until it says yes; the result is the milliseconds from sending to that event, and
 * whether `isLast` saw the stream end as it should.
 */
async function streamUntil(
  http: Pool,
  path: string,
  token: string,
  body: unknown,
  isFirst: (data: string) => boolean,
  isLast: (data: string) => boolean,
): Promise<number> {
  const began = performance.now();
  const res = await http.request({
    path,
    method: 'POST',
    headers: { ...JSON_HEADERS, authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  if (res.statusCode !== 200) {
    const text = await res.body.text();
    throw new Error(`${path}: HTTP ${res.statusCode} ${text.slice(0, 300)}`);
  }
  let first: number | null = null;
  let ended = false;
  let buffer = '';
  for await (const chunk of res.body) {
    buffer += String(chunk);
    let cut = buffer.indexOf('\n\n');
    while (cut >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      cut = buffer.indexOf('\n\n');
      for (const line of block.split('\n')) {
        if (!line.startsWith('data: ')) continue;
        const data = line.slice(6);
        if (first === null && isFirst(data)) first = performance.now() - began;
        if (isLast(data)) ended = true;
      }
    }
  }
  if (first === null || !ended) throw new Error(`${path}: the stream ended without its first token or end`);
  return first;
}

/** Time to the first non-empty content chunk of the model's own stream (OpenAI's shape). */
export function modelFirstToken(http: Pool, query: string): Promise<number> {
  return streamUntil(
    http,
    '/v1/chat/completions',
    'sk-e2e',
    { model: 'mock-gpt', stream: true, messages: [{ role: 'user', content: query }] },
    (data) => {
      if (data === '[DONE]') return false;
      const chunk = JSON.parse(data) as { choices?: { delta?: { content?: string } }[] };
      return Boolean(chunk.choices?.[0]?.delta?.content);
    },
    (data) => data === '[DONE]',
  );
}

/** Time to Weft's first `message` event with answer text, on POST /chat-messages streaming. */
export function weftFirstToken(http: Pool, token: string, query: string, user: string): Promise<number> {
  return streamUntil(
    http,
    '/api/v1/chat-messages',
    token,
    { inputs: {}, query, user, response_mode: 'streaming' },
    (data) => {
      const event = JSON.parse(data) as { event?: string; answer?: string };
      if (event.event === 'error') throw new Error(`error event: ${data}`);
      return event.event === 'message' && Boolean(event.answer);
    },
    (data) => data.includes('"event":"message_end"'),
  );
}

export interface LoopResult {
  /** Milliseconds of each request that succeeded (its full latency or its first token). */
  took: number[];
  errors: number;
  firstError: string | null;
  seconds: number;
}

/**
 * `lanes` loops of one request at a time, until `count` requests were started or `maxSeconds`
 * passed. `call(i)` returns the number to record (e.g. time to first token), or null to record
 * the request's own duration. With `rampMs`, lane k starts k × rampMs / lanes after the first, as a
 * load tool's ramp-up does; without it, every lane starts at once.
 */
export async function closedLoop(
  lanes: number,
  count: number,
  maxSeconds: number,
  call: (i: number) => Promise<number | null>,
  rampMs = 0,
): Promise<LoopResult> {
  const took: number[] = [];
  let errors = 0;
  let firstError: string | null = null;
  let next = 0;
  const began = performance.now();
  const deadline = began + maxSeconds * 1000;
  const lane = async (k: number) => {
    if (rampMs > 0 && k > 0) await new Promise((resolve) => setTimeout(resolve, (k * rampMs) / lanes));
    while (next < count && performance.now() < deadline) {
      const i = next++;
      const t0 = performance.now();
      try {
        const measured = await call(i);
        took.push(measured ?? performance.now() - t0);
      } catch (error) {
        errors += 1;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: lanes }, (_, k) => lane(k)));
  return { took, errors, firstError, seconds: (performance.now() - began) / 1000 };
}

/** Nearest-rank percentile (p in 0..100) of `xs`; NaN when empty. */
export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}

export const round = (x: number, digits = 2) => (Number.isFinite(x) ? Number(x.toFixed(digits)) : null);

const TICKS_PER_SECOND = 100; // USER_HZ: 100 on Linux (getconf CLK_TCK)

interface ProcStat {
  pid: number;
  ppid: number;
  /** utime + stime, in clock ticks. */
  ticks: number;
}

function readStat(pid: number): ProcStat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: split after its last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { pid, ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return null; // it ended meanwhile
  }
}

function allProcesses(): ProcStat[] {
  const out: ProcStat[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (stat) out.push(stat);
  }
  return out;
}

/** The pids of `root` and every process below it. */
export function processTree(root: number): number[] {
  const all = allProcesses();
  const children = new Map<number, number[]>();
  for (const p of all) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p.pid]);
  const out: number[] = [];
  const visit = (pid: number) => {
    out.push(pid);
    for (const child of children.get(pid) ?? []) visit(child);
  };
  visit(root);
  return out;
}

/**
 * The pid of the process whose command line contains every one of `parts` (and whose parent is
 * `parent`, when given), or null.
 */
export function findProcess(parts: string[], parent?: number): number | null {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ');
      if (!parts.every((p) => cmd.includes(p))) continue;
      if (parent === undefined || readStat(Number(name))?.ppid === parent) return Number(name);
    } catch {
      // gone
    }
  }
  return null;
}

/** CPU milliseconds (user + system) used so far by the processes `pids()` names. */
export function cpuMs(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) ticks += readStat(pid)?.ticks ?? 0;
  return (ticks * 1000) / TICKS_PER_SECOND;
}

/** This process's own CPU milliseconds so far (the bench's HTTP client). */
export function ownCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}
