import { eq, sql } from 'drizzle-orm';
import type { Executor } from '../database';
import { tenants } from '../schema';

export type TenantRow = typeof tenants.$inferSelect;
export type TenantInsert = typeof tenants.$inferInsert;
export type TenantPatch = Partial<Omit<TenantInsert, 'id' | 'createdAt'>>;

export async function insertTenant(db: Executor, values: TenantInsert): Promise<TenantRow> {
  const [row] = await db.insert(tenants).values(values).returning();
  if (!row) throw new Error('insert into tenants returned nothing');
  return row;
}

export async function getTenant(db: Executor, tenantId: string): Promise<TenantRow | undefined> {
  const [row] = await db.select().from(tenants).where(eq(tenants.id, tenantId));
  return row;
}

/** Locks the tenant row for the rest of the transaction (serialises settings changes). */
export async function getTenantForUpdate(
  db: Executor,
  tenantId: string,
): Promise<TenantRow | undefined> {
  const [row] = await db.select().from(tenants).where(eq(tenants.id, tenantId)).for('update');
  return row;
}

export async function updateTenant(
  db: Executor,
  tenantId: string,
  patch: TenantPatch,
): Promise<TenantRow | undefined> {
  const [row] = await db
    .update(tenants)
    .set({ ...patch, updatedAt: new Date() })
    .where(eq(tenants.id, tenantId))
    .returning();
  return row;
}

export async function countTenants(db: Executor): Promise<number> {
  return db.$count(tenants);
}

/**
 * Serialises demo seeding across processes that start together on one empty database, so
 * only the first seeds. Held until the transaction ends; PGlite has one connection anyway.
 */
export async function lockDemoSeeding(db: Executor): Promise<void> {
  await db.execute(sql`select pg_advisory_xact_lock(hashtextextended('tuike:demo-seed', 0))`);
}
