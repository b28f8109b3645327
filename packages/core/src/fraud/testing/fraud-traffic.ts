import type { FetchMetadata } from '../facts';
import {
  BOT_USER_AGENTS,
  type Device,
  datacenterIp,
  type Network,
  network,
  networkOf,
  newDevice,
  newPerson,
  nextId,
  residentialIpv4,
  USER_AGENTS,
  userAgentOn,
} from './population';
import type { Rng } from './prng';
import {
  addClicks,
  DAY,
  embedded,
  HOUR,
  MINUTE,
  NAVIGATION,
  NAVIGATION_WITHOUT_GESTURE,
  randomTime,
  realAmount,
  realClickMetadata,
  SECOND,
  type SimConversion,
  type SimPromoter,
  type Visit,
  visitOf,
  type World,
} from './world';

/**
 * Fraud as it is done, not as the signals look for it: each scheme copies what real traffic
 * does wherever the fraudster can (user agents, delays, amounts, fetch metadata), and leaves
 * only the traces its mechanism forces. Bursts are scored as they arrive, so their first
 * orders carry no velocity yet.
 */

type Draft = Omit<SimConversion, 'label' | 'promoter' | 'refunded'> & { refunded?: boolean };

function fraud(promoter: SimPromoter, label: SimConversion['label'], draft: Draft): SimConversion {
  addClicks(promoter, draft.at - draft.delayMs, 1);
  return { refunded: false, ...draft, label, promoter };
}

function freshAccount(): string {
  return nextId('cus');
}

/** Spread of `size` orders over a burst starting at `start`. */
function burstTimes(rng: Rng, size: number, start: number, minutes: number): number[] {
  return Array.from({ length: size }, () => start + Math.floor(rng.next() * minutes * MINUTE)).sort(
    (a, b) => a - b,
  );
}

/** Scripts placing orders through a promoter's link, declared as bots or not. */
export function botTraffic(world: World, promoter: SimPromoter): SimConversion[] {
  const { rng } = world;
  const out: SimConversion[] = [];
  for (let burst = rng.int(2, 4); burst > 0; burst--) {
    const size = rng.int(4, 15);
    const fromDatacenter = rng.chance(0.6);
    const servers = Array.from({ length: rng.int(1, 3) }, () => datacenterIp(rng));
    const declared = rng.chance(0.85);
    const ua = declared ? rng.pick(BOT_USER_AGENTS) : rng.weighted(USER_AGENTS);
    const clicksPerMinute = rng.logBetween(1, 80);
    const times = burstTimes(rng, size, randomTime(rng), rng.between(30, 180));
    for (const at of times) {
      const ip = fromDatacenter ? rng.pick(servers) : residentialIpv4(rng);
      const net = network(fromDatacenter ? 'datacenter' : 'home', ip, 'WIFI');
      addClicks(promoter, at, rng.int(3, 10));
      out.push(
        fraud(promoter, 'bot', {
          at,
          delayMs: rng.logBetween(2, 300) * SECOND,
          visit: {
            customerRef: freshAccount(),
            deviceId: rng.chance(0.7) ? nextId('dev') : null,
            userAgent: ua,
            net,
          },
          clientIpSent: rng.chance(0.8),
          isBot: declared,
          isSuspicious: clicksPerMinute > 30,
          fetchMetadata: rng.chance(0.8) ? null : NAVIGATION,
          amount: realAmount(rng, promoter.typicalAmount * rng.between(0.5, 1.5)),
          duplicate: false,
          refunded: rng.chance(0.6),
        }),
      );
    }
  }
  return out;
}

