// Global set-up of the integration tier: starts a real PostgreSQL server when its binaries are
// installed, so every integration suite runs on PGlite and on PostgreSQL. With CI=true a missing
// server fails the run instead of being skipped.
import type { TestProject } from 'vitest/node';
import { findPostgresBinDir, startPostgres } from './postgres-server';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string | null;
  }
}

export default async function setup(project: TestProject) {
  const binDir = findPostgresBinDir();
  if (!binDir) {
    if (process.env.CI === 'true')
      throw new Error('CI=true but the PostgreSQL server is not installed (apt-get install postgresql)');
    console.warn('[integration] PostgreSQL server not installed: running on PGlite only');
    project.provide('postgresUrl', null);
    return;
  }
  const server = await startPostgres(binDir);
  project.provide('postgresUrl', server.url);
  return () => server.stop();
}
