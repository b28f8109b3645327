import { type Placeholder, type SQL, sql } from 'drizzle-orm';
import { type Executor, resultRows } from '../database';
import {
  type FixedParam,
  fixedStatement,
  type StatementParams as Params,
} from '../fixed-statement';

/** Dates go to SQL as ISO strings: both drivers take them the same way. */
const iso = (d: Date | null) => (d === null ? null : d.toISOString());

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

export interface CustomerFactsQuery {
  tenantId: string;
  /** The order being reported: its conversion's id comes back when the tenant has it already. */
  orderId: string | null;
  at: Date;
  windowDays: number;
  amount: bigint;
  customerRef: string | null;
  deviceId: string | null;
  ipHash: string | null;
  clickId: string | null;
  /** The click time the click id encodes; null when the id is not a click id. */
  clickTime: Date | null;
  couponCode: string | null;
}

export interface StoredClick {
  id: string;
  promoterId: string;
  linkId: string;
  clickedAt: Date;
  isBot: boolean;
  isSuspicious: boolean;
}

export interface CustomerFacts {
  /** The conversion of the order, when the tenant has it already. */
  knownConversionId: string | null;
  binding: { promoterId: string; expiresAt: Date; active: boolean } | null;
  click: (StoredClick & { visitorId: string | null }) | null;
  coupon: { promoterId: string; code: string } | null;
  /** The visitor's recent clicks (the device id given, or the click id's visitor), newest first. */
  visitorClicks: StoredClick[];
  /** Earlier conversions of the tenant in the hour before `at`. */
  sameIpLastHour: number;
  sameDeviceLastHour: number;
  /** The customer's earlier conversions (any time). */
  customerOrders: number;
  /** Earlier conversions of the same customer and amount in the past hour, under other ids. */
  sameCustomerAmountLastHour: number;
}

interface RawClick {
  id: string;
  promoter_id: string;
  link_id: string;
  clicked_at: string;
  is_bot: boolean;
  is_suspicious?: boolean;
  visitor_id?: string | null;
}

const asJson = <T>(value: unknown): T | null =>
  value === null || value === undefined
    ? null
    : typeof value === 'string'
      ? (JSON.parse(value) as T)
      : (value as T);

const toClick = (raw: RawClick): StoredClick => ({
  id: raw.id,
  promoterId: raw.promoter_id,
  linkId: raw.link_id,
  clickedAt: new Date(raw.clicked_at),
  isBot: raw.is_bot,
  isSuspicious: raw.is_suspicious ?? false,
});

type CustomerParam =
  | 'tenantId'
  | 'orderId'
  | 'customerRef'
  | 'couponCode'
  | 'clickId'
  | 'clickTime'
  | 'deviceId'
  | 'ipHash'
  | 'amount'
  | 'at'
  | 'windowStart'
  | 'hourAgo';

/**
 * The customer facts' query; `extra` adds common table expressions after the query's own
 * (`k`, the click of the click id; `v`, the visitor) and columns after its own.
 */
