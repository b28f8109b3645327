import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { type Database, type Db, resultRows } from './database';
import { migrationsFolder } from './migrations-folder';
import * as schema from './schema';

export interface PostgresOptions {
  url: string;
  max?: number;
}

/** A pooled postgres.js database. Safe to import on Workers. */
export function createPostgresDatabase(options: PostgresOptions): Database {
  const client = postgres(options.url, {
    max: options.max ?? 10,
    onnotice: () => {},
    // Keep bigint columns exact.
    types: { bigint: postgres.BigInt },
  });
  const db = drizzle(client, { schema }) as unknown as Db;

  return {
    kind: 'postgres',
    db,
    rows: async (query, on = db) => resultRows(await on.execute(query)),
    ping: async () => {
      await db.execute(sql`select 1`);
    },
    listen: async (channel, handler) => {
      const { unlisten } = await client.listen(channel, (payload) => handler(payload));
      return unlisten;
    },
    close: () => client.end({ timeout: 5 }),
  };
}

// Any fixed number works; it only has to be the same in every process.
const MIGRATION_LOCK = 7_320_117;

/**
 * Applies the checked-in migrations. Several processes may start at once, so the run holds a
 * session advisory lock on its own connection.
 */
export async function migratePostgres(url: string): Promise<void> {
  const client = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await client`select pg_advisory_lock(${MIGRATION_LOCK})`;
    await migrate(drizzle(client), { migrationsFolder: migrationsFolder() });
    await client`select pg_advisory_unlock(${MIGRATION_LOCK})`;
  } finally {
    await client.end({ timeout: 5 });
  }
}
