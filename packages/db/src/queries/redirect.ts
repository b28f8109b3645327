import { and, eq, sql } from 'drizzle-orm';
import type { Database, Executor } from '../database';
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

/** Rows per insert statement: about 250 bytes of JSON each, so a chunk stays under 128 KiB. */
const CLICK_CHUNK = 200;

/**
 * A click row as the writer sends it: column names as in the table, so the batch serialises
 * straight to the JSON the insert reads.
 */
export interface ClickRow {
  tenant_id: string;
  /** ISO 8601 UTC. */
  clicked_at: string;
  id: string;
  link_id: string;
  promoter_id: string;
  source: 'redirect' | 'visit';
  visitor_id: string | null;
  ip_hash: string;
  user_agent: string | null;
  referrer: string | null;
  is_bot: boolean;
  is_suspicious: boolean;
}

/**
 * A batch of clicks as the writer holds them: `fill` writes click `i` into a row object the
 * caller hands in, so the COPY path reuses one object for the whole batch.
 */
export interface ClickBatch {
  readonly size: number;
  fill(i: number, into: ClickRow): ClickRow;
}

function emptyRow(): ClickRow {
  return {
    tenant_id: '',
    clicked_at: '',
    id: '',
    link_id: '',
    promoter_id: '',
    source: 'redirect',
    visitor_id: null,
    ip_hash: '',
    user_agent: null,
    referrer: null,
    is_bot: false,
    is_suspicious: false,
  };
}

export interface RollupDelta {
  tenantId: string;
  linkId: string;
  promoterId: string;
  /** Calendar day in the tenant's time zone, YYYY-MM-DD. */
  day: string;
  /** The tenant's time zone: the day's bounds for the look-back below. */
  timeZone: string;
  clicks: number;
  bots: number;
  suspicious: number;
  /** Visitors whose id the redirect minted in this batch: new by construction. */
  newVisitors: number;
  /**
   * Visitors that came back with our cookie (non-bot clicks, each once, none of them minted in
   * this batch): new for the day only if neither the visitor table nor an earlier click of the
   * day has them.
   */
  returningVisitors: string[];
}

/**
 * Writes a batch of clicks and folds them into the daily rollups, in one transaction: the
 * rollups never count a click that is not stored.
 *
 * Unique visitors: a minted visitor id is new, so it costs no lookup and no row. A returning
 * visitor is claimed in `click_visitors` (the unique key settles races between writers) and
 * counts when no earlier non-bot click of the day on the link has it. The rollups are written
 * before this batch's clicks, so that look-back sees only earlier batches.
 */
export async function writeClickBatch(
  database: Database,
  batch: ClickBatch,
  deltas: readonly RollupDelta[],
): Promise<void> {
  if (batch.size === 0) return;
  await database.db.transaction(async (tx) => {
    await addToRollups(tx, deltas);
    if (database.copyIn) await database.copyIn(tx, CLICK_COPY, clickCopyChunks(batch));
    else await insertClicks(tx, batch);
  });
}