/** Emulators and headless browsers on cloud servers, with ordinary phone user agents. */
export function datacenterTraffic(world: World, promoter: SimPromoter): SimConversion[] {
  const { rng } = world;
  const out: SimConversion[] = [];
  for (let burst = rng.int(2, 4); burst > 0; burst--) {
    const size = rng.int(3, 10);
    const servers = Array.from({ length: rng.int(1, 4) }, () => datacenterIp(rng));
    const emulator: Device | null = rng.chance(0.3) ? newDevice(rng) : null;
    const times = burstTimes(rng, size, randomTime(rng), rng.between(60, 240));
    for (const at of times) {
      const net = network('datacenter', rng.pick(servers), 'WIFI');
      const device = emulator ?? newDevice(rng);
      out.push(
        fraud(promoter, 'datacenter', {
          at,
          delayMs: rng.logBetween(5, 600) * SECOND,
          visit: {
            customerRef: freshAccount(),
            deviceId: device.id,
            userAgent: userAgentOn(device, net),
            net,
          },
          clientIpSent: rng.chance(0.8),
          isBot: false,
          isSuspicious: false,
          fetchMetadata: rng.weighted<FetchMetadata | null>([
            [null, 40],
            [NAVIGATION_WITHOUT_GESTURE, 40],
            [NAVIGATION, 20],
          ]),
          amount: realAmount(rng, promoter.typicalAmount),
          duplicate: false,
          refunded: rng.chance(0.6),
        }),
      );
    }
  }
  return out;
}

/** Apps and extensions firing a click just before a real customer's order. */
export function clickInjectionTraffic(world: World, promoter: SimPromoter): SimConversion[] {
  const { rng } = world;
  return Array.from({ length: rng.int(25, 45) }, () => {
    const person = rng.pick(world.customers);
    const seconds = rng.chance(0.85) ? rng.between(0.5, 9.5) : rng.between(10, 25);
    return fraud(promoter, 'click_injection', {
      at: randomTime(rng),
      delayMs: seconds * SECOND,
      visit: visitOf(world, person),
      clientIpSent: rng.chance(0.8),
      isBot: false,
      isSuspicious: false,
      fetchMetadata: rng.weighted<FetchMetadata | null>([
        [embedded('iframe'), 35],
        [NAVIGATION_WITHOUT_GESTURE, 35],
        [null, 30],
      ]),
      amount: realAmount(rng, promoter.typicalAmount),
      duplicate: false,
    });
  });
}

type SelfReferralWay = 'device' | 'account' | 'network_and_agent' | 'household_phone';

/** The promoter buying through their own link, in the ways people actually do it. */
export function selfReferralTraffic(
  world: World,
  promoter: SimPromoter,
  count: number,
): SimConversion[] {
  const { rng } = world;
  return Array.from({ length: count }, () => {
    const way = rng.weighted<SelfReferralWay>([
      ['device', 45],
      ['account', 25],
      ['network_and_agent', 20],
      ['household_phone', 10],
    ]);
    const visit = selfReferralVisit(world, promoter, way);
    return fraud(promoter, 'self_referral', {
      at: randomTime(rng),
      delayMs: rng.logBetween(10, 7200) * SECOND,
      visit,
      clientIpSent: rng.chance(0.8),
      isBot: false,
      isSuspicious: false,
      fetchMetadata: realClickMetadata(rng),
      amount: realAmount(rng, promoter.typicalAmount),
      duplicate: false,
      refunded: rng.chance(promoter.refundRate),
    });
  });
}

function selfReferralVisit(world: World, promoter: SimPromoter, way: SelfReferralWay): Visit {
  const { rng } = world;
  const me = promoter.person;
  const net = networkOf(rng, me, world.natPool);
  const myDevice = rng.pick(me.devices);
  switch (way) {
    case 'device':
      return {
        customerRef: rng.chance(0.5) ? me.ref : freshAccount(),
        deviceId: rng.chance(0.08) ? null : myDevice.id,
        userAgent: userAgentOn(myDevice, net),
        net,
      };
    case 'account': {
      const borrowed = newDevice(rng);
      return {
        customerRef: me.ref,
        deviceId: borrowed.id,
        userAgent: userAgentOn(borrowed, net),
        net,
      };
    }
    case 'network_and_agent':
      // Cleared storage or a private tab: a new visitor id on the same phone at home.
      return {
        customerRef: freshAccount(),
        deviceId: nextId('dev'),
        userAgent: userAgentOn(myDevice, me.home),
        net: me.home,
      };
    case 'household_phone': {
      const spouse = newPerson(rng, me.home, null);
      return visitOf(world, spouse, me.home);
    }
  }
}

