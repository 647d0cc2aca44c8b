// The databases every integration suite runs against: PGlite, and a fresh database on the tier's
// PostgreSQL server when one is running. `open()` gives a throw-away database; `target()` a
// persistent one (a PGlite directory, a PostgreSQL URL) that can be closed and opened again, or
// handed to another process.

import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { inject } from 'vitest';
import { type Database, type DatabaseTarget, openDatabase } from '@/db/client';

export interface TestDatabase {
  name: 'pglite' | 'postgres';
  open(): Promise<Database>;
  target(): Promise<DatabaseTarget & { env: Record<string, string> }>;
}

export async function freshPostgresUrl(serverUrl: string): Promise<string> {
  const name = `weft_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export function testDatabases(): TestDatabase[] {
  const list: TestDatabase[] = [
    {
      name: 'pglite',
      open: () => openDatabase({ kind: 'pglite' }),
      target: async () => {
        const dataDir = mkdtempSync(path.join(tmpdir(), 'weft-pglite-'));
        // The layout `npm start` and `npm run worker` use: PGlite files under <WEFT_DATA_DIR>/pglite.
        return { kind: 'pglite', dataDir: path.join(dataDir, 'pglite'), env: { WEFT_DATA_DIR: dataDir } };
      },
    },
  ];
  const postgresUrl = inject('postgresUrl');
  if (postgresUrl)
    list.push({
      name: 'postgres',
      open: async () =>
        openDatabase({ kind: 'postgres', url: await freshPostgresUrl(postgresUrl), maxConnections: 5 }),
      target: async () => {
        const url = await freshPostgresUrl(postgresUrl);
        return { kind: 'postgres', url, maxConnections: 5, env: { DATABASE_URL: url } };
      },
    });
  return list;
}
