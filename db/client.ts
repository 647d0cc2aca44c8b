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
    /** Sends the notices in one statement. */
    notify(notices: { channel: string; payload: string }[]): Promise<void>;
  };
  close(): Promise<void>;
}

export type DatabaseTarget =
  | { kind: 'pglite'; dataDir?: string /* in-memory when absent */ }
  | { kind: 'postgres'; url: string; maxConnections?: number };

export const migrationsFolder = path.join(process.cwd(), 'db', 'migrations');

/** The advisory lock migrations run under on PostgreSQL (any constant unique to Weft). */
const MIGRATION_LOCK_KEY = 7_215_330_411;

/** Opens the database and applies pending migrations. */
export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  if (target.kind === 'pglite') {
    const { PGlite, types } = await import('@electric-sql/pglite');
    const { drizzle } = await import('drizzle-orm/pglite');
    const { migrate } = await import('drizzle-orm/pglite/migrator');
    const client = target.dataDir ? new PGlite(target.dataDir) : new PGlite();
    await client.waitReady;
    const db = drizzle(withClientParsers(client, types), { schema });
    await migrate(db, { migrationsFolder });
    return { db: db as unknown as Db, kind: 'pglite', close: () => client.close() };
  }
  const { default: postgres } = await import('postgres');
  const { drizzle } = await import('drizzle-orm/postgres-js');
  const { migrate } = await import('drizzle-orm/postgres-js/migrator');
  const client = postgres(target.url, { max: target.maxConnections ?? 10, onnotice: () => {} });
  const db = drizzle(preparedStatements(client), { schema });
  // Processes starting together (several web processes, workers) migrate one at a time: the
  // others wait, then find nothing left to apply.
  const lock = await client.reserve();
  try {
    await lock`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
    await migrate(db, { migrationsFolder });
  } finally {
    await lock`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`.catch(() => {});
    lock.release();
  }
  return {
    db: db as unknown as Db,
    kind: 'postgres',
    notifications: {
      async listen(channel, onMessage) {
        const { unlisten } = await client.listen(channel, onMessage);
        return unlisten;
      },
      async notify(notices) {
        if (notices.length === 0) return;
        const calls = notices.map((_, i) => `pg_notify($${2 * i + 1}, $${2 * i + 2})`);
        await client.unsafe(
          `select ${calls.join(', ')}`,
          notices.flatMap((n) => [n.channel, n.payload]),
        );
      },
    },
    close: () => client.end({ timeout: 5 }),
  };
}

type PostgresClient = import('postgres').Sql;

/**
 * drizzle runs its queries as unnamed statements, and postgres.js then describes every statement
 * with parameters before running it: two round trips a query. As named statements (postgres.js's
 * own default) each is described once per connection and then reused: one round trip. Statements
 * are cached per connection, keyed by their text.
 */
function preparedStatements<T extends PostgresClient>(client: T): T {
  return new Proxy(client, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      if (prop === 'unsafe')
        return (query: string, params?: unknown[], options?: object) =>
          value.call(target, query, params, { ...options, prepare: true });
      // Transactions (and savepoints in them) hand their callback a client of their own.
      if (prop === 'begin' || prop === 'savepoint')
        return (...args: unknown[]) => {
          const fn = args.at(-1) as (tx: PostgresClient) => unknown;
          return value.call(target, ...args.slice(0, -1), (tx: PostgresClient) => fn(preparedStatements(tx)));
        };
      return value.bind(target);
    },
  });
}

type PGliteClient = import('@electric-sql/pglite').PGlite;
type PGliteTypes = typeof import('@electric-sql/pglite').types;

/**
 * drizzle sends its own result parsers with every PGlite query (dates, timestamps and intervals
 * stay text, which drizzle maps itself), and PGlite merges them into its ~300 type parsers on every
 * call: about 0.1 ms a query. Set once on the client (after PGlite's start-up has added its array
 * parsers), the same parsers apply to every query and the per-query copy is dropped: same rows.
 */
function withClientParsers(client: PGliteClient, types: PGliteTypes): PGliteClient {
  const asText = (value: string) => value;
  // As drizzle-orm/pglite: the scalar types, then numeric[], timestamp[], timestamptz[], interval[], date[].
  const textTypes = [
    types.TIMESTAMP,
    types.TIMESTAMPTZ,
    types.INTERVAL,
    types.DATE,
    1231,
    1115,
    1185,
    1187,
    1182,
  ];
  client.parsers = { ...client.parsers, ...Object.fromEntries(textTypes.map((oid) => [oid, asText])) };
  const dropParsers = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(obj, prop) {
        const value = Reflect.get(obj, prop, obj);
        if (typeof value !== 'function') return value;
        if (prop === 'query')
          return (text: string, params?: unknown[], options?: { parsers?: unknown }) =>
            value.call(obj, text, params, options?.parsers ? { ...options, parsers: undefined } : options);
        if (prop === 'transaction')
          return (fn: (tx: object) => Promise<unknown>) =>
            value.call(obj, (tx: object) => fn(dropParsers(tx)));
        return value.bind(obj);
      },
    });
  return dropParsers(client);
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