/** Brushing (刷单): many cheap orders within the hour from one phone, or from a phone farm. */
export function velocityTraffic(world: World, promoter: SimPromoter): SimConversion[] {
  const { rng } = world;
  const out: SimConversion[] = [];
  for (let burst = rng.int(2, 4); burst > 0; burst--) {
    const size = rng.int(6, 18);
    const onePhone = rng.chance(0.5);
    const atHome = rng.chance(0.1);
    const phone = newDevice(rng);
    const farmModels = [rng.weighted(USER_AGENTS), rng.weighted(USER_AGENTS)];
    const net: Network = atHome
      ? promoter.person.home
      : network(onePhone && rng.chance(0.5) ? 'mobile' : 'home', residentialIpv4(rng), 'WIFI');
    for (const at of burstTimes(rng, size, randomTime(rng), rng.between(20, 60))) {
      const device: Device = onePhone ? phone : { id: nextId('dev'), baseUa: rng.pick(farmModels) };
      out.push(
        fraud(promoter, 'velocity', {
          at,
          delayMs: rng.logBetween(15, 240) * SECOND,
          visit: {
            customerRef: freshAccount(),
            deviceId: device.id,
            userAgent: userAgentOn(device, net),
            net,
          },
          clientIpSent: rng.chance(0.8),
          isBot: false,
          isSuspicious: false,
          fetchMetadata: realClickMetadata(rng),
          amount: realAmount(rng, promoter.typicalAmount * rng.between(0.2, 0.6)),
          duplicate: false,
          refunded: rng.chance(0.7),
        }),
      );
    }
  }
  return out;
}

/** Hidden iframes and images on the promoter's pages set the cookie; real customers buy later. */
export function cookieStuffingTraffic(world: World, promoter: SimPromoter): SimConversion[] {
  const { rng } = world;
  return Array.from({ length: rng.int(25, 50) }, () => {
    const delayMs = rng.chance(promoter.lateShare)
      ? rng.logBetween(1, 20) * DAY
      : rng.logBetween(5 / 60, 24) * HOUR;
    return fraud(promoter, 'cookie_stuffing', {
      at: randomTime(rng),
      delayMs,
      visit: visitOf(world, rng.pick(world.customers)),
      clientIpSent: rng.chance(0.8),
      isBot: false,
      isSuspicious: false,
      fetchMetadata: rng.weighted<FetchMetadata | null>([
        [embedded('iframe'), 40],
        [embedded('image'), 25],
        [NAVIGATION_WITHOUT_GESTURE, 15],
        [null, 20],
      ]),
      amount: realAmount(rng, promoter.typicalAmount),
      duplicate: false,
    });
  });
}

/** Clicks sprayed from ad impressions and background apps, claiming organic sales days later. */
export function clickSpamTraffic(world: World, promoter: SimPromoter): SimConversion[] {
  const { rng } = world;
  return Array.from({ length: rng.int(20, 40) }, () => {
    const delayMs = rng.chance(promoter.lateShare)
      ? rng.logBetween(1, 25) * DAY
      : rng.logBetween(10 / 60, 24) * HOUR;
    return fraud(promoter, 'click_spam', {
      at: randomTime(rng),
      delayMs,
      visit: visitOf(world, rng.pick(world.customers)),
      clientIpSent: rng.chance(0.8),
      isBot: false,
      isSuspicious: rng.chance(0.1),
      fetchMetadata: rng.weighted<FetchMetadata | null>([
        [null, 50],
        [NAVIGATION_WITHOUT_GESTURE, 30],
        [NAVIGATION, 20],
      ]),
      amount: realAmount(rng, promoter.typicalAmount),
      duplicate: false,
    });
  });
}
