import { describe, expect, it } from 'vitest';
import type { FraudFacts } from './facts';
import { defaultFraudSettings, parseFraudSettings } from './settings';
import {
  amountOutlier,
  botClick,
  clickInjection,
  clickSpam,
  conversionRateSpike,
  cookieStuffing,
  datacenterIp,
  deviceVelocity,
  duplicateOrder,
  FRAUD_SIGNALS,
  ipVelocity,
  refundRate,
  selfReferral,
  selfReferralNetwork,
  suspiciousClick,
} from './signals';
import { clickedBefore, quietFacts } from './testing/facts';

const settings = defaultFraudSettings;

function withCustomer(patch: Partial<FraudFacts['customer']>): FraudFacts {
  const facts = quietFacts();
  return { ...facts, customer: { ...facts.customer, ...patch } };
}

function withClick(patch: Partial<NonNullable<FraudFacts['click']>>): FraudFacts {
  const facts = quietFacts();
  if (!facts.click) throw new Error('quiet facts have a click');
  return { ...facts, click: { ...facts.click, ...patch } };
}

const promoter = quietFacts().promoter;
const promoterUa = promoter.userAgents[0] ?? '';

describe('quiet facts', () => {
  it('fire no signal', () => {
    const facts = quietFacts();
    expect(FRAUD_SIGNALS.map((signal) => signal(facts, settings))).toEqual(
      FRAUD_SIGNALS.map(() => null),
    );
  });
});

describe('selfReferral', () => {
  it.each([
    ['customer identity', { customerRef: promoter.customerRefs[0] ?? '' }],
    ['device', { deviceId: promoter.deviceIds[0] ?? '' }],
    ['IP and user agent', { ipHash: promoter.ipHashes[0] ?? '', userAgent: promoterUa }],
  ])('fires at full weight on the same %s', (what, patch) => {
    expect(selfReferral(withCustomer(patch), settings)).toEqual({
      code: 'self_referral',
      weight: 75,
      detail: `same ${what} as the promoter`,
    });
  });

  it('names every match', () => {
    const facts = withCustomer({ deviceId: 'dev-promoter', customerRef: 'cus:+8613900000009' });
    expect(selfReferral(facts, settings)?.detail).toBe(
      'same customer identity, device as the promoter',
    );
  });

  it('does not fire on the same IP alone, nor the same user agent alone', () => {
    expect(selfReferral(withCustomer({ ipHash: 'ip-promoter' }), settings)).toBeNull();
    expect(selfReferral(withCustomer({ userAgent: promoterUa }), settings)).toBeNull();
  });

  it('ignores unknown and empty identities', () => {
    const facts = quietFacts();
    const emptyPromoter = { ...facts.promoter, customerRefs: [''], deviceIds: [''] };
    const blank = { ...facts, customer: { ...facts.customer, customerRef: '', deviceId: '' } };
    expect(selfReferral({ ...blank, promoter: emptyPromoter }, settings)).toBeNull();
    const none = withCustomer({ customerRef: null, deviceId: null, ipHash: null, userAgent: null });
    expect(selfReferral(none, settings)).toBeNull();
  });
});

describe('selfReferralNetwork', () => {
  it('adds a little for the same IP with another user agent', () => {
    expect(selfReferralNetwork(withCustomer({ ipHash: 'ip-promoter' }), settings)).toEqual({
      code: 'self_referral_network',
      weight: 20,
      detail: 'same IP as the promoter, other user agent',
    });
  });

  it('leaves the same IP and user agent to selfReferral', () => {
    const facts = withCustomer({ ipHash: 'ip-promoter', userAgent: promoterUa });
    expect(selfReferralNetwork(facts, settings)).toBeNull();
  });
});

describe('click verdicts', () => {
  it('fires bot_click and suspicious_click from the click writer verdicts', () => {
    expect(botClick(withClick({ isBot: true }), settings)?.weight).toBe(60);
    expect(suspiciousClick(withClick({ isSuspicious: true }), settings)?.weight).toBe(25);
  });

  it('says nothing without a click', () => {
    const facts = { ...quietFacts(), click: null };
    for (const signal of [botClick, suspiciousClick, clickInjection, cookieStuffing]) {
      expect(signal(facts, settings)).toBeNull();
    }
  });
});

