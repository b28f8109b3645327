import type { FetchMetadata, PromoterIdentity } from '../facts';
import {
  carrierNatPool,
  type Network,
  networkOf,
  newOffice,
  newPerson,
  nextId,
  type Person,
  userAgentOn,
} from './population';
import type { Rng } from './prng';

/** What the synthetic traffic simulates: the shared state every generator draws from. */

export const SIM_START = Date.UTC(2025, 2, 1);
export const SIM_DAYS = 28;
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
export const SECOND = 1000;
export const MINUTE = 60 * SECOND;

export type FraudKind =
  | 'bot'
  | 'datacenter'
  | 'click_injection'
  | 'self_referral'
  | 'velocity'
  | 'cookie_stuffing'
  | 'click_spam';

/** `genuine`: a real sale by a promoter who also commits fraud (reported apart from both). */
export type Label = 'legit' | 'genuine' | FraudKind;

/** How the customer side of a conversion looks. */
export interface Visit {
  customerRef: string | null;
  deviceId: string | null;
  userAgent: string | null;
  net: Network;
}

export interface SimConversion {
  label: Label;
  promoter: SimPromoter;
  at: number;
  delayMs: number;
  visit: Visit;
  /** Whether the merchant sent the customer's IP with the order. */
  clientIpSent: boolean;
  isBot: boolean;
  isSuspicious: boolean;
  fetchMetadata: FetchMetadata | null;
  amount: bigint;
  duplicate: boolean;
  refunded: boolean;
}

export interface PromoterHistory {
  /** The 60 days before the simulation. */
  clicks: number;
  conversions: number;
  /** The 30 days before the simulation. */
  recentConversions: number;
  lateConversions: number;
  refunded: number;
  amounts: bigint[];
}

export interface SimPromoter {
  id: string;
  person: Person;
  scheme: FraudKind | null;
  family: Person[];
  colleagues: Person[];
  customers: Person[];
  dailyClicks: number;
  convRate: number;
  lateShare: number;
  refundRate: number;
  typicalAmount: number;
  history: PromoterHistory;
  seen: PromoterIdentity;
  clicksByHour: number[];
}

export interface World {
  rng: Rng;
  natPool: string[];
  customers: Person[];
  promoters: SimPromoter[];
}

export function createWorld(rng: Rng): World {
  const natPool = carrierNatPool(rng, 1500);
  const offices = Array.from({ length: 120 }, () => newOffice(rng));
  const customers = Array.from({ length: 4000 }, () =>
    newPerson(rng, undefined, rng.chance(0.4) ? rng.pick(offices) : null),
  );
  return { rng, natPool, customers, promoters: [] };
}

// Visits by UTC hour: Beijing evenings (UTC 11–15) are the busiest.
const HOUR_WEIGHTS = [
  4, 5, 6, 6, 6, 6, 5, 5, 6, 7, 8, 10, 11, 11, 10, 8, 5, 3, 2, 1, 1, 1, 2, 3,
].map((w, h) => [h, w] as const);

export function randomTime(rng: Rng): number {
  const day = rng.int(0, SIM_DAYS - 1);
  const hour = rng.weighted(HOUR_WEIGHTS);
  return SIM_START + day * DAY + hour * HOUR + Math.floor(rng.next() * HOUR);
}

export function hourWeight(hourOfDay: number): number {
  const entry = HOUR_WEIGHTS[hourOfDay];
  return entry ? entry[1] / 5.5 : 1;
}

export const NAVIGATION: FetchMetadata = {
  secFetchSite: 'cross-site',
  secFetchMode: 'navigate',
  secFetchDest: 'document',
  secFetchUser: true,
};
export const NAVIGATION_WITHOUT_GESTURE: FetchMetadata = { ...NAVIGATION, secFetchUser: false };

export function embedded(dest: 'iframe' | 'image'): FetchMetadata {
  const mode = dest === 'iframe' ? 'navigate' : 'no-cors';
  return {
    secFetchSite: 'cross-site',
    secFetchMode: mode,
    secFetchDest: dest,
    secFetchUser: false,
  };
}

/**
 * Fetch metadata of real clicks: some web views send none, and links opened from another
 * app or a QR scan arrive without a user gesture.
 */
export function realClickMetadata(rng: Rng): FetchMetadata | null {
  return rng.weighted<FetchMetadata | null>([
    [null, 15],
    [NAVIGATION, 70],
    [NAVIGATION_WITHOUT_GESTURE, 15],
  ]);
}

