import { z } from '@hono/zod-openapi';
import { type DailyClicks, dailyClicks, getLinkOwner, getPromoter, getTenant } from '@tuike/db';
import { type AppContext, principalOf } from '../context';
import { invalidField, notFound } from '../lib/errors';
import { createRouter, defineRoute, idParams, ok, problemOf } from '../lib/openapi';
import { localDay } from '../redirect/click-recorder';

const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');
const StatsQuery = z.object({ from: Day.optional(), to: Day.optional() });

const Counts = z.object({
  clicks: z.number().int().openapi({ description: 'Clicks by people (bots excluded)' }),
  uniqueVisitors: z.number().int(),
  bots: z.number().int(),
  suspicious: z.number().int().openapi({ description: 'Counted clicks past the per-IP limit' }),
});
const StatsSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    timeZone: z.string(),
    totals: Counts,
    days: z.array(Counts.extend({ day: z.string() })),
  })
  .openapi('ClickStats');

const MAX_DAYS = 366;
const DAY_MS = 86_400_000;

/** The requested day range, defaulting to the last 30 days in the tenant's time zone. */
async function dayRange(c: AppContext, query: z.infer<typeof StatsQuery>) {
  const deps = c.get('deps');
  const tenant = await getTenant(deps.database.db, principalOf(c).tenantId);
  const timeZone = tenant?.timeZone ?? 'Asia/Shanghai';
  const today = localDay(deps.clock.now(), timeZone);
  const to = query.to ?? today;
  const from = query.from ?? new Date(Date.parse(to) - 29 * DAY_MS).toISOString().slice(0, 10);
  const span = (Date.parse(to) - Date.parse(from)) / DAY_MS;
  if (Number.isNaN(span)) throw invalidField('query.from', 'is not a calendar date');
  if (span < 0) throw invalidField('query.to', 'must not be before from');
  if (span >= MAX_DAYS)
    throw invalidField('query.from', `the range may span at most ${MAX_DAYS} days`);
  return { from, to, timeZone };
}

function summarise(days: DailyClicks[]) {
  const totals = { clicks: 0, uniqueVisitors: 0, bots: 0, suspicious: 0 };
  for (const d of days) {
    totals.clicks += d.clicks;
    totals.uniqueVisitors += d.uniqueVisitors;
    totals.bots += d.bots;
    totals.suspicious += d.suspicious;
  }
  return totals;
}

const linkStatsRoute = defineRoute({
  method: 'get',
  path: '/v1/links/{id}/stats',
  tag: 'Links',
  summary: 'Daily clicks of a link, from the rollups / 链接点击统计',
  permission: 'links:read',
  promoters: true,
  route: {
    request: { params: idParams('link'), query: StatsQuery },
    responses: { 200: ok(StatsSchema), 404: problemOf('No such link') },
  },
});

const promoterStatsRoute = defineRoute({
  method: 'get',
  path: '/v1/promoters/{id}/stats',
  tag: 'Promoters',
  summary: 'Daily clicks of all links of a promoter / 推客点击统计',
  permission: 'links:read',
  promoters: true,
  route: {
    request: { params: idParams('promoter'), query: StatsQuery },
    responses: { 200: ok(StatsSchema), 404: problemOf('No such promoter') },
  },
});

export const statsRoutes = createRouter()
  // GET /v1/links/{id}/stats: a promoter sees only their own links.
  .openapi(linkStatsRoute, async (c) => {
    const { id } = c.req.valid('param');
    const p = principalOf(c);
    const db = c.get('deps').database.db;
    const owner = await getLinkOwner(db, p.tenantId, id);
    if (!owner || (p.kind === 'promoter' && owner !== p.promoterId)) throw notFound('link', id);
    const range = await dayRange(c, c.req.valid('query'));
    const days = await dailyClicks(db, p.tenantId, { linkId: id }, range.from, range.to);
    return c.json({ ...range, totals: summarise(days), days }, 200);
  })
  // GET /v1/promoters/{id}/stats: a promoter sees only their own.
  .openapi(promoterStatsRoute, async (c) => {
    const { id } = c.req.valid('param');
    const p = principalOf(c);
    const db = c.get('deps').database.db;
    if (p.kind === 'promoter' && p.promoterId !== id) throw notFound('promoter', id);
    if (!(await getPromoter(db, p.tenantId, id))) throw notFound('promoter', id);
    const range = await dayRange(c, c.req.valid('query'));
    const days = await dailyClicks(db, p.tenantId, { promoterId: id }, range.from, range.to);
    return c.json({ ...range, totals: summarise(days), days }, 200);
  });