describe('clickInjection', () => {
  it('fires under the threshold and not at it', () => {
    expect(clickInjection(clickedBefore(quietFacts(), 9.999), settings)?.detail).toBe(
      'converted 9 s after the click (under 10 s)',
    );
    expect(clickInjection(clickedBefore(quietFacts(), 10), settings)).toBeNull();
  });

  it('fires when the click came after the conversion', () => {
    expect(clickInjection(clickedBefore(quietFacts(), -3), settings)?.detail).toBe(
      'the click came 3 s after the conversion',
    );
  });

  it('follows the tenant threshold', () => {
    const strict = parseFraudSettings({ thresholds: { minClickToConversionSeconds: 30 } });
    expect(clickInjection(clickedBefore(quietFacts(), 20), strict)).not.toBeNull();
  });
});

describe('clickSpam', () => {
  const spam = (conversions: number, lateConversions: number) =>
    clickSpam({ ...quietFacts(), clickDelays: { conversions, lateConversions } }, settings);

  it('fires above 30 % late conversions', () => {
    expect(spam(100, 31)?.detail).toBe(
      "31 % of the promoter's last 100 conversions came over 24 h after the click (above 30 %)",
    );
    expect(spam(100, 30)).toBeNull();
  });

  it('waits for enough conversions to judge', () => {
    expect(spam(19, 19)).toBeNull();
    expect(spam(20, 7)?.code).toBe('click_spam');
  });
});

describe('velocity', () => {
  const velocity = (sameIpLastHour: number, sameDeviceLastHour: number) => ({
    ...quietFacts(),
    velocity: { sameIpLastHour, sameDeviceLastHour },
  });

  it('fires once the earlier conversions of the hour reach the limit', () => {
    expect(ipVelocity(velocity(4, 0), settings)).toBeNull();
    expect(ipVelocity(velocity(5, 0), settings)?.detail).toBe(
      '5 conversions from the same IP in the past hour (limit 5)',
    );
    expect(deviceVelocity(velocity(0, 2), settings)).toBeNull();
    expect(deviceVelocity(velocity(0, 3), settings)?.weight).toBe(40);
  });

  it('ignores counts for a customer without that identity', () => {
    const facts = { ...velocity(9, 9), customer: { ...quietFacts().customer, ipHash: null } };
    expect(ipVelocity(facts, settings)).toBeNull();
    const noDevice = { ...velocity(9, 9), customer: { ...quietFacts().customer, deviceId: null } };
    expect(deviceVelocity(noDevice, settings)).toBeNull();
  });
});

describe('conversionRateSpike', () => {
  const rate = (recent: [number, number], baseline: [number, number] | null) =>
    conversionRateSpike(
      {
        ...quietFacts(),
        conversionRate: {
          recent: { clicks: recent[0], conversions: recent[1] },
          baseline: baseline && { clicks: baseline[0], conversions: baseline[1] },
        },
      },
      settings,
    );

  it('fires above three times the baseline rate, exactly', () => {
    expect(rate([100, 10], [1000, 33])?.detail).toBe(
      'recent conversion rate 10 % against a baseline of 3 % (factor 3)',
    );
    expect(rate([100, 9], [1000, 30])).toBeNull();
    expect(rate([100, 10], [1000, 34])).toBeNull();
  });

  it('needs enough clicks on both sides, and a baseline', () => {
    expect(rate([49, 40], [1000, 10])).toBeNull();
    expect(rate([100, 40], [49, 1])).toBeNull();
    expect(rate([100, 40], null)).toBeNull();
  });

  it('reads a baseline without conversions as one conversion', () => {
    expect(rate([100, 1], [100, 0])).toBeNull();
    expect(rate([100, 4], [100, 0])?.code).toBe('conversion_rate_spike');
  });
});

describe('duplicateOrder', () => {
  it('fires on the flag', () => {
    expect(duplicateOrder({ ...quietFacts(), duplicateOrder: true }, settings)?.weight).toBe(45);
  });
});