/** Real click-to-order delays: mostly minutes, some hours, a `lateShare` over a day, rare fast ones. */
export function realDelay(rng: Rng, lateShare: number): number {
  if (rng.chance(0.003)) return rng.between(5, 10) * SECOND;
  if (rng.chance(lateShare)) return rng.logBetween(1, 14) * DAY;
  return rng.weighted<() => number>([
    [() => rng.between(10, 30) * SECOND, 4],
    [() => rng.logBetween(30, 1800) * SECOND, 70],
    [() => rng.logBetween(0.5, 24) * HOUR, 26],
  ])();
}

export function realAmount(rng: Rng, typical: number): bigint {
  const amount = rng.chance(0.005) ? typical * rng.between(8, 20) : rng.logNormal(typical, 0.5);
  return BigInt(Math.max(100, Math.round(amount)));
}

/** A person's visit on the network they happen to be on. */
export function visitOf(world: World, person: Person, net?: Network): Visit {
  const { rng } = world;
  const device = rng.pick(person.devices);
  const on = net ?? networkOf(rng, person, world.natPool);
  return {
    customerRef: rng.chance(0.05) ? null : person.ref,
    deviceId: rng.chance(0.08) ? null : device.id,
    userAgent: userAgentOn(device, on),
    net: on,
  };
}

/** Adds clicks to a promoter's hourly counts (clicks outside the simulated days are dropped). */
export function addClicks(promoter: SimPromoter, at: number, count: number): void {
  const hour = Math.floor((at - SIM_START) / HOUR);
  if (hour < 0 || hour >= promoter.clicksByHour.length) return;
  promoter.clicksByHour[hour] = (promoter.clicksByHour[hour] ?? 0) + count;
}

export interface PromoterProfile {
  scheme: FraudKind | null;
  /** Conversions expected over the simulation, for click volumes. */
  expectedConversions: number;
  convRate: number;
  lateShare: number;
  refundRate: number;
  /** Share of history a new promoter has (1 for an established one). */
  historyShare: number;
}

/** A promoter with an identity, a social circle, click volumes and 60 days of history. */
export function createPromoter(world: World, profile: PromoterProfile): SimPromoter {
  const { rng } = world;
  const office = rng.chance(0.5) ? newOffice(rng) : null;
  const person = newPerson(rng, undefined, office);
  const family = Array.from({ length: rng.int(0, 3) }, () => newPerson(rng, person.home, null));
  const colleagues = office
    ? Array.from({ length: rng.int(3, 25) }, () => newPerson(rng, undefined, office))
    : [];
  const dailyClicks = profile.expectedConversions / SIM_DAYS / profile.convRate;
  const typicalAmount = Math.max(990, rng.logNormal(8900, 0.7));

  const promoter: SimPromoter = {
    id: nextId('prm'),
    person,
    scheme: profile.scheme,
    family,
    colleagues,
    customers: [],
    dailyClicks,
    convRate: profile.convRate,
    lateShare: profile.lateShare,
    refundRate: profile.refundRate,
    typicalAmount,
    history: historyOf(rng, dailyClicks * profile.historyShare, profile, typicalAmount),
    seen: seenIdentity(world, person),
    clicksByHour: organicClicks(rng, dailyClicks),
  };
  world.promoters.push(promoter);
  return promoter;
}

function historyOf(
  rng: Rng,
  dailyClicks: number,
  profile: PromoterProfile,
  typical: number,
): PromoterHistory {
  const clicks = rng.poisson(dailyClicks * 60);
  const conversions = rng.binomial(clicks, profile.convRate);
  const recentConversions = Math.round(conversions / 2);
  return {
    clicks,
    conversions,
    recentConversions,
    lateConversions: rng.binomial(recentConversions, profile.lateShare),
    refunded: rng.binomial(conversions, profile.refundRate),
    amounts: Array.from({ length: Math.min(conversions, 31) }, () => realAmount(rng, typical)),
  };
}

function organicClicks(rng: Rng, dailyClicks: number): number[] {
  return Array.from({ length: SIM_DAYS * 24 }, (_, h) =>
    rng.poisson((dailyClicks / 24) * hourWeight(h % 24)),
  );
}

/** The promoter as the platform has seen them: their account, devices and networks. */
function seenIdentity(world: World, person: Person): PromoterIdentity {
  const nets: Network[] = [person.home];
  if (person.office) nets.push(person.office);
  for (let i = 0; i < 3; i++) {
    const net = networkOf(world.rng, { ...person, office: null }, world.natPool);
    if (net.kind === 'mobile') nets.push(net);
  }
  const userAgents = new Set<string>();
  for (const device of person.devices) {
    for (const net of nets) userAgents.add(userAgentOn(device, net));
  }
  return {
    customerRefs: [person.ref],
    deviceIds: person.devices.map((d) => d.id),
    ipHashes: [...new Set(nets.map((n) => n.ipHash))],
    userAgents: [...userAgents],
  };
}
