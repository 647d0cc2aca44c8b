// The set-up integration suites of the studio API share: a database, an engine with its worker
// behind the tRPC routers, and one signed-up owner with a workspace. Registers the suite's
// beforeAll/afterAll and returns the object they fill, read inside the tests.
import { afterAll, beforeAll } from 'vitest';
import type { Database } from '@/db/client';
import { type EngineHarness, startEngineHarness } from './engine-harness';
import { registerEngine, signUpUser } from './trpc-harness';

export interface StudioEngineSuite {
  database: Database;
  h: EngineHarness;
  owner: Awaited<ReturnType<typeof signUpUser>>;
  /** The owner's workspace, as procedures take it. */
  ws: { workspaceId: string };
}

export function studioEngineSuite(open: () => Promise<Database>, ownerLabel: string): StudioEngineSuite {
  const suite = {} as StudioEngineSuite;
  beforeAll(async () => {
    suite.database = await open();
    suite.h = await startEngineHarness(suite.database);
    registerEngine(suite.database.db, suite.h.runtime.engine);
    suite.owner = await signUpUser(suite.database.db, ownerLabel);
    suite.ws = { workspaceId: suite.owner.workspaceId };
  });
  afterAll(async () => {
    await suite.h?.close();
    await suite.database?.close();
  });
  return suite;
}
