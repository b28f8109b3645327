import { mkdirSync } from 'node:fs';
import { PGlite, type PGliteOptions } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { type Database, type Db, resultRows } from './database';
import { migrationsFolder } from './migrations-folder';
import * as schema from './schema';

export interface PgliteOptions {
  /** A folder to keep the data in; omitted, the database lives in memory. */
  dataDir?: string;
  /** A tarball from `dumpDataDir()` to start from (tests start from a migrated copy). */
  loadDataDir?: Blob | File;
}

/**
 * Embedded PostgreSQL (PGlite) for running without a server. One connection: transactions
 * queue, and advisory locks exclude nothing. Never import this from the Workers entry.
 */
export async function createPgliteDatabase(options: PgliteOptions = {}): Promise<Database> {
  const pgliteOptions: PGliteOptions = {};
  if (options.loadDataDir) pgliteOptions.loadDataDir = options.loadDataDir;
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const client = options.dataDir
    ? new PGlite(options.dataDir, pgliteOptions)
    : new PGlite(pgliteOptions);
  await client.waitReady;
  const db = drizzle(client, { schema }) as unknown as Db;

  return {
    kind: 'pglite',
    db,
    rows: async (query, on = db) => resultRows(await on.execute(query)),
    ping: async () => {
      await db.execute(sql`select 1`);
    },
    listen: async (channel, handler, onListen) => {
      // In-process: the subscription cannot drop, so it is made once.
      const unlisten = await client.listen(channel, handler);
      onListen?.();
      return () => unlisten();
    },
    close: () => client.close(),
  };
}

export async function migratePglite(database: Database): Promise<void> {
  await migrate(database.db as Parameters<typeof migrate>[0], {
    migrationsFolder: migrationsFolder(),
  });
}

/** A migrated in-memory database dumped to a tarball, for tests to start from. */
export async function dumpMigratedPglite(): Promise<Blob> {
  const client = new PGlite();
  await migrate(drizzle(client), { migrationsFolder: migrationsFolder() });
  const dump = await client.dumpDataDir('none');
  await client.close();
  return dump;
}
