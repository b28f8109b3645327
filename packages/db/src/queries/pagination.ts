import { and, lt, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';

/** A page of rows, newest first, with the cursor for the next page (null on the last). */
export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export interface PageRequest {
  limit: number;
  /** The id of the last row of the previous page. */
  after?: string | undefined;
}

/** Combines filters with the cursor condition for an id-descending listing. */
export function pageWhere(idColumn: PgColumn, req: PageRequest, ...filters: (SQL | undefined)[]) {
  return and(...filters, req.after ? lt(idColumn, req.after) : undefined);
}

/** Callers fetch `limit + 1` rows; the extra one only says whether there is a next page. */
export function toPage<T extends { id: string }>(rows: T[], limit: number): Page<T> {
  if (rows.length <= limit) return { data: rows, nextCursor: null };
  const data = rows.slice(0, limit);
  return { data, nextCursor: data[data.length - 1]?.id ?? null };
}
