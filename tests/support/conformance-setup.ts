// Global set-up of the conformance tier: starts a real PostgreSQL server (required) and, when the
// Temporal CLI is installed, a Temporal dev server, so the engine conformance suites run on both.
// With CI=true a missing Temporal CLI fails the run instead of skipping the Temporal suites.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { bundleWorkflows } from '@/workflows/engines/temporal/worker';
import { findPostgresBinDir, startPostgres } from './postgres-server';
import { findTemporalCli, startTemporalDevServer } from './temporal-server';

// `postgresUrl` is declared by integration-setup.ts; in this tier it is never null.
declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string | null;
    /** The Temporal workflow code, bundled once for every suite's workers. */
    workflowBundlePath: string | null;
  }
}

export default async function setup(project: TestProject) {
  const binDir = findPostgresBinDir();
  if (!binDir)
    throw new Error(
      'the conformance tier needs the PostgreSQL server, which is not installed (apt-get install postgresql)',
    );
  const cli = findTemporalCli();
  if (!cli) {
    if (process.env.CI === 'true')
      throw new Error('CI=true but the Temporal CLI is not installed (bash scripts/install-temporal-cli.sh)');
    console.warn(
      '[conformance] Temporal CLI not found: skipping the Temporal suites (bash scripts/install-temporal-cli.sh)',
    );
  }

  // Independent, so start both at once; if one fails, stop the other before reporting it.
  const [pg, tmp] = await Promise.allSettled([
    startPostgres(binDir),
    cli ? startTemporalDevServer(cli) : Promise.resolve(null),
  ]);
  const postgres = pg.status === 'fulfilled' ? pg.value : null;
  const temporal = tmp.status === 'fulfilled' ? tmp.value : null;
  const teardown = async () => {
    try {
      await temporal?.stop();
    } finally {
      postgres?.stop();
    }
  };
  if (pg.status === 'rejected') {
    await teardown();
    throw pg.reason;
  }
  if (tmp.status === 'rejected') {
    await teardown();
    throw tmp.reason;
  }
  let bundleDir: string | null = null;
  if (tmp.value) {
    try {
      bundleDir = mkdtempSync(path.join(tmpdir(), 'weft-workflow-bundle-'));
      writeFileSync(path.join(bundleDir, 'workflow-bundle.js'), (await bundleWorkflows()).code);
    } catch (error) {
      await teardown();
      throw error;
    }
  }
  project.provide('postgresUrl', pg.value.url);
  project.provide('temporalAddress', tmp.value?.address ?? null);
  project.provide('workflowBundlePath', bundleDir ? path.join(bundleDir, 'workflow-bundle.js') : null);
  return async () => {
    if (bundleDir) rmSync(bundleDir, { recursive: true, force: true });
    await teardown();
  };
}
