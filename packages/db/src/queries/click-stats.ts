import { and, asc, eq, gte, lte, sql } from 'drizzle-orm';
import type { Executor } from '../database';
import { clickRollups, links } from '../schema';

export interface DailyClicks {
  day: string;
  clicks: number;
  uniqueVisitors: number;
  bots: number;
  suspicious: number;
}

/** The promoter a link belongs to, if the link is the tenant's. */
export async function getLinkOwner(
  db: Executor,
  tenantId: string,
  linkId: string,
): Promise<string | undefined> {
  const [row] = await db
    .select({ promoterId: links.promoterId })
    .from(links)
    .where(and(eq(links.tenantId, tenantId), eq(links.id, linkId)));
  return row?.promoterId;
}

/**
 * Daily click counts from the rollups, for one link or all links of one promoter, days
 * inclusive. Unique visitors of a promoter's day are summed over links (a visitor of two links
 * counts twice).
 */
export async function dailyClicks(
  db: Executor,
  tenantId: string,
  scope: { linkId: string } | { promoterId: string },
  from: string,
  to: string,
): Promise<DailyClicks[]> {
  const target =
    'linkId' in scope
      ? eq(clickRollups.linkId, scope.linkId)
      : eq(clickRollups.promoterId, scope.promoterId);
  const rows = await db
    .select({
      day: clickRollups.day,
      clicks: sql<number>`sum(${clickRollups.clicks})::int`,
      uniqueVisitors: sql<number>`sum(${clickRollups.uniqueVisitors})::int`,
      bots: sql<number>`sum(${clickRollups.bots})::int`,
      suspicious: sql<number>`sum(${clickRollups.suspicious})::int`,
    })
    .from(clickRollups)
    .where(
      and(
        eq(clickRollups.tenantId, tenantId),
        target,
        gte(clickRollups.day, from),
        lte(clickRollups.day, to),
      ),
    )
    .groupBy(clickRollups.day)
    .orderBy(asc(clickRollups.day));
  return rows.map((r) => ({ ...r, day: String(r.day) }));
}
