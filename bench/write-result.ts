// Writes a benchmark's report to bench/results/<name>.json, stamped with the time and the machine
// it ran on, so runs on different days and machines can be told apart.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import path from 'node:path';

export function writeBenchResult(name: string, report: Record<string, unknown>): void {
  const stamped = {
    benchmark: name,
    at: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', node: process.version },
    ...report,
  };
  const dir = path.join(process.cwd(), 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.json`);
  writeFileSync(file, `${JSON.stringify(stamped, null, 2)}\n`);
  console.log(`written to ${path.relative(process.cwd(), file)}`);
}
