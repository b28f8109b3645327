import { datacenterIp, network, type Person } from './population';
import type { Rng } from './prng';
import {
  type Label,
  MINUTE,
  randomTime,
  realAmount,
  realClickMetadata,
  realDelay,
  type SimConversion,
  type SimPromoter,
  type Visit,
  visitOf,
  type World,
} from './world';

/**
 * Real customers buying through a promoter, with the noise real traffic has: shared and
 * company IPs, VPNs in datacenters, missing identities, rare bot verdicts on real browsers,
 * rare fast checkouts and exact repeats, occasional large orders.
 */
export function realConversion(
  world: World,
  promoter: SimPromoter,
  person: Person,
  at: number,
  options: { visit?: Visit; label?: Label; lateShare?: number } = {},
): SimConversion {
  const { rng } = world;
  const { visit, label = 'legit', lateShare = promoter.lateShare } = options;
  let seenVisit = visit ?? visitOf(world, person);
  if (rng.chance(0.01)) {
    seenVisit = { ...seenVisit, net: network('datacenter', datacenterIp(rng), 'WIFI') };
  }
  return {
    label,
    promoter,
    at,
    delayMs: realDelay(rng, lateShare),
    visit: seenVisit,
    clientIpSent: rng.chance(0.8),
    isBot: rng.chance(0.0015),
    isSuspicious: rng.chance(0.003),
    fetchMetadata: realClickMetadata(rng),
    amount: realAmount(rng, promoter.typicalAmount),
    duplicate: rng.chance(0.001),
    refunded: rng.chance(promoter.refundRate),
  };
}

/** Mostly new customers, some returning ones, a few from the promoter's family and office. */
function customerOf(world: World, promoter: SimPromoter): Person {
  const { rng } = world;
  const circle = [...promoter.family, ...promoter.colleagues];
  if (circle.length > 0 && rng.chance(0.06)) return rng.pick(circle);
  if (promoter.customers.length > 0 && rng.chance(0.25)) return rng.pick(promoter.customers);
  const person = rng.pick(world.customers);
  promoter.customers.push(person);
  return person;
}

/**
 * `count` real sales. Now and then a customer places one or two more orders from the same
 * phone within half an hour (a forgotten item, a second address).
 */
export function realTraffic(
  world: World,
  promoter: SimPromoter,
  count: number,
  options: { label?: Label; lateShare?: number } = {},
): SimConversion[] {
  const { rng } = world;
  const out: SimConversion[] = [];
  while (out.length < count) {
    const person = customerOf(world, promoter);
    const first = realConversion(world, promoter, person, randomTime(rng), options);
    out.push(first);
    if (!rng.chance(0.02)) continue;
    let at = first.at;
    for (let more = rng.int(1, 2); more > 0; more--) {
      at += Math.floor(rng.between(2, 15) * MINUTE);
      out.push(realConversion(world, promoter, person, at, { ...options, visit: first.visit }));
    }
  }
  return out;
}

/** Colleagues answering the promoter's post in the office chat: one office IP within the hour. */
export function officeGroupBuy(world: World, promoter: SimPromoter): SimConversion[] {
  const { rng } = world;
  const office = promoter.person.office;
  if (!office || promoter.colleagues.length < 4) return [];
  const buyers = shuffled(rng, promoter.colleagues).slice(0, rng.int(3, 8));
  const start = randomTime(rng);
  return buyers.map((person) => {
    const at = start + Math.floor(rng.between(0, 50) * MINUTE);
    return realConversion(world, promoter, person, at, { visit: visitOf(world, person, office) });
  });
}

function shuffled<T>(rng: Rng, items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    const a = copy[i];
    const b = copy[j];
    if (a === undefined || b === undefined) continue;
    copy[i] = b;
    copy[j] = a;
  }
  return copy;
}