function customerFactsSql(p: Params<CustomerParam>, extra?: { with: SQL; columns: SQL }): SQL {
  return sql`
    with k as (
      select id, promoter_id, link_id, clicked_at, is_bot, is_suspicious, visitor_id
      from clicks
      where tenant_id = ${p.tenantId} and clicked_at = ${p.clickTime}::timestamptz
        and id = ${p.clickId}::text
    ), v as (
      select coalesce(${p.deviceId}::text, (select visitor_id from k)) as visitor
    )${extra ? sql`, ${extra.with}` : sql``}
    select
      (select id from conversions
         where tenant_id = ${p.tenantId} and order_id = ${p.orderId}::text) as known_id,
      (select row_to_json(b) from (
         select promoter_id, expires_at, active from customer_bindings
         where tenant_id = ${p.tenantId} and customer_ref = ${p.customerRef}::text) b) as binding,
      (select row_to_json(k) from k) as click,
      (select row_to_json(c) from (
         select promoter_id, code from coupons
         where tenant_id = ${p.tenantId} and code = upper(${p.couponCode}::text) and active) c)
        as coupon,
      (select coalesce(json_agg(vc), '[]'::json) from (
         select id, promoter_id, link_id, clicked_at, is_bot from clicks
         where tenant_id = ${p.tenantId} and visitor_id = (select visitor from v)
           and clicked_at >= ${p.windowStart}::timestamptz and clicked_at <= ${p.at}::timestamptz
         order by clicked_at desc limit 50) vc) as visitor_clicks,
      (select count(*)::int from conversions
         where tenant_id = ${p.tenantId} and ip_hash = ${p.ipHash}::text
           and occurred_at > ${p.hourAgo}::timestamptz and occurred_at <= ${p.at}::timestamptz)
        as same_ip,
      (select count(*)::int from conversions
         where tenant_id = ${p.tenantId} and device_id = ${p.deviceId}::text
           and occurred_at > ${p.hourAgo}::timestamptz and occurred_at <= ${p.at}::timestamptz)
        as same_device,
      (select count(*)::int from conversions
         where tenant_id = ${p.tenantId} and customer_ref = ${p.customerRef}::text)
        as customer_orders,
      (select count(*)::int from conversions
         where tenant_id = ${p.tenantId} and customer_ref = ${p.customerRef}::text
           and amount = ${p.amount}::bigint
           and occurred_at > ${p.hourAgo}::timestamptz and occurred_at <= ${p.at}::timestamptz)
        as same_amount${
          extra
            ? sql`,
      ${extra.columns}`
            : sql``
        }`;
}

const customerFactsStatement = fixedStatement<CustomerParam>((p) => customerFactsSql(p));

/**
 * Everything attribution and the customer-side fraud signals need, in one round trip: the
 * customer's binding, the click of the click id, the coupon, the visitor's clicks inside the
 * window, and velocity counts. Each part is an index lookup.
 */
export async function loadCustomerFacts(
  db: Executor,
  q: CustomerFactsQuery,
): Promise<CustomerFacts> {
  const [row] = await customerFactsStatement(db, customerValues(q));
  return customerFactsOf(row);
}

function customerValues(q: CustomerFactsQuery): Record<CustomerParam, FixedParam> {
  return {
    tenantId: q.tenantId,
    orderId: q.orderId,
    customerRef: q.customerRef,
    couponCode: q.couponCode,
    clickId: q.clickId,
    clickTime: iso(q.clickTime),
    deviceId: q.deviceId,
    ipHash: q.ipHash,
    amount: q.amount.toString(),
    at: iso(q.at),
    windowStart: iso(new Date(q.at.getTime() - q.windowDays * DAY_MS)),
    hourAgo: iso(new Date(q.at.getTime() - HOUR_MS)),
  };
}

function customerFactsOf(row: Record<string, unknown> | undefined): CustomerFacts {
  const binding = asJson<{ promoter_id: string; expires_at: string; active: boolean }>(
    row?.binding,
  );
  const click = asJson<RawClick>(row?.click);
  const coupon = asJson<{ promoter_id: string; code: string }>(row?.coupon);
  const visitorClicks = asJson<RawClick[]>(row?.visitor_clicks) ?? [];
  return {
    knownConversionId: typeof row?.known_id === 'string' ? row.known_id : null,
    binding: binding
      ? {
          promoterId: binding.promoter_id,
          expiresAt: new Date(binding.expires_at),
          active: binding.active,
        }
      : null,
    click: click ? { ...toClick(click), visitorId: click.visitor_id ?? null } : null,
    coupon: coupon ? { promoterId: coupon.promoter_id, code: coupon.code } : null,
    visitorClicks: visitorClicks.map(toClick),
    sameIpLastHour: Number(row?.same_ip ?? 0),
    sameDeviceLastHour: Number(row?.same_device ?? 0),
    customerOrders: Number(row?.customer_orders ?? 0),
    sameCustomerAmountLastHour: Number(row?.same_amount ?? 0),
  };
}

