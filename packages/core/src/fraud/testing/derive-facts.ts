import { matchCidr } from '../cidr';
import type { FraudFacts, PromoterTrafficFacts, RateSample } from '../facts';
import { EMBEDDED_DESTINATIONS } from '../fire';
import { DEFAULT_DATACENTER_CIDRS } from '../settings';
import {
  DAY,
  HOUR,
  type Label,
  SIM_DAYS,
  SIM_START,
  type SimConversion,
  type SimPromoter,
  type World,
} from './world';

/** A conversion scored twice: when it arrives, and again before its lock period ends. */
export interface LabelledConversion {
  label: Label;
  promoterId: string;
  atArrival: FraudFacts;
  beforeRelease: FraudFacts;
}

const LOCK_PERIOD = 30 * DAY;
const SIM_END = SIM_START + SIM_DAYS * DAY;
const REFUND_LAG = 7 * DAY;

interface Indexed {
  c: SimConversion;
  /** Position in time order: ties between equal times go to the earlier one. */
  order: number;
  /** What the db stores about the conversion when it is scored (see `PromoterTrafficFacts`). */
  stored: StoredVerdicts;
}

interface StoredVerdicts {
  datacenter: boolean;
  fast: boolean;
  selfReferral: boolean;
}

// The defaults of the settings, as the db would count with the tenant's own.
const FAST_MS = 10 * 1000;
const WINDOW = 30 * DAY;

function isEmbedded(dest: string | null | undefined): boolean {
  return dest !== null && dest !== undefined && EMBEDDED_DESTINATIONS.has(dest);
}

function storedVerdicts(c: SimConversion): StoredVerdicts {
  const { visit } = c;
  const seen = c.promoter.seen;
  const has = (list: readonly string[], value: string | null) =>
    value !== null && list.includes(value);
  return {
    datacenter: c.clientIpSent && matchCidr(visit.net.ip, DEFAULT_DATACENTER_CIDRS) !== null,
    fast: c.delayMs < FAST_MS,
    selfReferral:
      has(seen.customerRefs, visit.customerRef) ||
      has(seen.deviceIds, visit.deviceId) ||
      (seen.ipHashes.includes(visit.net.ipHash) && has(seen.userAgents, visit.userAgent)),
  };
}

/**
 * The promoter's conversions in the 30 days before `when`, counted from the simulated events
 * only: the history before the simulation is kept as totals, so these counts start empty, as
 * if the tenant began storing the verdicts on the first simulated day (the harder case).
 */
function promoterTrafficAt(
  p: SimPromoter,
  own: readonly Indexed[],
  self: Indexed,
  when: number,
  sameIpOtherDevicesLastHour: number,
): PromoterTrafficFacts {
  const latest = Math.min(when, SIM_END);
  const earlier = own.filter(
    (o) => o !== self && (when === self.c.at ? o.order < self.order : o.c.at < when),
  );
  const inWindow = earlier.filter((o) => o.c.at > latest - WINDOW);
  const count = (test: (o: Indexed) => boolean) => inWindow.filter(test).length;
  const firstHour = Math.max(0, Math.floor((latest - WINDOW - SIM_START) / HOUR));
  const lastHour = Math.max(0, Math.floor((latest - SIM_START) / HOUR));
  return {
    conversions: inWindow.length,
    flaggedClicks: count((o) => o.c.isBot || o.c.isSuspicious),
    datacenterIps: count((o) => o.stored.datacenter),
    fastConversions: count((o) => o.stored.fast),
    embeddedClicks: count((o) => isEmbedded(o.c.fetchMetadata?.secFetchDest)),
    selfReferrals: count((o) => o.stored.selfReferral),
    repeatIps: inWindow.length - new Set(inWindow.map((o) => o.c.visit.net.ipHash)).size,
    clicks: p.clicksByHour.slice(firstHour, lastHour).reduce((a, b) => a + b, 0),
    sameIpOtherDevicesLastHour,
  };
}

/** The median promoter's history, among those with enough clicks to judge. */
function typicalRate(world: World, minClicks: number): RateSample | null {
  const rates = world.promoters
    .map((p) => p.history)
    .filter((h) => h.clicks >= minClicks)
    .sort((a, b) => a.conversions * b.clicks - b.conversions * a.clicks);
  const mid = rates[Math.floor(rates.length / 2)];
  return mid ? { clicks: mid.clicks, conversions: mid.conversions } : null;
}

