import { deriveFacts, type LabelledConversion } from './derive-facts';
import {
  botTraffic,
  clickInjectionTraffic,
  clickSpamTraffic,
  cookieStuffingTraffic,
  datacenterTraffic,
  selfReferralTraffic,
  velocityTraffic,
} from './fraud-traffic';
import { resetIds } from './population';
import { Rng } from './prng';
import { officeGroupBuy, realTraffic } from './real-traffic';
import {
  createPromoter,
  createWorld,
  type FraudKind,
  type PromoterProfile,
  type SimConversion,
  type SimPromoter,
  type World,
} from './world';

export type { LabelledConversion } from './derive-facts';
export type { FraudKind, Label } from './world';

/**
 * Four weeks of labelled conversions for one tenant, from a seed. Traffic is simulated as
 * events (people, networks, clicks, orders, refunds) and the facts are then derived from those
 * events the way the db layer would count them, so no fact is set by the label directly.
 */
export function generateTraffic(seed: number): LabelledConversion[] {
  resetIds();
  const rng = new Rng(seed);
  const world = createWorld(rng);
  const conversions: SimConversion[] = [];

  for (let i = 0; i < 55; i++) {
    const expected = Math.min(300, Math.round(rng.logNormal(30, 0.9)));
    const promoter = createPromoter(world, realProfile(rng, expected));
    conversions.push(...realTraffic(world, promoter, expected));
    if (rng.chance(0.15)) conversions.push(...officeGroupBuy(world, promoter));
    // Some real promoters buy through their own link now and then.
    if (rng.chance(0.1)) conversions.push(...selfReferralTraffic(world, promoter, rng.int(1, 4)));
  }

  for (const [scheme, promoters] of SCHEMES) {
    for (let i = 0; i < promoters; i++) {
      const promoter = createPromoter(world, fraudProfile(rng, scheme));
      const fraud = schemeTraffic(world, promoter, scheme);
      const genuine = Math.round(fraud.length * GENUINE_SHARE[scheme]);
      const lateShare = rng.between(0.05, 0.2);
      conversions.push(
        ...fraud,
        ...realTraffic(world, promoter, genuine, { label: 'genuine', lateShare }),
      );
    }
  }
  return deriveFacts(world, conversions);
}

const SCHEMES: [FraudKind, number][] = [
  ['bot', 3],
  ['datacenter', 3],
  ['click_injection', 4],
  ['self_referral', 4],
  ['velocity', 4],
  ['cookie_stuffing', 3],
  ['click_spam', 2],
];

/** Real sales of fraudulent promoters, as a share of their fraudulent ones. */
const GENUINE_SHARE: Record<FraudKind, number> = {
  bot: 0.1,
  datacenter: 0.1,
  click_injection: 0.15,
  self_referral: 1,
  velocity: 0.1,
  cookie_stuffing: 0.2,
  click_spam: 0.2,
};

function realProfile(rng: Rng, expectedConversions: number): PromoterProfile {
  return {
    scheme: null,
    expectedConversions,
    convRate: rng.between(0.015, 0.06),
    lateShare: rng.between(0.05, 0.2),
    // Apparel and gifts see many returns.
    refundRate: rng.chance(0.1) ? rng.between(0.15, 0.3) : rng.between(0.02, 0.15),
    historyShare: rng.chance(0.1) ? 0.05 : 1,
  };
}

function fraudProfile(rng: Rng, scheme: FraudKind): PromoterProfile {
  const base = realProfile(rng, 20);
  const fakeOrders = scheme === 'bot' || scheme === 'datacenter' || scheme === 'velocity';
  const profile: PromoterProfile = {
    ...base,
    scheme,
    historyShare: rng.chance(0.5) ? 1 : 0.05,
    refundRate: fakeOrders ? rng.between(0.25, 0.65) : base.refundRate,
  };
  if (scheme === 'click_injection') {
    return {
      ...profile,
      expectedConversions: 40,
      convRate: rng.between(0.2, 0.5),
      lateShare: 0.01,
    };
  }
  if (scheme === 'cookie_stuffing') {
    return {
      ...profile,
      expectedConversions: 45,
      convRate: rng.between(0.002, 0.006),
      lateShare: rng.between(0.4, 0.6),
    };
  }
  if (scheme === 'click_spam') {
    return {
      ...profile,
      expectedConversions: 35,
      convRate: rng.between(0.0005, 0.002),
      lateShare: rng.between(0.6, 0.9),
    };
  }
  return profile;
}

function schemeTraffic(world: World, promoter: SimPromoter, scheme: FraudKind): SimConversion[] {
  switch (scheme) {
    case 'bot':
      return botTraffic(world, promoter);
    case 'datacenter':
      return datacenterTraffic(world, promoter);
    case 'click_injection':
      return clickInjectionTraffic(world, promoter);
    case 'self_referral':
      return selfReferralTraffic(world, promoter, world.rng.int(15, 40));
    case 'velocity':
      return velocityTraffic(world, promoter);
    case 'cookie_stuffing':
      return cookieStuffingTraffic(world, promoter);
    case 'click_spam':
      return clickSpamTraffic(world, promoter);
  }
}