async function addToRollups(tx: Executor, deltas: readonly RollupDelta[]): Promise<void> {
  const visitorJson = JSON.stringify(
    deltas.flatMap((d) =>
      d.returningVisitors.map((visitor) => ({
        tenant_id: d.tenantId,
        link_id: d.linkId,
        day: d.day,
        visitor,
        tz: d.timeZone,
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
      new_visitors: d.newVisitors,
      bots: d.bots,
      suspicious: d.suspicious,
    })),
  );
  await tx.execute(sql`
    with returning_visitors as (
      select * from json_to_recordset(${visitorJson}::text::json)
        as v(tenant_id text, link_id text, day date, visitor text, tz text)
    ),
    claimed as (
      insert into click_visitors (tenant_id, link_id, day, visitor)
      select tenant_id, link_id, day, visitor from returning_visitors
      on conflict do nothing
      returning tenant_id, link_id, day, visitor
    ),
    fresh_counts as (
      select c.tenant_id, c.link_id, c.day, count(*)::int as n
      from claimed c join returning_visitors v using (tenant_id, link_id, day, visitor)
      where not exists (
        select 1 from clicks k
        where k.tenant_id = c.tenant_id and k.visitor_id = c.visitor
          and k.clicked_at >= (c.day::timestamp at time zone v.tz)
          and k.clicked_at < ((c.day + 1)::timestamp at time zone v.tz)
          and k.link_id = c.link_id and not k.is_bot)
      group by 1, 2, 3
    )
    insert into click_rollups (tenant_id, link_id, day, promoter_id, clicks, unique_visitors,
                               bots, suspicious)
    select r.tenant_id, r.link_id, r.day, r.promoter_id, r.clicks,
           r.new_visitors + coalesce(f.n, 0), r.bots, r.suspicious
    from json_to_recordset(${rollupJson}::text::json) as r(
      tenant_id text, link_id text, day date, promoter_id text, clicks int, new_visitors int,
      bots int, suspicious int)
    left join fresh_counts f using (tenant_id, link_id, day)
    on conflict (tenant_id, link_id, day) do update set
      clicks = click_rollups.clicks + excluded.clicks,
      unique_visitors = click_rollups.unique_visitors + excluded.unique_visitors,
      bots = click_rollups.bots + excluded.bots,
      suspicious = click_rollups.suspicious + excluded.suspicious`);
}

const CLICK_COPY = `copy clicks (tenant_id, clicked_at, id, link_id, promoter_id, source, visitor_id,
  ip_hash, user_agent, referrer, is_bot, is_suspicious) from stdin`;

/** Rows per COPY chunk: a chunk's text stays well under V8's large-object size. */
const COPY_CHUNK = 250;
const NEEDS_ESCAPE = /[\\\t\n\r\0]/;
const ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  '\t': '\\t',
  '\n': '\\n',
  '\r': '\\r',
  '\0': '',
};

/**
 * A text value in COPY's text format. Ids, hashes and times never need escaping; header text
 * may hold a backslash or a tab. A NUL cannot be stored in a text column, so it is dropped.
 */
function copyValue(value: string | null): string {
  if (value === null) return '\\N';
  return NEEDS_ESCAPE.test(value) ? value.replace(/[\\\t\n\r\0]/g, (c) => ESCAPES[c] ?? '') : value;
}

/**
 * The rows as COPY text, a chunk at a time. Cheaper for Postgres than any INSERT: about half
 * the server CPU per click of the JSON insert below, measured on the click table's indexes.
 */
function* clickCopyChunks(batch: ClickBatch): Generator<string> {
  const r = emptyRow();
  for (let start = 0; start < batch.size; start += COPY_CHUNK) {
    let text = '';
    const end = Math.min(batch.size, start + COPY_CHUNK);
    for (let i = start; i < end; i++) {
      batch.fill(i, r);
      text += `${r.tenant_id}\t${r.clicked_at}\t${r.id}\t${r.link_id}\t${r.promoter_id}\t${r.source}\t${copyValue(r.visitor_id)}\t${r.ip_hash}\t${copyValue(r.user_agent)}\t${copyValue(r.referrer)}\t${r.is_bot ? 't' : 'f'}\t${r.is_suspicious ? 't' : 'f'}\n`;
    }
    yield text;
  }
}

/**
 * Inserts click rows where COPY is not at hand (PGlite, Workers). Each chunk of rows goes as
 * one JSON parameter: a fixed, small statement for any batch size, far cheaper to build than
 * thousands of bound values. Chunks stay under V8's large-object size, so their strings die
 * young instead of piling up until a full collection.
 */
async function insertClicks(tx: Executor, batch: ClickBatch): Promise<void> {
  for (let start = 0; start < batch.size; start += CLICK_CHUNK) {
    const end = Math.min(batch.size, start + CLICK_CHUNK);
    const chunk: ClickRow[] = [];
    for (let i = start; i < end; i++) chunk.push(batch.fill(i, emptyRow()));
    await tx.execute(sql`
      insert into clicks (tenant_id, clicked_at, id, link_id, promoter_id, source, visitor_id,
                          ip_hash, user_agent, referrer, is_bot, is_suspicious)
      select * from json_to_recordset(${JSON.stringify(chunk)}::text::json) as c(
        tenant_id text, clicked_at timestamptz, id text, link_id text, promoter_id text,
        source text, visitor_id text, ip_hash text, user_agent text, referrer text,
        is_bot boolean, is_suspicious boolean)`);
  }
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