export interface PromoterFactsQuery {
  tenantId: string;
  promoterId: string;
  at: Date;
  depth: number;
  /** Start of the promoter's current commission period (the month, in the tenant's zone). */
  periodStart: Date;
  lateClickHours: number;
  /** Start of the window of the promoter's traffic pattern (promoterWindowDays). */
  trafficSince: Date;
  /** Conversions sooner than this after their click count as fast. */
  minClickSeconds: number;
  /** This conversion's hashed IP and device, for the promoter's same-network count. */
  ipHash: string | null;
  deviceId: string | null;
  /**
   * Whether to read what each rule paid on the promoter's sales in the period (`periodPaid`):
   * only a rule capped per period needs it, and it reads every commission line of the
   * promoter's sales since the period began. Empty when false.
   */
  periodPaid: boolean;
}

export interface PromoterFacts {
  /** The promoter, then the inviter, … up to `depth`, with tiers; empty if no such promoter. */
  chain: { id: string; tierId: string | null; tierLevel: number | null }[];
  status: 'active' | 'frozen' | null;
  /** What the promoter is known as: their merchant id, e-mail, phone, WeChat unionid. */
  identityRefs: string[];
  recent: { clicks: number; conversions: number };
  baseline: { clicks: number; conversions: number };
  delays: { conversions: number; late: number };
  /** Median amount of the promoter's last 100 conversions (90 days), with the sample size. */
  typicalAmount: { median: bigint; samples: number } | null;
  refunds: { conversions: number; refunded: number };
  /** Sales volume in the current period before `at`, net of refunds. */
  periodVolume: bigint;
  /** Commission paid by each rule on this promoter's own sales in the current period. */
  periodPaid: Record<string, bigint>;
  /**
   * The promoter's traffic pattern over the window: verdicts counted from the reason codes
   * stored with each conversion (raw IPs are never stored, so the datacenter verdict is kept as
   * its reason). Embedded clicks are not counted yet: clicks do not keep fetch metadata.
   */
  traffic: {
    conversions: number;
    flaggedClicks: number;
    datacenterIps: number;
    fastConversions: number;
    embeddedClicks: number;
    selfReferrals: number;
    repeatIps: number;
    clicks: number;
    sameIpOtherDevicesLastHour: number;
  };
}

type PromoterParam =
  | 'at'
  | 'dayAgo'
  | 'depth'
  | 'deviceId'
  | 'hourAgo'
  | 'ipHash'
  | 'lateClickHours'
  | 'minClickSeconds'
  | 'monthAgo'
  | 'periodPaid'
  | 'periodStart'
  | 'quarterAgo'
  | 'tenantId'
  | 'trafficSince'
  | 'weekAgo';

