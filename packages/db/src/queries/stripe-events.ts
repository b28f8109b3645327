import { and, asc, eq, gte, inArray, lt, sql } from 'drizzle-orm';
import type { Executor } from '../database';
import { stripeEvents } from '../schema';

export type StripeEventRow = typeof stripeEvents.$inferSelect;
export type StripeEventInsert = typeof stripeEvents.$inferInsert;

/** Stores an event once by id; true when it was new. */
export async function storeStripeEvent(db: Executor, values: StripeEventInsert): Promise<boolean> {
  const rows = await db
    .insert(stripeEvents)
    .values(values)
    .onConflictDoNothing({ target: [stripeEvents.tenantId, stripeEvents.id] })
    .returning({ id: stripeEvents.id });
  return rows.length > 0;
}

export async function getStripeEvent(
  db: Executor,
  tenantId: string,
  id: string,
): Promise<StripeEventRow | undefined> {
  const [row] = await db
    .select()
    .from(stripeEvents)
    .where(and(eq(stripeEvents.tenantId, tenantId), eq(stripeEvents.id, id)));
  return row;
}

/** Locks one event for processing; skips it when another worker holds it. */
export async function lockStripeEvent(
  db: Executor,
  tenantId: string,
  id: string,
): Promise<StripeEventRow | undefined> {
  const [row] = await db
    .select()
    .from(stripeEvents)
    .where(and(eq(stripeEvents.tenantId, tenantId), eq(stripeEvents.id, id)))
    .for('update', { skipLocked: true });
  return row;
}

export async function markStripeEvent(
  db: Executor,
  tenantId: string,
  id: string,
  patch: { status: StripeEventRow['status']; lastError?: string | null },
): Promise<void> {
  await db
    .update(stripeEvents)
    .set({
      status: patch.status,
      lastError: patch.lastError ?? null,
      attempts: sql`${stripeEvents.attempts} + 1`,
      processedAt: patch.status === 'processed' || patch.status === 'ignored' ? new Date() : null,
    })
    .where(and(eq(stripeEvents.tenantId, tenantId), eq(stripeEvents.id, id)));
}

/** Events parked until the payment they refer to is known. */
export async function listParkedStripeEvents(
  db: Executor,
  tenantId: string,
  paymentRef: string,
): Promise<StripeEventRow[]> {
  return db
    .select()
    .from(stripeEvents)
    .where(
      and(
        eq(stripeEvents.tenantId, tenantId),
        eq(stripeEvents.paymentRef, paymentRef),
        eq(stripeEvents.status, 'parked'),
      ),
    )
    .orderBy(asc(stripeEvents.createdAt), asc(stripeEvents.id));
}

/** Ids of events received in [from, to) with the given statuses, oldest first (replay). */
export async function listStripeEventIds(
  db: Executor,
  tenantId: string,
  filter: { from: Date; to: Date; statuses: readonly StripeEventRow['status'][] },
): Promise<string[]> {
  const rows = await db
    .select({ id: stripeEvents.id })
    .from(stripeEvents)
    .where(
      and(
        eq(stripeEvents.tenantId, tenantId),
        gte(stripeEvents.receivedAt, filter.from),
        lt(stripeEvents.receivedAt, filter.to),
        inArray(stripeEvents.status, [...filter.statuses]),
      ),
    )
    .orderBy(asc(stripeEvents.createdAt), asc(stripeEvents.id));
  return rows.map((r) => r.id);
}
