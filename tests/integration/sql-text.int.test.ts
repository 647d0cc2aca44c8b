// Statements built as text (db/sql-text.ts) against the real drivers: the same rows as drizzle's
// `execute` of the equivalent `sql` template, whether run on the database handle (straight to the
// driver) or inside a transaction (through drizzle).
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@/db/client';
import { executeText, SqlText, sqlText } from '@/db/sql-text';
import { rowsOf } from '@/workflows/engines/embedded/sql-rows';
import { testDatabases } from '../support/databases';

describe.each(testDatabases())('statements as text on $name', ({ open }) => {
  let database: Database;
  beforeAll(async () => {
    database = await open();
  });
  afterAll(async () => {
    await database.close();
  });

  const values = {
    text: 'it’s "quoted" $1',
    count: 42,
    flag: true,
    none: null,
    json: { a: [1, 'two', null], b: { c: 'ü' } },
    at: '2026-01-02T03:04:05.678Z',
  };

  it('returns the rows drizzle returns, typed and parsed alike', async () => {
    const viaDrizzle = rowsOf(
      await database.db.execute(sql`
        select ${values.text}::text as text, ${values.count}::int as count, ${values.flag}::boolean as flag,
               ${values.none}::text as none, ${JSON.stringify(values.json)}::jsonb as json,
               ${values.at}::timestamptz as at, now() - now() as zero`),
    );
    const statement = sqlText`
        select ${values.text}::text as text, ${values.count}::int as count, ${values.flag}::boolean as flag,
               ${values.none}::text as none, ${JSON.stringify(values.json)}::jsonb as json,
               ${values.at}::timestamptz as at, now() - now() as zero`;
    expect(statement.params).toHaveLength(6);
    // Plain arrays: postgres.js lists carry the statement's own details besides the rows.
    const direct = Array.from(await executeText(database.db, statement));
    const inTransaction = Array.from(await database.db.transaction((tx) => executeText(tx, statement)));
    expect(direct).toEqual(Array.from(viaDrizzle));
    expect(inTransaction).toEqual(Array.from(viaDrizzle));
    expect(direct[0]).toMatchObject({ text: values.text, count: 42, flag: true, none: null });
  });

  it('numbers placeholders in the order values are taken, and reuses one for repeated use', async () => {
    const q = new SqlText();
    const shared = q.param(7);
    q.add(
      `select ${shared}::int + ${shared}::int as twice, ${q.jsonb(values.json)} as json, ${q.jsonb(null)} as empty`,
    );
    expect(q.text).toContain('$1::int + $1::int');
    expect(q.params).toEqual([7, JSON.stringify(values.json)]);
    const [row] = await executeText<{ twice: number; json: unknown; empty: unknown }>(database.db, q);
    expect(row?.twice).toBe(14);
    expect(typeof row?.json === 'string' ? JSON.parse(row.json) : row?.json).toEqual(values.json);
    expect(row?.empty).toBeNull();
  });

  it('keeps a transaction’s writes inside it', async () => {
    await executeText(database.db, sqlText`create table if not exists sql_text_probe (v text)`);
    await expect(
      database.db.transaction(async (tx) => {
        await executeText(tx, sqlText`insert into sql_text_probe (v) values (${'rolled back'})`);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    await executeText(database.db, sqlText`insert into sql_text_probe (v) values (${'kept'})`);
    const rows = await executeText<{ v: string }>(database.db, sqlText`select v from sql_text_probe`);
    expect(rows.map((r) => r.v)).toEqual(['kept']);
  });
});
