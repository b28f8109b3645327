import { and, eq, sql } from 'drizzle-orm';
import type { Executor } from '../database';
import { clicks, links, tenants } from '../schema';

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
  // Each statement takes its whole batch as one JSON parameter: a fixed, small statement for
  // any batch size, and far cheaper to build than thousands of bound values.
  const clickJson = JSON.stringify(
    rows.map((r) => ({
      tenant_id: r.tenantId,
      clicked_at: r.clickedAt,
      id: r.id,
      link_id: r.linkId,
      promoter_id: r.promoterId,
      source: r.source,
      visitor_id: r.visitorId ?? null,
      ip_hash: r.ipHash ?? null,
      user_agent: r.userAgent ?? null,
      referrer: r.referrer ?? null,
      is_bot: r.isBot ?? false,
      is_suspicious: r.isSuspicious ?? false,
    })),
  );
  await tx.execute(sql`
    insert into clicks (tenant_id, clicked_at, id, link_id, promoter_id, source, visitor_id,
                        ip_hash, user_agent, referrer, is_bot, is_suspicious)
    select * from json_to_recordset(${clickJson}::json) as c(
      tenant_id text, clicked_at timestamptz, id text, link_id text, promoter_id text,
      source text, visitor_id text, ip_hash text, user_agent text, referrer text,
      is_bot boolean, is_suspicious boolean)`);

  const visitorJson = JSON.stringify(
    deltas.flatMap((d) =>
      d.visitors.map((visitor) => ({
        tenant_id: d.tenantId,
        link_id: d.linkId,
        day: d.day,
        visitor,
      })),
    ),
  );
  const rollupJson = JSON.stringify(
    deltas.map((d) => ({
      tenant_id: d.tenantId,
      link_id: d.linkId,
      day: d.day,
      promoter_id: d.promoterId,
      clicks: d.clicks,
      bots: d.bots,
      suspicious: d.suspicious,
    })),
  );
  // New visitors of the day are those the visitor table did not have yet.
  await tx.execute(sql`
    with fresh as (
      insert into click_visitors (tenant_id, link_id, day, visitor)
      select * from json_to_recordset(${visitorJson}::json)
        as v(tenant_id text, link_id text, day date, visitor text)
      on conflict do nothing
      returning tenant_id, link_id, day
    ),
    fresh_counts as (
      select tenant_id, link_id, day, count(*)::int as n from fresh group by 1, 2, 3
    )
    insert into click_rollups (tenant_id, link_id, day, promoter_id, clicks, unique_visitors,
                               bots, suspicious)
    select r.tenant_id, r.link_id, r.day, r.promoter_id, r.clicks, coalesce(f.n, 0), r.bots,
           r.suspicious
    from json_to_recordset(${rollupJson}::json) as r(
      tenant_id text, link_id text, day date, promoter_id text, clicks int, bots int,
      suspicious int)
    left join fresh_counts f using (tenant_id, link_id, day)
    on conflict (tenant_id, link_id, day) do update set
      clicks = click_rollups.clicks + excluded.clicks,
      unique_visitors = click_rollups.unique_visitors + excluded.unique_visitors,
      bots = click_rollups.bots + excluded.bots,
      suspicious = click_rollups.suspicious + excluded.suspicious`);
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