/** The promoter facts' query, for the promoter `promoterId` evaluates to. */
function promoterFactsSql(p: Params<PromoterParam>, promoterId: SQL | Placeholder): SQL {
  return sql`
    with p as (
      select id, status, ancestor_ids, external_ref, email, phone, wechat_unionid
      from promoters where tenant_id = ${p.tenantId} and id = ${promoterId}
    ), mine as (
      -- The promoter's conversions over the longer of the quarter and the traffic window, read
      -- once; each count below keeps to its own window.
      select occurred_at, clicked_at, amount, refunded_amount, status, ip_hash, device_id,
             fraud_reasons
      from conversions
      where tenant_id = ${p.tenantId} and promoter_id = ${promoterId}
        and occurred_at >= least(${p.quarterAgo}::timestamptz, ${p.trafficSince}::timestamptz)
        and occurred_at < ${p.at}::timestamptz
    ), counts as (
      select
        count(*) filter (where occurred_at >= ${p.dayAgo}::timestamptz)::int as recent,
        count(*) filter (where occurred_at >= ${p.monthAgo}::timestamptz
                           and occurred_at < ${p.dayAgo}::timestamptz)::int as baseline,
        count(*) filter (where clicked_at is not null
                           and occurred_at >= ${p.monthAgo}::timestamptz)::int as delays,
        count(*) filter (where clicked_at is not null and occurred_at >= ${p.monthAgo}::timestamptz
                           and occurred_at - clicked_at > make_interval(hours => ${p.lateClickHours}::int))::int
          as late,
        count(*) filter (where occurred_at >= ${p.quarterAgo}::timestamptz
                           and occurred_at < ${p.weekAgo}::timestamptz)::int as refund_base,
        count(*) filter (where occurred_at >= ${p.quarterAgo}::timestamptz
                           and occurred_at < ${p.weekAgo}::timestamptz and refunded_amount > 0)::int
          as refunded,
        coalesce(sum(amount - refunded_amount) filter (
          where occurred_at >= ${p.periodStart}::timestamptz and status in ('approved', 'review')
        ), 0)::text as period_volume
      from mine
    )
    select
      (select status from p) as status,
      -- The chain's rows by primary key, one lookup per level (LIMIT keeps the planner from
      -- turning it into a join that scans every promoter of the tenant).
      (select coalesce(json_agg(json_build_object('id', c.id, 'tierId', m.tier_id,
                                                  'tierLevel', m.level) order by c.n), '[]')
         from p,
           unnest(array[p.id] || array(select a from unnest(p.ancestor_ids)
                                         with ordinality u(a, k) order by k desc))
             with ordinality c(id, n)
           cross join lateral (
             select m.tier_id, t.level from promoters m
             left join tiers t on t.tenant_id = m.tenant_id and t.id = m.tier_id
             where m.tenant_id = ${p.tenantId} and m.id = c.id limit 1) m
         where c.n <= ${p.depth}::int) as chain,
      (select array_remove(array[external_ref, lower(email), phone, wechat_unionid], null) from p)
        as identity_refs,
      (select coalesce(sum(clicks - bots), 0)::int from click_rollups
         where tenant_id = ${p.tenantId} and promoter_id = ${promoterId}
           and day >= ${p.dayAgo}::timestamptz::date) as recent_clicks,
      counts.recent as recent_conversions,
      (select coalesce(sum(clicks - bots), 0)::int from click_rollups
         where tenant_id = ${p.tenantId} and promoter_id = ${promoterId}
           and day >= ${p.monthAgo}::timestamptz::date and day < ${p.dayAgo}::timestamptz::date)
        as baseline_clicks,
      counts.baseline as baseline_conversions,
      counts.delays as delay_conversions,
      counts.late as late_conversions,
      (select json_build_object('median', percentile_disc(0.5) within group (order by amount)::text,
                                'samples', count(*))
         from (select amount from mine where occurred_at >= ${p.quarterAgo}::timestamptz
               order by occurred_at desc limit 100) a) as typical,
      (select json_build_object(
         'conversions', count(*),
         'flagged', count(*) filter (where fraud_reasons @> '[{"code":"bot_click"}]'
                                        or fraud_reasons @> '[{"code":"suspicious_click"}]'),
         'datacenter', count(*) filter (where fraud_reasons @> '[{"code":"datacenter_ip"}]'),
         'fast', count(*) filter (where clicked_at is not null and (clicked_at > occurred_at
           or occurred_at - clicked_at < make_interval(secs => ${p.minClickSeconds}::int))),
         'self', count(*) filter (where fraud_reasons @> '[{"code":"self_referral"}]'),
         'repeat_ips', count(ip_hash) - count(distinct ip_hash),
         'same_ip_others', count(*) filter (where ip_hash = ${p.ipHash}::text
           and device_id is not null and device_id is distinct from ${p.deviceId}::text
           and occurred_at > ${p.hourAgo}::timestamptz))
         from mine where occurred_at >= ${p.trafficSince}::timestamptz) as traffic,
      (select coalesce(sum(clicks - bots), 0)::int from click_rollups
         where tenant_id = ${p.tenantId} and promoter_id = ${promoterId}
           and day >= ${p.trafficSince}::timestamptz::date) as traffic_clicks,
      counts.refund_base,
      counts.refunded,
      counts.period_volume,
      (select coalesce(json_object_agg(rule_id, paid), '{}'::json) from (
         select rule_id, sum(amount - clawed_back)::text as paid from commissions
         where ${p.periodPaid}::boolean
           and tenant_id = ${p.tenantId} and beneficiary_id = ${promoterId} and level = 0
           and status <> 'voided' and created_at >= ${p.periodStart}::timestamptz
         group by rule_id) r) as period_paid
    from counts`;
}

const promoterFactsStatement = fixedStatement<PromoterParam | 'promoterId'>((p) =>
  promoterFactsSql(p, p.promoterId),
);

/**
 * What the rules engine and the promoter-side fraud signals need about the selling promoter,
 * in one round trip: the chain from the materialised ancestor path, click and conversion
 * counts for the conversion-rate baseline, click-to-conversion delays, the typical amount,
 * the refund history and the period volume.
 */
