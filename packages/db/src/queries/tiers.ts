import { and, asc, eq, gt, ne, or, type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../database';
import { promoters, tiers } from '../schema';

export type TierRow = typeof tiers.$inferSelect;
export type TierInsert = typeof tiers.$inferInsert;
export type TierPatch = Partial<
  Pick<TierInsert, 'name' | 'level' | 'minPeriodVolume' | 'description'>
>;

export async function insertTier(db: Executor, values: TierInsert): Promise<TierRow> {
  const [row] = await db.insert(tiers).values(values).returning();
  if (!row) throw new Error('insert into tiers returned nothing');
  return row;
}

export async function getTier(
  db: Executor,
  tenantId: string,
  tierId: string,
): Promise<TierRow | undefined> {
  const [row] = await db
    .select()
    .from(tiers)
    .where(and(eq(tiers.tenantId, tenantId), eq(tiers.id, tierId)));
  return row;
}

/**
 * Tiers in level order (entry tier first). A tenant has at most 1000 of them, one per level,
 * so the cursor is the last level seen rather than an id.
 */
export async function listTiers(
  db: Executor,
  tenantId: string,
  page: { limit: number; afterLevel?: number | undefined },
): Promise<{ data: TierRow[]; hasMore: boolean }> {
  const rows = await db
    .select()
    .from(tiers)
    .where(
      and(
        eq(tiers.tenantId, tenantId),
        page.afterLevel === undefined ? undefined : gt(tiers.level, page.afterLevel),
      ),
    )
    .orderBy(asc(tiers.level))
    .limit(page.limit + 1);
  return { data: rows.slice(0, page.limit), hasMore: rows.length > page.limit };
}

/**
 * Which of `name` and `level` another tier of the tenant already uses, so a duplicate is
 * answered by name instead of by a unique-index error.
 */
export async function findTierClash(
  db: Executor,
  tenantId: string,
  wanted: { name?: string | undefined; level?: number | undefined },
  exceptTierId?: string,
): Promise<'name' | 'level' | null> {
  const clauses: SQL[] = [];
  if (wanted.name !== undefined) clauses.push(eq(tiers.name, wanted.name));
  if (wanted.level !== undefined) clauses.push(eq(tiers.level, wanted.level));
  if (clauses.length === 0) return null;
  const rows = await db
    .select({ name: tiers.name, level: tiers.level })
    .from(tiers)
    .where(
      and(
        eq(tiers.tenantId, tenantId),
        or(...clauses),
        exceptTierId ? ne(tiers.id, exceptTierId) : undefined,
      ),
    )
    .limit(2);
  if (rows.some((r) => r.name === wanted.name)) return 'name';
  return rows.length > 0 ? 'level' : null;
}

export async function updateTier(
  db: Executor,
  tenantId: string,
  tierId: string,
  patch: TierPatch,
): Promise<TierRow | undefined> {
  const [row] = await db
    .update(tiers)
    .set({ ...patch, updatedAt: sql`now()` })
    .where(and(eq(tiers.tenantId, tenantId), eq(tiers.id, tierId)))
    .returning();
  return row;
}

export async function deleteTier(db: Executor, tenantId: string, tierId: string): Promise<boolean> {
  const rows = await db
    .delete(tiers)
    .where(and(eq(tiers.tenantId, tenantId), eq(tiers.id, tierId)))
    .returning({ id: tiers.id });
  return rows.length > 0;
}

/** How many promoters hold the tier: a tier in use cannot be removed. */
export async function countTierHolders(
  db: Executor,
  tenantId: string,
  tierId: string,
): Promise<number> {
  return db.$count(promoters, and(eq(promoters.tenantId, tenantId), eq(promoters.tierId, tierId)));
}
