import type { JournalEntry } from '@tuike/core';
import { newId } from '@tuike/core';
import { and, eq, type SQL, type SQLChunk, sql } from 'drizzle-orm';
import { type Executor, resultRows } from '../database';
import { journalEntries, postings } from '../schema';

export type JournalEntryRow = typeof journalEntries.$inferSelect;
export type PostingRow = typeof postings.$inferSelect;

/**
 * Writes entries built by core, each once: an entry whose `(source type, source id, purpose)`
 * is already there is skipped with its postings, so a replayed fact changes nothing. Returns
 * the number of entries written. The database checks each entry's balance at commit.
 */
export async function writeEntries(
  db: Executor,
  tenantId: string,
  entries: readonly JournalEntry[],
  conversionId: string | null = null,
): Promise<number> {
  if (entries.length === 0) return 0;
  const { rows, legs } = entryJson(tenantId, entries, conversionId);
  // One statement, one round trip: entries, then the legs of those that were new.
  const [result] = resultRows<{ entries: number }>(
    await db.execute(sql`
      with ${entryInserts(rows, legs, sql`true`)}
      select count(*)::int as entries from written`),
  );
  return Number(result?.entries ?? 0);
}

/** Entries and their legs as the JSON the inserts below read; amounts travel as strings. */
export function entryJson(
  tenantId: string,
  entries: readonly JournalEntry[],
  conversionId: string | null,
): { rows: string; legs: string } {
  const { rows, legs } = entryRecords(tenantId, entries, conversionId);
  return { rows: JSON.stringify(rows), legs: JSON.stringify(legs) };
}

/** Entries and their legs as rows of the inserts below, before they become JSON. */
export function entryRecords(
  tenantId: string,
  entries: readonly JournalEntry[],
  conversionId: string | null,
): { rows: Record<string, unknown>[]; legs: Record<string, unknown>[] } {
  const now = Date.now();
  const rows = entries.map((entry) => ({
    tenant_id: tenantId,
    id: newId('journalEntry', now),
    purpose: entry.purpose,
    source_type: entry.sourceType,
    source_id: entry.sourceId,
    currency: entry.currency,
    conversion_id: conversionId,
    memo: entry.memo ?? null,
  }));
  // JSON numbers would not hold every bigint exactly.
  const legs = rows.flatMap((row, i) =>
    (entries[i]?.postings ?? []).map((posting, seq) => ({
      tenant_id: tenantId,
      entry_id: row.id,
      seq,
      account: posting.account,
      currency: row.currency,
      amount: posting.amount.toString(),
    })),
  );
  return { rows, legs };
}

/**
 * The `written` and `legs` parts of a WITH: entries (each once by source and purpose) where
 * `when` holds, then the legs of the entries that were new.
 */
export function entryInserts(rows: SQLChunk, legs: SQLChunk, when: SQL): SQL {
  return sql`written as (
      insert into journal_entries (tenant_id, id, purpose, source_type, source_id, currency,
                                   conversion_id, memo)
      select * from json_to_recordset(${rows}::text::json) as e(
        tenant_id text, id text, purpose text, source_type text, source_id text, currency text,
        conversion_id text, memo text)
      where ${when}
      on conflict (tenant_id, source_type, source_id, purpose) do nothing
      returning id
    ),
    legs as (
      insert into postings (tenant_id, entry_id, seq, account, currency, amount)
      select p.tenant_id, p.entry_id, p.seq, p.account, p.currency, p.amount
      from json_to_recordset(${legs}::text::json) as p(
        tenant_id text, entry_id text, seq smallint, account text, currency text, amount bigint)
      where p.entry_id in (select id from written)
    )`;
}

export interface AccountBalance {
  account: string;
  currency: string;
  balance: bigint;
}

/** Balances of every account of a tenant (or those starting with `prefix`), from the postings. */
export async function accountBalances(
  db: Executor,
  tenantId: string,
  prefix?: string,
): Promise<AccountBalance[]> {
  const rows = await db
    .select({
      account: postings.account,
      currency: postings.currency,
      balance: sql<string>`sum(${postings.amount})::text`,
    })
    .from(postings)
    .where(
      and(
        eq(postings.tenantId, tenantId),
        prefix === undefined ? undefined : sql`${postings.account} like ${`${prefix}%`}`,
      ),
    )
    .groupBy(postings.account, postings.currency)
    .orderBy(postings.account, postings.currency);
  return rows.map((r) => ({ ...r, balance: BigInt(r.balance) }));
}

/** True when the entry of `(source type, source id, purpose)` was written already. */
export async function hasEntry(
  db: Executor,
  tenantId: string,
  key: { sourceType: string; sourceId: string; purpose: string },
): Promise<boolean> {
  const [row] = await db
    .select({ id: journalEntries.id })
    .from(journalEntries)
    .where(
      and(
        eq(journalEntries.tenantId, tenantId),
        eq(journalEntries.sourceType, key.sourceType),
        eq(journalEntries.sourceId, key.sourceId),
        eq(journalEntries.purpose, key.purpose),
      ),
    );
  return row !== undefined;
}