describe('amountOutlier', () => {
  const outlier = (amount: bigint, typical: bigint | null, currency: 'CNY' | 'USD' = 'CNY') =>
    amountOutlier(
      {
        ...quietFacts(),
        amount: { amount, currency: 'CNY' },
        typicalAmount: typical === null ? null : { amount: typical, currency },
      },
      settings,
    );

  it('fires above ten times the typical amount, in exact minor units', () => {
    expect(outlier(99_001n, 9_900n)?.code).toBe('amount_outlier');
    expect(outlier(99_000n, 9_900n)).toBeNull();
  });

  it('applies a factor with decimals exactly', () => {
    const tight = parseFraudSettings({ thresholds: { amountOutlierFactor: 2.5 } });
    const facts = (amount: bigint) => ({
      ...quietFacts(),
      amount: { amount, currency: 'CNY' as const },
      typicalAmount: { amount: 1_000n, currency: 'CNY' as const },
    });
    expect(amountOutlier(facts(2_500n), tight)).toBeNull();
    expect(amountOutlier(facts(2_501n), tight)?.code).toBe('amount_outlier');
  });

  it('says nothing without a typical amount in the same currency', () => {
    expect(outlier(10n ** 12n, null)).toBeNull();
    expect(outlier(10n ** 12n, 0n)).toBeNull();
    expect(outlier(10n ** 12n, 100n, 'USD')).toBeNull();
  });
});

describe('refundRate', () => {
  const refunds = (conversions: number, refunded: number) =>
    refundRate({ ...quietFacts(), refunds: { conversions, refunded } }, settings);

  it('fires above 30 % once there are ten conversions', () => {
    expect(refunds(10, 4)?.detail).toBe(
      "the promoter's refund rate is 40 % of 10 conversions (above 30 %)",
    );
    expect(refunds(10, 3)).toBeNull();
    expect(refunds(9, 9)).toBeNull();
  });
});

describe('datacenterIp', () => {
  it('names the range, never the IP', () => {
    const reason = datacenterIp({ ...quietFacts(), clientIp: '47.100.1.2' }, settings);
    expect(reason).toEqual({
      code: 'datacenter_ip',
      weight: 35,
      detail: "the customer's IP is in the datacenter range 47.96.0.0/11",
    });
  });

  it('matches IPv6 and IPv4-mapped clients, and ignores unknown or unparsable ones', () => {
    expect(datacenterIp({ ...quietFacts(), clientIp: '2600:1f14::9' }, settings)).not.toBeNull();
    expect(datacenterIp({ ...quietFacts(), clientIp: '::ffff:3.1.2.3' }, settings)).not.toBeNull();
    expect(datacenterIp({ ...quietFacts(), clientIp: null }, settings)).toBeNull();
    expect(datacenterIp({ ...quietFacts(), clientIp: 'unknown' }, settings)).toBeNull();
  });

  it('uses the tenant list in place of the defaults', () => {
    const own = parseFraudSettings({ thresholds: { datacenterCidrs: ['198.51.100.0/24'] } });
    expect(datacenterIp({ ...quietFacts(), clientIp: '198.51.100.7' }, own)).not.toBeNull();
    expect(datacenterIp({ ...quietFacts(), clientIp: '47.100.1.2' }, own)).toBeNull();
  });
});

describe('cookieStuffing', () => {
  const meta = (secFetchDest: string | null, secFetchUser: boolean) =>
    withClick({
      fetchMetadata: {
        secFetchSite: 'cross-site',
        secFetchMode: 'navigate',
        secFetchDest,
        secFetchUser,
      },
    });

  it.each(['iframe', 'image', 'script'])(
    'fires at full weight for a click loaded as %s',
    (dest) => {
      expect(cookieStuffing(meta(dest, false), settings)).toEqual({
        code: 'cookie_stuffing',
        weight: 45,
        detail: `the click was loaded as ${dest}`,
      });
    },
  );

  it('adds a fifth of the weight for a navigation without a user gesture', () => {
    expect(cookieStuffing(meta('document', false), settings)?.weight).toBe(9);
    expect(cookieStuffing(meta('document', true), settings)).toBeNull();
  });

  it('says nothing when the browser sent no fetch metadata', () => {
    expect(cookieStuffing(withClick({ fetchMetadata: null }), settings)).toBeNull();
  });
});

describe('weights', () => {
  it('turn a signal off at 0', () => {
    const off = parseFraudSettings({ weights: { bot_click: 0 } });
    expect(botClick(withClick({ isBot: true }), off)).toBeNull();
  });
});
