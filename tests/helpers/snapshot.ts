import type { Database } from '@tuike/db';
import { sql } from 'drizzle-orm';

/**
 * A fingerprint of every row of every table: equal fingerprints before and after a request
 * prove that the request changed nothing.
 */
export async function snapshotDatabase(database: Database): Promise<Record<string, string>> {
  const tables = await database.rows<{ name: string }>(
    sql`select tablename as name from pg_tables where schemaname = 'public' order by tablename`,
  );
  const out: Record<string, string> = {};
  for (const { name } of tables) {
    const [row] = await database.rows<{ n: number; h: string | null }>(
      sql.raw(
        `select count(*)::int as n, md5(string_agg(t::text, '|' order by t::text)) as h from "${name}" t`,
      ),
    );
    out[name] = `${row?.n ?? 0}:${row?.h ?? ''}`;
  }
  return out;
}
