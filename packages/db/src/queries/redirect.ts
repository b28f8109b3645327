import { and, eq, sql } from 'drizzle-orm';
import type { Executor } from '../database';
import { clickRollups, clicks, clickVisitors, links, tenants } from '../schema';

/** Everything the redirect needs about a code, in one row: cached as a whole. */
export interface RedirectTarget {
  tenantId: string;
  linkId: string;
  promoterId: string;
  destination: string;
  active: boolean;
  expiresAt: string | null;
  clickIdParam: string;
  attributionWindowDays: number;
  timeZone: string;
  ipSalt: string;
}

export async function getRedirectTarget(
  db: Executor,
  code: string,
): Promise<RedirectTarget | undefined> {
  const [row] = await db
    .select({
      tenantId: links.tenantId,
      linkId: links.id,
      promoterId: links.promoterId,
      destination: links.destination,
      status: links.status,
      expiresAt: links.expiresAt,
      clickIdParam: tenants.clickIdParam,
      attributionWindowDays: tenants.attributionWindowDays,
      timeZone: tenants.timeZone,
      ipSalt: tenants.ipSalt,
    })
    .from(links)
    .innerJoin(tenants, eq(tenants.id, links.tenantId))
    .where(eq(links.code, code));
  if (!row) return undefined;
  const { status, expiresAt, ...rest } = row;
  return { ...rest, active: status === 'active', expiresAt: expiresAt?.toISOString() ?? null };
}

export type ClickInsert = typeof clicks.$inferInsert;

export interface RollupDelta {
  tenantId: string;
  linkId: string;
  promoterId: string;
  /** Calendar day in the tenant's time zone, YYYY-MM-DD. */
  day: string;
  clicks: number;
  bots: number;
  suspicious: number;
  /** Visitor ids seen in this batch (non-bot clicks); only new ones raise the count. */
  visitors: string[];
}

/**
 * Writes a batch of clicks and folds them into the daily rollups, in one transaction: the
 * rollups never count a click that is not stored.
 */
export async function writeClickBatch(
  tx: Executor,
  rows: ClickInsert[],
  deltas: RollupDelta[],
): Promise<void> {
  if (rows.length === 0) return;
  await tx.insert(clicks).values(rows);

  const visitorRows = deltas.flatMap((d) =>
    d.visitors.map((visitor) => ({ tenantId: d.tenantId, linkId: d.linkId, day: d.day, visitor })),
  );
  const fresh = new Map<string, number>();
  for (let i = 0; i < visitorRows.length; i += 5000) {
    const inserted = await tx
      .insert(clickVisitors)
      .values(visitorRows.slice(i, i + 5000))
      .onConflictDoNothing()
      .returning({
        tenantId: clickVisitors.tenantId,
        linkId: clickVisitors.linkId,
        day: clickVisitors.day,
      });
    for (const r of inserted) {
      const key = `${r.tenantId}|${r.linkId}|${r.day}`;
      fresh.set(key, (fresh.get(key) ?? 0) + 1);
    }
  }

  await tx
    .insert(clickRollups)
    .values(
      deltas.map((d) => ({
        tenantId: d.tenantId,
        linkId: d.linkId,
        day: d.day,
        promoterId: d.promoterId,
        clicks: d.clicks,
        uniqueVisitors: fresh.get(`${d.tenantId}|${d.linkId}|${d.day}`) ?? 0,
        bots: d.bots,
        suspicious: d.suspicious,
      })),
    )
    .onConflictDoUpdate({
      target: [clickRollups.tenantId, clickRollups.linkId, clickRollups.day],
      set: {
        clicks: sql`${clickRollups.clicks} + excluded.clicks`,
        uniqueVisitors: sql`${clickRollups.uniqueVisitors} + excluded.unique_visitors`,
        bots: sql`${clickRollups.bots} + excluded.bots`,
        suspicious: sql`${clickRollups.suspicious} + excluded.suspicious`,
      },
    });
}

/** Makes the monthly click partitions from `from`'s month on, `months` of them. */
export async function ensureClickPartitions(db: Executor, from: Date, months: number) {
  const month = from.toISOString().slice(0, 10);
  await db.execute(sql`select ensure_click_partitions(${month}::date, ${months})`);
}

export async function countClicks(db: Executor, tenantId: string, linkId?: string) {
  return db.$count(
    clicks,
    and(eq(clicks.tenantId, tenantId), linkId ? eq(clicks.linkId, linkId) : undefined),
  );
}
