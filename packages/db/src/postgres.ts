import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { type Database, type Db, type Executor, resultRows } from './database';
import { migrationsFolder } from './migrations-folder';
import * as schema from './schema';

/** What postgres.js hands a socket factory: its parsed hosts, ports and unix socket path. */
export interface SocketTarget {
  host: string[];
  port: number[];
  path?: string | false;
}

export interface PostgresOptions {
  url: string;
  max?: number;
  /**
   * Opens each connection's socket, connected (postgres.js takes this option without typing
   * it); postgres.js opens its own when absent.
   */
  socket?: (target: SocketTarget) => Promise<unknown>;
  /**
   * Streams bulk rows with COPY FROM STDIN (`Database.copyIn`). Off where the runtime's
   * postgres.js has no streams to copy with (Workers).
   */
  copy?: boolean;
  /**
   * Runs every query as a named prepared statement, kept per connection: Postgres parses and
   * plans each query text once instead of on every call. Drizzle asks postgres.js for unnamed
   * statements unless a query is prepared by name; this wrapper asks for named ones. Off where
   * the connection pooler in between may not keep them (Hyperdrive).
   */
  prepare?: boolean;
}

type Unsafe = postgres.Sql['unsafe'];

/**
 * The URL and options to open `url` with. A `host` query parameter that names a directory
 * (libpq's convention for a unix socket, `postgres://user@localhost/db?host=/var/run/postgresql`)
 * becomes postgres.js's `host` option: postgres.js would otherwise send it to the server as a
 * setting. A socket skips the TCP stack that a loopback connection pays on every write and read.
 */
export function postgresTarget(url: string): { url: string; host?: string } {
  const parsed = URL.canParse(url) ? new URL(url) : null;
  const host = parsed?.searchParams.get('host');
  if (!parsed || !host?.startsWith('/')) return { url };
  parsed.searchParams.delete('host');
  return { url: parsed.toString(), host };
}

/**
 * The client with `unsafe` (what Drizzle runs every query through) asking for a prepared
 * statement, in transactions and savepoints too. Connections are recycled (`max_lifetime`), so
 * the statements a connection keeps stay bounded.
 */
function preparing<T extends postgres.Sql | postgres.TransactionSql>(client: T): T {
  return new Proxy(client, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (property === 'unsafe') {
        return ((query, parameters, options) =>
          (value as Unsafe).call(target, query, parameters, {
            ...options,
            prepare: true,
          })) as Unsafe;
      }
      if (property === 'begin' || property === 'savepoint') {
        return (...args: unknown[]) => {
          const callback = args.at(-1) as (tx: postgres.TransactionSql) => unknown;
          const rest = args.slice(0, -1);
          return (value as (...a: unknown[]) => unknown).call(
            target,
            ...rest,
            (tx: postgres.TransactionSql) => callback(preparing(tx)),
          );
        };
      }
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** The postgres.js handle under a Drizzle executor (a transaction's own connection). */
function clientOf(on: Executor): postgres.Sql {
  // Drizzle's postgres-js session keeps its client public; the types only hide the session.
  return (on as unknown as { session: { client: postgres.Sql } }).session.client;
}

/** A pooled postgres.js database. Safe to import on Workers. */
export function createPostgresDatabase(options: PostgresOptions): Database {
  const target = postgresTarget(options.url);
  const client = postgres(target.url, {
    ...(target.host ? { host: target.host } : {}),
    max: options.max ?? 10,
    onnotice: () => {},
    ...((options.socket ? { socket: options.socket } : {}) as object),
    // Keep bigint columns exact.
    types: { bigint: postgres.BigInt },
  });
  const db = drizzle(options.prepare ? preparing(client) : client, { schema }) as unknown as Db;

  return {
    kind: 'postgres',
    db,
    rows: async (query, on = db) => resultRows(await on.execute(query)),
    ping: async () => {
      await db.execute(sql`select 1`);
    },
    listen: async (channel, handler, onListen) => {
      const { unlisten } = await client.listen(
        channel,
        (payload) => handler(payload),
        () => onListen?.(),
      );
      return unlisten;
    },
    close: () => client.end({ timeout: 5 }),
    ...(options.copy
      ? {
          copyIn: async (on: Executor, statement: string, chunks: Iterable<string>) => {
            const stream = await clientOf(on).unsafe(statement).writable();
            await new Promise<void>((resolve, reject) => {
              stream.once('error', reject);
              stream.once('finish', resolve);
              for (const chunk of chunks) stream.write(chunk);
              stream.end();
            });
          },
        }
      : {}),
  };
}

// Any fixed number works; it only has to be the same in every process.
const MIGRATION_LOCK = 7_320_117;

/**
 * Applies the checked-in migrations. Several processes may start at once, so the run holds a
 * session advisory lock on its own connection.
 */
export async function migratePostgres(url: string): Promise<void> {
  const target = postgresTarget(url);
  const client = postgres(target.url, {
    ...(target.host ? { host: target.host } : {}),
    max: 1,
    onnotice: () => {},
  });
  try {
    await client`select pg_advisory_lock(${MIGRATION_LOCK})`;
    await migrate(drizzle(client), { migrationsFolder: migrationsFolder() });
    await client`select pg_advisory_unlock(${MIGRATION_LOCK})`;
  } finally {
    await client.end({ timeout: 5 });
  }
}
