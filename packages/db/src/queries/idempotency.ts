import { and, eq, lt, or, sql } from 'drizzle-orm';
import { type Executor, resultRows } from '../database';
import { idempotencyKeys } from '../schema';

export type IdempotencyRow = typeof idempotencyKeys.$inferSelect;

export interface IdempotencyScope {
  tenantId: string;
  principalId: string;
  key: string;
}

/** The status stored while the first request with a key is still running. */
export const IDEMPOTENCY_RUNNING = 0;

const keyOf = (s: IdempotencyScope) =>
  and(
    eq(idempotencyKeys.tenantId, s.tenantId),
    eq(idempotencyKeys.principalId, s.principalId),
    eq(idempotencyKeys.key, s.key),
  );

/**
 * Claims a key for a request: frees it first when its claim was abandoned (still running
 * before `abandonedBefore`) or expired (before `expiredBefore`), then inserts a running
 * record. Returns null when this request holds the claim, else the record that holds it.
 */
export async function claimIdempotencyKey(
  db: Executor,
  s: IdempotencyScope & {
    fingerprint: string;
    now: Date;
    abandonedBefore: Date;
    expiredBefore: Date;
  },
): Promise<IdempotencyRow | null> {
  await db
    .delete(idempotencyKeys)
    .where(
      and(
        keyOf(s),
        or(
          and(
            eq(idempotencyKeys.status, IDEMPOTENCY_RUNNING),
            lt(idempotencyKeys.createdAt, s.abandonedBefore),
          ),
          lt(idempotencyKeys.createdAt, s.expiredBefore),
        ),
      ),
    );
  const inserted = await db
    .insert(idempotencyKeys)
    .values({
      tenantId: s.tenantId,
      principalId: s.principalId,
      key: s.key,
      fingerprint: s.fingerprint,
      status: IDEMPOTENCY_RUNNING,
      body: '',
      createdAt: s.now,
    })
    .onConflictDoNothing()
    .returning({ key: idempotencyKeys.key });
  if (inserted.length > 0) return null;
  const [row] = await db.select().from(idempotencyKeys).where(keyOf(s));
  // Freed between the insert and the read: report it as running; the client retries.
  return (
    row ?? {
      ...s,
      fingerprint: s.fingerprint,
      status: IDEMPOTENCY_RUNNING,
      body: '',
      createdAt: s.now,
    }
  );
}

/** Stores the answer of a claimed key; call it in the transaction of the request's effect. */
export async function completeIdempotencyKey(
  db: Executor,
  s: IdempotencyScope & { status: number; body: string },
): Promise<void> {
  await db.update(idempotencyKeys).set({ status: s.status, body: s.body }).where(keyOf(s));
}

/** Drops a claim whose request failed, so the key can be used again. */
export async function releaseIdempotencyKey(db: Executor, s: IdempotencyScope): Promise<void> {
  await db
    .delete(idempotencyKeys)
    .where(and(keyOf(s), eq(idempotencyKeys.status, IDEMPOTENCY_RUNNING)));
}

/**
 * Deletes up to `limit` keys stored before `before`, oldest first (by the created-at index),
 * and answers how many went. Claiming a key frees an expired one too; this keeps keys nobody
 * reuses from piling up.
 */
export async function purgeIdempotencyKeys(
  db: Executor,
  before: Date,
  limit: number,
): Promise<number> {
  const [row] = resultRows<{ n: number }>(
    await db.execute(sql`
      with gone as (
        delete from idempotency_keys
        where (tenant_id, principal_id, key) in (
          select tenant_id, principal_id, key from idempotency_keys
          where created_at < ${before.toISOString()}::timestamptz
          order by created_at limit ${limit}::int)
        returning 1)
      select count(*)::int as n from gone`),
  );
  return Number(row?.n ?? 0);
}
