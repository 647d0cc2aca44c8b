// The databases every integration suite runs against: an in-memory PGlite, and a fresh database
// on the tier's PostgreSQL server when one is running.
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { inject } from 'vitest';
import { type Database, openDatabase } from '@/db/client';

export interface TestDatabase {
  name: 'pglite' | 'postgres';
  open(): Promise<Database>;
}

async function freshPostgresDatabase(serverUrl: string): Promise<Database> {
  const name = `weft_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return openDatabase({ kind: 'postgres', url: url.toString(), maxConnections: 5 });
}

export function testDatabases(): TestDatabase[] {
  const list: TestDatabase[] = [{ name: 'pglite', open: () => openDatabase({ kind: 'pglite' }) }];
  const postgresUrl = inject('postgresUrl');
  if (postgresUrl) list.push({ name: 'postgres', open: () => freshPostgresDatabase(postgresUrl) });
  return list;
}