function groupBy(items: readonly Indexed[], key: (c: SimConversion) => string | null) {
  const groups = new Map<string, Indexed[]>();
  for (const item of items) {
    const k = key(item.c);
    if (k === null) continue;
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/** Others in the hour before `self`. */
function lastHour(group: readonly Indexed[] | undefined, self: Indexed): number {
  if (!group) return 0;
  return group.filter((o) => o.order < self.order && o.c.at > self.c.at - HOUR).length;
}

/** Others in the busiest hour-long window that holds `self`, once the hours after it are known. */
function busiestHour(group: readonly Indexed[] | undefined, self: Indexed): number {
  if (!group) return 0;
  const near = group.filter((o) => Math.abs(o.c.at - self.c.at) <= HOUR).map((o) => o.c.at);
  let best = 0;
  for (const start of near) {
    if (start > self.c.at) continue;
    const inside = near.filter((t) => t >= start && t < start + HOUR).length;
    best = Math.max(best, inside - 1);
  }
  return best;
}

function median(values: readonly bigint[]): bigint | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return sorted[Math.floor(sorted.length / 2)] ?? null;
}

/**
 * Facts as the db layer would count them at `when`, from what had happened by then: history
 * before the simulation ages out over 30 days; refunds show a week after the order.
 */
function promoterFactsAt(p: SimPromoter, own: readonly Indexed[], self: Indexed, when: number) {
  const h = p.history;
  // The simulation ends after SIM_DAYS: a later look sees its last 30 days.
  const latest = Math.min(when, SIM_END);
  const aging = Math.max(0, 1 - (latest - SIM_START) / (30 * DAY));
  const earlier = own.filter((o) => o !== self && o.c.at < when);
  const inWindow = earlier.filter((o) => o.c.at > latest - 30 * DAY);
  const settled = earlier.filter((o) => o.c.at < when - REFUND_LAG);
  return {
    clickDelays: {
      conversions: Math.round(h.recentConversions * aging) + inWindow.length,
      lateConversions:
        Math.round(h.lateConversions * aging) + inWindow.filter((o) => o.c.delayMs > DAY).length,
    },
    refunds: {
      conversions: h.conversions + settled.length,
      refunded: h.refunded + settled.filter((o) => o.c.refunded).length,
    },
  };
}

/** Facts for each conversion in time order, counted only from what was known at the time. */
export function deriveFacts(world: World, conversions: SimConversion[]): LabelledConversion[] {
  const sorted: Indexed[] = conversions
    .map((c, i) => ({ c, i }))
    .sort((a, b) => a.c.at - b.c.at || a.i - b.i)
    .map(({ c }, order) => ({ c, order, stored: storedVerdicts(c) }));
  const byIp = groupBy(sorted, (c) => c.visit.net.ipHash);
  const byDevice = groupBy(sorted, (c) => c.visit.deviceId);
  const byPromoter = groupBy(sorted, (c) => c.promoter.id);

  const tenantBaseline: RateSample = { clicks: 0, conversions: 0 };
  for (const p of world.promoters) {
    tenantBaseline.clicks += p.history.clicks;
    tenantBaseline.conversions += p.history.conversions;
  }
  const tenantTypical = median(world.promoters.flatMap((p) => p.history.amounts)) ?? 8900n;
  const tenantConversionRate = typicalRate(world, 50);

  return sorted.map((self) => {
    const { c } = self;
    const p = c.promoter;
    const own = byPromoter.get(p.id) ?? [];
    const ip = byIp.get(c.visit.net.ipHash);
    const device = c.visit.deviceId === null ? undefined : byDevice.get(c.visit.deviceId);
    const base = baseFacts(c, own, self, tenantBaseline, tenantTypical);
    const otherDevices = own.filter(
      (o) =>
        o.c.visit.net.ipHash === c.visit.net.ipHash &&
        o.c.visit.deviceId !== null &&
        o.c.visit.deviceId !== c.visit.deviceId,
    );

    const atArrival: FraudFacts = {
      ...base,
      ...promoterFactsAt(p, own, self, c.at),
      promoterTraffic: promoterTrafficAt(p, own, self, c.at, lastHour(otherDevices, self)),
      tenantConversionRate,
      velocity: { sameIpLastHour: lastHour(ip, self), sameDeviceLastHour: lastHour(device, self) },
    };
    const beforeRelease: FraudFacts = {
      ...base,
      ...promoterFactsAt(p, own, self, c.at + LOCK_PERIOD),
      promoterTraffic: promoterTrafficAt(
        p,
        own,
        self,
        c.at + LOCK_PERIOD,
        busiestHour(otherDevices, self),
      ),
      tenantConversionRate,
      velocity: {
        sameIpLastHour: busiestHour(ip, self),
        sameDeviceLastHour: busiestHour(device, self),
      },
    };
    return { label: c.label, promoterId: p.id, atArrival, beforeRelease };
  });
}

type BaseFacts = Omit<
  FraudFacts,
  'velocity' | 'clickDelays' | 'refunds' | 'promoterTraffic' | 'tenantConversionRate'
>;

function baseFacts(
  c: SimConversion,
  own: readonly Indexed[],
  self: Indexed,
  tenantBaseline: RateSample,
  tenantTypical: bigint,
): BaseFacts {
  const p = c.promoter;
  const h = p.history;
  const hour = Math.floor((c.at - SIM_START) / HOUR);
  const recentClicks = p.clicksByHour
    .slice(Math.max(0, hour - 24), Math.max(0, hour))
    .reduce((a, b) => a + b, 0);
  const recentConversions = own.filter((o) => o.order < self.order && o.c.at > c.at - DAY).length;
  const typical = h.amounts.length >= 10 ? median(h.amounts) : tenantTypical;

  return {
    convertedAt: new Date(c.at),
    customer: {
      customerRef: c.visit.customerRef,
      deviceId: c.visit.deviceId,
      ipHash: c.visit.net.ipHash,
      userAgent: c.visit.userAgent,
    },
    clientIp: c.clientIpSent ? c.visit.net.ip : null,
    promoter: p.seen,
    click: {
      clickedAt: new Date(c.at - Math.round(c.delayMs)),
      isBot: c.isBot,
      isSuspicious: c.isSuspicious,
      fetchMetadata: c.fetchMetadata,
    },
    conversionRate: {
      recent: { clicks: recentClicks, conversions: recentConversions },
      baseline: h.clicks >= 200 ? { clicks: h.clicks, conversions: h.conversions } : tenantBaseline,
    },
    duplicateOrder: c.duplicate,
    amount: { amount: c.amount, currency: 'CNY' },
    typicalAmount: typical === null ? null : { amount: typical, currency: 'CNY' },
  };
}
