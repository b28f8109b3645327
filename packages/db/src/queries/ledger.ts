import type { JournalEntry } from '@tuike/core';
import { newId } from '@tuike/core';
import { and, eq, sql } from 'drizzle-orm';
import type { Executor } from '../database';
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
  const now = Date.now();
  const rows = entries.map((entry) => ({
    tenantId,
    id: newId('journalEntry', now),
    purpose: entry.purpose,
    sourceType: entry.sourceType,
    sourceId: entry.sourceId,
    currency: entry.currency,
    conversionId,
    memo: entry.memo ?? null,
  }));
  const written = await db
    .insert(journalEntries)
    .values(rows)
    .onConflictDoNothing({
      target: [
        journalEntries.tenantId,
        journalEntries.sourceType,
        journalEntries.sourceId,
        journalEntries.purpose,
      ],
    })
    .returning({ id: journalEntries.id });
  if (written.length === 0) return 0;

  const fresh = new Set(written.map((w) => w.id));
  const legs = rows.flatMap((row, i) =>
    fresh.has(row.id)
      ? (entries[i]?.postings ?? []).map((posting, seq) => ({
          tenantId,
          entryId: row.id,
          seq,
          account: posting.account,
          currency: row.currency,
          amount: posting.amount,
        }))
      : [],
  );
  await db.insert(postings).values(legs);
  return written.length;
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
