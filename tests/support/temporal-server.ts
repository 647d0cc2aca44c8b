// Starts a throw-away Temporal dev server (`temporal server start-dev` from the Temporal CLI) for the
// conformance tier: in-memory state, no Web UI, listening on 127.0.0.1 on free ports, in its own
// process group so stop() takes down everything it started. `bash scripts/install-temporal-cli.sh`
// installs the CLI into .tools/temporal.
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createConnection } from 'node:net';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Connection } from '@temporalio/client';
import { freePort } from './postgres-server';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;
/** How much of the server's output to keep for error messages. */
const OUTPUT_LIMIT = 20_000;

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The Temporal CLI to run, or null when it is not installed: $TEMPORAL_CLI, then the copy
 * scripts/install-temporal-cli.sh installs under .tools, then `temporal` on PATH, then ~/go/bin.
 */
export function findTemporalCli(): string | null {
  const fromEnv = process.env.TEMPORAL_CLI;
  if (fromEnv && isExecutable(fromEnv)) return fromEnv;
  const candidates = [
    path.join(repoRoot, '.tools', 'temporal', 'bin', 'temporal'),
    ...(process.env.PATH ?? '')
      .split(path.delimiter)
      .filter(Boolean)
      .map((dir) => path.join(dir, 'temporal')),
    path.join(homedir(), 'go', 'bin', 'temporal'),
  ];
  return candidates.find(isExecutable) ?? null;
}

export interface RunningTemporal {
  /** host:port of the frontend gRPC service. */
  address: string;
  namespace: string;
  stop(): Promise<void>;
}

export async function startTemporalDevServer(cli: string): Promise<RunningTemporal> {
  // The ports are free when picked but could be taken before the server binds them: retry then.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(cli);
    } catch (err) {
      if (attempt >= 3 || !(err instanceof PortInUseError)) throw err;
    }
  }
}

class PortInUseError extends Error {}

async function startOnce(cli: string): Promise<RunningTemporal> {
  const [port, httpPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
  const address = `127.0.0.1:${port}`;
  const namespace = 'default';
  // No --db-filename: state lives in memory and dies with the process.
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--http-port',
    String(httpPort),
    '--metrics-port',
    String(metricsPort),
    '--headless',
    '--log-level',
    'error',
  ];
  const child = spawn(cli, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-OUTPUT_LIMIT);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);

  // Updated by the child's events; an object so TypeScript does not narrow the fields to null.
  const state: { exited: Exit | null; spawnError: Error | null } = { exited: null, spawnError: null };
  const exit = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      state.exited = { code, signal };
      resolve();
    });
  });
  child.once('error', (err) => {
    state.spawnError = err;
  });
  // If the test runner dies without tearing down, do not leave the server running.
  const killOnExit = () => killGroup(child, 'SIGKILL');
  process.once('exit', killOnExit);

  const stop = async () => {
    process.removeListener('exit', killOnExit);
    if (state.exited || state.spawnError) return;
    killGroup(child, 'SIGTERM');
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), STOP_TIMEOUT_MS);
    await exit;
    clearTimeout(timer);
  };

  const commandLine = [cli, ...args].join(' ');
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let lastError: unknown = null;
  while (true) {
    if (state.spawnError || state.exited) {
      await stop();
      const why = state.spawnError
        ? `could not be started: ${state.spawnError.message}`
        : `exited before it was ready (${describeExit(state.exited)})`;
      const message = `Temporal dev server ${why}\ncommand: ${commandLine}\noutput:\n${output}`;
      throw /address already in use/i.test(output) ? new PortInUseError(message) : new Error(message);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(
        `Temporal dev server not ready after ${READY_TIMEOUT_MS / 1000} s at ${address}` +
          ` (last error: ${lastError instanceof Error ? lastError.message : String(lastError)})` +
          `\ncommand: ${commandLine}\noutput:\n${output}`,
      );
    }
    try {
      // A plain TCP probe first: a gRPC connection to a closed port backs off for a second.
      await probeTcp(port);
      const connection = await Connection.connect({ address, connectTimeout: '2s' });
      try {
        await connection.workflowService.getSystemInfo({});
        await connection.workflowService.describeNamespace({ namespace });
      } finally {
        await connection.close();
      }
      return { address, namespace, stop };
    } catch (err) {
      lastError = err;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

function probeTcp(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', reject);
  });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals) {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

function describeExit(exited: Exit | null): string {
  if (!exited) return 'unknown';
  return exited.signal ? `signal ${exited.signal}` : `exit code ${exited.code}`;
}
