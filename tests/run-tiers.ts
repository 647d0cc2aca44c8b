// `npm test`: runs every test tier whose prerequisites are present, says what it skipped and why,
// and ends with one summary line. With CI=true a missing prerequisite fails the run instead.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { chromiumPath } from './support/chromium';
import { findPostgresBinDir } from './support/postgres-server';
import { findTemporalCli } from './support/temporal-server';

const ci = process.env.CI === 'true';
const artifacts = path.join(process.cwd(), 'tests', '.artifacts');
mkdirSync(artifacts, { recursive: true });

interface TierResult {
  tier: string;
  passed: number;
  failed: number;
  skipped: number;
  exitCode: number;
}

const skippedTiers: string[] = [];
const missing: string[] = [];
function skip(what: string, why: string, install: string) {
  skippedTiers.push(`${what}: ${why} (${install})`);
  if (ci) missing.push(what);
}

function runTier(tier: string, projects: string[]): TierResult {
  const report = path.join(artifacts, `vitest-${tier}.json`);
  rmSync(report, { force: true });
  const args = ['vitest', 'run', ...projects.flatMap((p) => ['--project', p])];
  args.push('--reporter=default', '--reporter=json', `--outputFile.json=${report}`);
  console.log(`\n=== ${tier}: npx ${args.join(' ')}`);
  const result = spawnSync('npx', args, { stdio: 'inherit', env: process.env });
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  if (existsSync(report)) {
    const json = JSON.parse(readFileSync(report, 'utf8')) as {
      numPassedTests: number;
      numFailedTests: number;
      numPendingTests: number;
      numTodoTests: number;
    };
    passed = json.numPassedTests;
    failed = json.numFailedTests;
    skipped = json.numPendingTests + json.numTodoTests;
  }
  // A runner that crashed before reporting counts as a failure.
  if (result.status !== 0 && failed === 0) failed = 1;
  return { tier, passed, failed, skipped, exitCode: result.status ?? 1 };
}

const results: TierResult[] = [];
if (findPostgresBinDir()) {
  if (!findTemporalCli())
    skip('conformance on Temporal', 'temporal CLI not found', 'bash scripts/install-temporal-cli.sh');
  results.push(runTier('unit+integration+conformance', ['unit', 'integration', 'conformance']));
} else {
  // The conformance tier's set-up requires PostgreSQL: without it, run the rest of the tier.
  const install = 'apt-get install postgresql';
  skip('integration on PostgreSQL', 'PostgreSQL server binaries not found', install);
  skip('conformance', 'PostgreSQL server binaries not found', install);
  results.push(runTier('unit+integration', ['unit', 'integration']));
}

if (chromiumPath()) results.push(runTier('e2e', ['e2e']));
else skip('browser e2e', 'Chromium not found at /usr/bin/chromium', 'apt-get install chromium');

const total = results.reduce(
  (sum, r) => ({
    passed: sum.passed + r.passed,
    failed: sum.failed + r.failed,
    skipped: sum.skipped + r.skipped,
  }),
  { passed: 0, failed: 0, skipped: 0 },
);

console.log('\n=== summary');
for (const r of results)
  console.log(
    `  ${r.tier}: ${r.passed} passed, ${r.failed} failed${r.skipped ? `, ${r.skipped} skipped` : ''}`,
  );
for (const s of skippedTiers) console.log(`  skipped ${s}`);
if (missing.length > 0) console.log(`  CI=true: missing tiers are failures: ${missing.join(', ')}`);
const failed = total.failed + missing.length;
console.log(`tests: ${total.passed} passed, ${failed} failed`);
process.exit(failed > 0 || results.some((r) => r.exitCode !== 0) ? 1 : 0);