export async function loadPromoterFacts(
  db: Executor,
  q: PromoterFactsQuery,
): Promise<PromoterFacts> {
  const [row] = await promoterFactsStatement(db, {
    ...promoterValues(q),
    promoterId: q.promoterId,
  });
  return promoterFactsOf(row);
}

function promoterValues(
  q: Omit<PromoterFactsQuery, 'promoterId'>,
): Record<PromoterParam, FixedParam> {
  return {
    tenantId: q.tenantId,
    at: iso(q.at),
    depth: q.depth,
    periodStart: iso(q.periodStart),
    lateClickHours: q.lateClickHours,
    trafficSince: iso(q.trafficSince),
    minClickSeconds: q.minClickSeconds,
    ipHash: q.ipHash,
    deviceId: q.deviceId,
    periodPaid: q.periodPaid,
    dayAgo: iso(new Date(q.at.getTime() - DAY_MS)),
    weekAgo: iso(new Date(q.at.getTime() - 7 * DAY_MS)),
    monthAgo: iso(new Date(q.at.getTime() - 30 * DAY_MS)),
    quarterAgo: iso(new Date(q.at.getTime() - 90 * DAY_MS)),
    hourAgo: iso(new Date(q.at.getTime() - HOUR_MS)),
  };
}

/** The facts from the query's row: its columns, or the same keys from its `row_to_json`. */
function promoterFactsOf(row: Record<string, unknown> | undefined): PromoterFacts {
  const status = (row?.status as PromoterFacts['status']) ?? null;
  // The promoter, then the nearest ancestors, as deep as the tenant pays.
  const chain = asJson<PromoterFacts['chain']>(row?.chain) ?? [];
  const typical = asJson<{ median: string | null; samples: number }>(row?.typical);
  const paid = asJson<Record<string, string>>(row?.period_paid) ?? {};
  const traffic = asJson<Record<string, number | string>>(row?.traffic);
  return {
    chain,
    status,
    identityRefs: (row?.identity_refs as string[] | null) ?? [],
    recent: {
      clicks: Number(row?.recent_clicks ?? 0),
      conversions: Number(row?.recent_conversions ?? 0),
    },
    baseline: {
      clicks: Number(row?.baseline_clicks ?? 0),
      conversions: Number(row?.baseline_conversions ?? 0),
    },
    delays: {
      conversions: Number(row?.delay_conversions ?? 0),
      late: Number(row?.late_conversions ?? 0),
    },
    typicalAmount:
      typical && typical.median !== null
        ? { median: BigInt(typical.median), samples: Number(typical.samples) }
        : null,
    refunds: { conversions: Number(row?.refund_base ?? 0), refunded: Number(row?.refunded ?? 0) },
    periodVolume: BigInt(String(row?.period_volume ?? '0')),
    periodPaid: Object.fromEntries(Object.entries(paid).map(([k, v]) => [k, BigInt(v)])),
    traffic: {
      conversions: Number(traffic?.conversions ?? 0),
      flaggedClicks: Number(traffic?.flagged ?? 0),
      datacenterIps: Number(traffic?.datacenter ?? 0),
      fastConversions: Number(traffic?.fast ?? 0),
      embeddedClicks: 0,
      selfReferrals: Number(traffic?.self ?? 0),
      repeatIps: Number(traffic?.repeat_ips ?? 0),
      clicks: Number(row?.traffic_clicks ?? 0),
      sameIpOtherDevicesLastHour: Number(traffic?.same_ip_others ?? 0),
    },
  };
}

export interface ConversionFacts {
  customer: CustomerFacts;
  /**
   * The facts of the promoter attribution most likely picks (an active binding's, then the
   * click id's unless a bot's or outside the window, then the coupon's, then the visitor's
   * last click's), read in the same round trip; null when there is none. Whoever attribution
   * does pick, the caller checks it is this promoter and reads another's on its own.
   */
  likely: { promoterId: string; facts: PromoterFacts } | null;
}

type ConversionParam = CustomerParam | PromoterParam;

