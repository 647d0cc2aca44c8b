// Opens Weft's database: PGlite (embedded, files under the data directory) when DATABASE_URL is
// unset, a real PostgreSQL server through postgres.js otherwise. Migrations in db/migrations are
// applied before the first query. Both drivers are exposed as one drizzle `Db` type. Server-side
// only (web process, workers, tests); never imported by browser code.
import path from 'node:path';
import type { ExtractTablesWithRelations } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import * as schema from './schema';

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** A database handle or an open transaction: services accept either. */
export type DbOrTx = Db | Tx;

export interface Database {
  db: Db;
  kind: 'pglite' | 'postgres';
  /**
   * Cross-process notifications (PostgreSQL LISTEN/NOTIFY). Absent on PGlite, where only one
   * process can open the database and in-process events suffice.
   */
  notifications?: {
    listen(channel: string, onMessage: (payload: string) => void): Promise<() => Promise<void>>;
    notify(channel: string, payload: string): Promise<void>;
  };
  close(): Promise<void>;
}

export type DatabaseTarget =
  | { kind: 'pglite'; dataDir?: string /* in-memory when absent */ }
  | { kind: 'postgres'; url: string; maxConnections?: number };

export const migrationsFolder = path.join(process.cwd(), 'db', 'migrations');

/** Opens the database and applies pending migrations. */
export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  if (target.kind === 'pglite') {
    const { PGlite } = await import('@electric-sql/pglite');
    const { drizzle } = await import('drizzle-orm/pglite');
    const { migrate } = await import('drizzle-orm/pglite/migrator');
    const client = target.dataDir ? new PGlite(target.dataDir) : new PGlite();
    const db = drizzle(client, { schema });
    await migrate(db, { migrationsFolder });
    return { db: db as unknown as Db, kind: 'pglite', close: () => client.close() };
  }
  const { default: postgres } = await import('postgres');
  const { drizzle } = await import('drizzle-orm/postgres-js');
  const { migrate } = await import('drizzle-orm/postgres-js/migrator');
  const client = postgres(target.url, { max: target.maxConnections ?? 10, onnotice: () => {} });
  const db = drizzle(client, { schema });
  await migrate(db, { migrationsFolder });
  return {
    db: db as unknown as Db,
    kind: 'postgres',
    notifications: {
      async listen(channel, onMessage) {
        const { unlisten } = await client.listen(channel, onMessage);
        return unlisten;
      },
      async notify(channel, payload) {
        await client.notify(channel, payload);
      },
    },
    close: () => client.end({ timeout: 5 }),
  };
}

// Kept on globalThis so that module reloads in development never open the PGlite files twice.
const holder = globalThis as unknown as { __weftDatabase?: Promise<Database> };

/** The process-wide database chosen by the configuration. */
export function getDatabase(): Promise<Database> {
  if (!holder.__weftDatabase) {
    holder.__weftDatabase = (async () => {
      const { config } = await import('@/server/config');
      const cfg = config();
      return openDatabase(
        cfg.DATABASE_URL
          ? { kind: 'postgres', url: cfg.DATABASE_URL }
          : { kind: 'pglite', dataDir: path.join(cfg.WEFT_DATA_DIR, 'pglite') },
      );
    })();
    holder.__weftDatabase.catch(() => {
      holder.__weftDatabase = undefined;
    });
  }
  return holder.__weftDatabase;
}

export async function getDb(): Promise<Db> {
  return (await getDatabase()).db;
}
