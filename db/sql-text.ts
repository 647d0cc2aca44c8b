// Statements on a run's hot path (its journal writes, its start and its end) written as text with
// $n placeholders plus the list of values, and handed to the driver as they are. drizzle's `sql`
// templates are walked chunk by chunk and checked by class on every call; for statements of forty
// parameters that was about a tenth of a busy web process's time under streaming load.
// Values are scalars (text, numbers, booleans, null): casts go in the text (`$3::jsonb`).
// Server-side only.
import { type SQL, sql } from 'drizzle-orm';
import type { DbOrTx } from './client';

export type SqlParam = string | number | boolean | null;

/** A JSON value as the text of a jsonb parameter; null and undefined as SQL NULL. */
export function jsonOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

/** A statement being built: its text and the values of its placeholders so far. */
export class SqlText {
  text = '';
  readonly params: SqlParam[] = [];

  /** Takes `value` and returns its placeholder ($1, $2, …) to write into the text. */
  param(value: SqlParam): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  /** A JSON value as a jsonb placeholder; null and undefined as SQL NULL. */
  jsonb(value: unknown): string {
    const json = jsonOrNull(value);
    return json === null ? 'null::jsonb' : `${this.param(json)}::jsonb`;
  }

  add(text: string): this {
    this.text += text;
    return this;
  }
}

// One text per call site: a template's strings array is the same object on every call.
const templateTexts = new WeakMap<TemplateStringsArray, string>();

/** A fixed statement as a tagged template: each value becomes a placeholder. */
export function sqlText(strings: TemplateStringsArray, ...values: SqlParam[]): SqlText {
  let text = templateTexts.get(strings);
  if (text === undefined) {
    text = strings.reduce((joined, part, i) => `${joined}$${i}${part}`);
    templateTexts.set(strings, text);
  }
  const statement = new SqlText();
  statement.text = text;
  statement.params.push(...values);
  return statement;
}

interface PostgresJsClient {
  unsafe(text: string, params: SqlParam[]): Promise<unknown>;
}
interface PGliteClient {
  query(text: string, params: SqlParam[], options: { rowMode: 'object' }): Promise<{ rows: unknown[] }>;
}

/**
 * Runs `statement` and returns its rows. On a database handle the text goes to the driver the way
 * drizzle's `execute` sends it (same client, same options, so the same rows and value parsing); in
 * a transaction, whose client drizzle keeps to itself, it goes through `execute`.
 */
export async function executeText<T>(db: DbOrTx, statement: SqlText): Promise<T[]> {
  const client = (db as { $client?: PostgresJsClient | PGliteClient }).$client;
  if (client && 'unsafe' in client) return (await client.unsafe(statement.text, statement.params)) as T[];
  if (client && 'query' in client)
    return (await client.query(statement.text, statement.params, { rowMode: 'object' })).rows as T[];
  return rowsOf<T>(await db.execute(asDrizzleSql(statement)));
}

/** The rows of a raw `execute` result: PGlite returns { rows }, postgres.js an array of rows. */
export function rowsOf<T>(result: unknown): T[] {
  return (result && typeof result === 'object' && 'rows' in result ? result.rows : result) as T[];
}

/** The same statement as a drizzle `sql` (the texts written here never contain `$` otherwise). */
function asDrizzleSql(statement: SqlText): SQL {
  const pieces = statement.text.split(/\$(\d+)/);
  return sql.join(
    pieces.map((piece, i) => (i % 2 === 1 ? sql`${statement.params[Number(piece) - 1]}` : sql.raw(piece))),
  );
}
