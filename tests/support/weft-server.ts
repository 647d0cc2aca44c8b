// Starts Weft the way the README does (`npm start`, which runs server/cli/start.ts) on a free
// port with its own data directory, and stops it again.
import { type ChildProcess, spawn } from 'node:child_process';
import { freePort } from './postgres-server';

export interface WeftServer {
  url: string;
  output(): string;
  stop(): Promise<void>;
}

export async function startWeft(env: Record<string, string>, timeoutMs = 120_000): Promise<WeftServer> {
  const port = await freePort();
  const child: ChildProcess = spawn('npm', ['start'], {
    env: { ...process.env, PORT: String(port), ...env },
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
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.pid) {
      // npm, tsx and next form a process group; end all of them.
      process.kill(-child.pid, 'SIGTERM');
      const timer = setTimeout(() => child.pid && process.kill(-child.pid, 'SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
  };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}:\n${output}`);
    try {
      const res = await fetch(`${url}/sign-in`);
      if (res.status === 200) return { url, output: () => output, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  await stop();
  throw new Error(`Weft did not answer on ${url} within ${timeoutMs} ms:\n${output}`);
}