const conversionFactsStatement = fixedStatement<ConversionParam>((p) =>
  customerFactsSql(p, {
    // Looked up again rather than read from the customer facts' rows: as shared common table
    // expressions those rows are materialised, which measured no cheaper (778 against 803
    // conversions/s, interleaved).
    with: sql`likely as (
      select coalesce(
        (select promoter_id from customer_bindings
           where tenant_id = ${p.tenantId} and customer_ref = ${p.customerRef}::text
             and active and expires_at > ${p.at}::timestamptz),
        (select promoter_id from k
           where not is_bot and clicked_at >= ${p.windowStart}::timestamptz
             and clicked_at <= ${p.at}::timestamptz),
        (select promoter_id from coupons
           where tenant_id = ${p.tenantId} and code = upper(${p.couponCode}::text) and active),
        (select promoter_id from clicks
           where tenant_id = ${p.tenantId} and visitor_id = (select visitor from v)
             and clicked_at >= ${p.windowStart}::timestamptz and clicked_at <= ${p.at}::timestamptz
             and not is_bot
           order by clicked_at desc, id desc limit 1)) as promoter_id
    )`,
    columns: sql`(select promoter_id from likely) as likely_promoter,
      (select row_to_json(f) from (${promoterFactsSql(p, sql`(select promoter_id from likely)`)}) f
         where (select promoter_id from likely) is not null) as likely_facts`,
  }),
);

/**
 * The customer facts and, in the same round trip, the facts of the promoter attribution most
 * likely picks (see `ConversionFacts.likely`): one round trip for most attributed sales
 * instead of two.
 */
export async function loadConversionFacts(
  db: Executor,
  customer: CustomerFactsQuery,
  promoter: Omit<PromoterFactsQuery, 'promoterId'>,
): Promise<ConversionFacts> {
  // The two share these parameters by name: one value each.
  if (
    customer.tenantId !== promoter.tenantId ||
    customer.at.getTime() !== promoter.at.getTime() ||
    customer.ipHash !== promoter.ipHash ||
    customer.deviceId !== promoter.deviceId
  ) {
    throw new Error('loadConversionFacts: the customer and promoter queries disagree');
  }
  const [row] = await conversionFactsStatement(db, {
    ...promoterValues(promoter),
    ...customerValues(customer),
  });
  const likelyId = typeof row?.likely_promoter === 'string' ? row.likely_promoter : null;
  const likelyRow = asJson<Record<string, unknown>>(row?.likely_facts);
  return {
    customer: customerFactsOf(row),
    likely:
      likelyId !== null && likelyRow !== null
        ? { promoterId: likelyId, facts: promoterFactsOf(likelyRow) }
        : null,
  };
}

/**
 * The tenant's typical promoter over [since, at): clicks and conversions of the promoter with
 * the median conversion rate among those with at least `minClicks` clicks; null when none has.
 * Aggregates every promoter of the tenant, so callers cache it.
 */
export async function loadTenantConversionRate(
  db: Executor,
  q: { tenantId: string; since: Date; at: Date; minClicks: number },
): Promise<{ clicks: number; conversions: number } | null> {
  const [row] = resultRows<{ clicks: number | string; conversions: number | string }>(
    await db.execute(sql`
      with c as (
        select promoter_id, sum(clicks - bots)::bigint as clicks from click_rollups
        where tenant_id = ${q.tenantId} and day >= ${iso(q.since)}::timestamptz::date
          and day <= ${iso(q.at)}::timestamptz::date
        group by promoter_id having sum(clicks - bots) >= ${q.minClicks}::int
      ), v as (
        select promoter_id, count(*)::bigint as conversions from conversions
        where tenant_id = ${q.tenantId} and promoter_id is not null
          and occurred_at >= ${iso(q.since)}::timestamptz and occurred_at < ${iso(q.at)}::timestamptz
        group by promoter_id
      ), r as (
        select c.clicks, coalesce(v.conversions, 0) as conversions,
               row_number() over (order by coalesce(v.conversions, 0)::numeric / c.clicks, c.promoter_id) as n,
               count(*) over () as total
        from c left join v using (promoter_id)
      )
      select clicks, conversions from r where n = (total + 1) / 2`),
  );
  return row ? { clicks: Number(row.clicks), conversions: Number(row.conversions) } : null;
}
