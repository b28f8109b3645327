import type { ExtractTablesWithRelations, SQL } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import type * as schema from './schema';

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Anything a query can run on: the pool or an open transaction. */
export type Executor = Db | Tx;

/**
 * One handle over either driver. Drizzle queries run the same on both; raw SQL goes through
 * `rows()`, which hides that postgres.js and PGlite shape results differently.
 */
export interface Database {
  readonly kind: 'postgres' | 'pglite';
  readonly db: Db;
  rows<T extends Record<string, unknown>>(query: SQL, on?: Executor): Promise<T[]>;
  ping(): Promise<void>;
  /**
   * Subscribes to a NOTIFY channel on a dedicated connection; the handler gets each payload.
   * `onListen` runs each time the subscription is made, the first time and after every
   * reconnection: notices sent while the connection was down are lost, so a cache drops
   * everything there. Returns the function that unsubscribes.
   */
  listen(
    channel: string,
    handler: (payload: string) => void,
    onListen?: () => void,
  ): Promise<() => Promise<void>>;
  close(): Promise<void>;
  /**
   * Postgres over Node only: streams text-format rows to `statement` (a `COPY … FROM STDIN`) on
   * `on`'s connection. Absent where rows go in with INSERT instead.
   */
  copyIn?(on: Executor, statement: string, chunks: Iterable<string>): Promise<void>;
}

/** Normalises the result of `execute()` from either driver into rows. */
export function resultRows<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  if (result !== null && typeof result === 'object' && 'rows' in result) {
    return (result as { rows: T[] }).rows;
  }
  return [];
}
