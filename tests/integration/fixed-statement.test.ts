import { fixedStatement } from '@tuike/db';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../helpers/harness';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.close();
});

describe('fixed statements', () => {
  it('build their SQL once and fill named parameters, a name used twice with one value', async () => {
    let builds = 0;
    const echo = fixedStatement<'word' | 'n' | 'missing'>((p) => {
      builds++;
      return sql`select ${p.word}::text || ':' || ${p.n}::int as said,
                        ${p.word}::text as again, ${p.missing}::text is null as is_null`;
    });
    const first = await echo(h.database.db, { word: '推客', n: 7, missing: null });
    const second = await echo(h.database.db, {
      word: "o'clock; drop table x",
      n: -1,
      missing: 'x',
    });
    expect(first).toEqual([{ said: '推客:7', again: '推客', is_null: true }]);
    expect(second).toEqual([
      { said: "o'clock; drop table x:-1", again: "o'clock; drop table x", is_null: false },
    ]);
    expect(builds).toBe(1);
  });

  it('run on the transaction they are given: it sees its own uncommitted rows', async () => {
    const count = fixedStatement<'name'>(
      (p) => sql`select count(*)::int as n from pg_temp.fixed_probe where name = ${p.name}::text`,
    );
    const seen = await h.database.db.transaction(async (tx) => {
      await tx.execute(sql`create temporary table fixed_probe (name text) on commit drop`);
      await tx.execute(sql`insert into fixed_probe values ('a'), ('a'), ('b')`);
      return count(tx, { name: 'a' });
    });
    expect(seen).toEqual([{ n: 2 }]);
  });
});
