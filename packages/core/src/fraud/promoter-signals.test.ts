import { describe, expect, it } from 'vitest';
import type { FraudFacts, PromoterTrafficFacts } from './facts';
import { clearlyAbove, shareBounds } from './fire';
import { defaultFraudSettings, FraudSettingsSchema } from './settings';
import {
  clickSpam,
  concentratedTraffic,
  ipVelocity,
  lowConversionRate,
  promoterBotTraffic,
  promoterDatacenterTraffic,
  promoterEmbeddedClicks,
  promoterFastConversions,
  promoterIpVelocity,
  promoterSelfReferrals,
} from './signals';
import { quietFacts } from './testing/facts';

const settings = defaultFraudSettings;

function traffic(patch: Partial<PromoterTrafficFacts>): FraudFacts {
  const facts = quietFacts();
  const base = facts.promoterTraffic ?? null;
  if (!base) throw new Error('quiet facts have promoter traffic');
  return { ...facts, promoterTraffic: { ...base, ...patch } };
}

describe('shareBounds', () => {
  it('gives the Wilson bounds at 99 % one-sided confidence', () => {
    // p = 0.9, z² = 5.410276: (0.9 + z²/20 ∓ z·√(0.009 + z²/400)) / (1 + z²/10)
    const { low, high } = shareBounds(9, 10);
    expect(low).toBeCloseTo(0.533, 3);
    expect(high).toBeCloseTo(0.986, 3);
    expect(shareBounds(0, 0)).toEqual({ low: 0, high: 1 });
  });

  it('tells a clear share from a chance one', () => {
    // 6 of 20 has a low bound of 12.7 %, 5 of 20 of 9.6 %.
    expect(clearlyAbove(6, 20, 10)).toBe(true);
    expect(clearlyAbove(5, 20, 10)).toBe(false);
  });
});

describe('promoter traffic patterns', () => {
  it.each([
    [promoterBotTraffic, 'flaggedClicks', 'promoter_bot_traffic', 'had a bot or over-rate click'],
    [
      promoterDatacenterTraffic,
      'datacenterIps',
      'promoter_datacenter_traffic',
      'came from datacenter IPs',
    ],
    [
      promoterFastConversions,
      'fastConversions',
      'promoter_fast_conversions',
      'came under 10 s after the click',
    ],
    [
      promoterEmbeddedClicks,
      'embeddedClicks',
      'promoter_embedded_clicks',
      'had a click loaded as a frame or image',
    ],
  ] as const)('%o fires at 6 of 20 and not at 5 of 20 (%s)', (signal, field, code, what) => {
    expect(signal(traffic({ conversions: 20, [field]: 6 }), settings)).toEqual({
      code,
      weight: 40,
      detail: `6 (30 %) of the promoter's 20 conversions in 30 days ${what} (limit 10 %)`,
    });
    expect(signal(traffic({ conversions: 20, [field]: 5 }), settings)).toBeNull();
  });

  it('waits for three matching conversions, then 3 of 3 is clear', () => {
    expect(
      promoterFastConversions(traffic({ conversions: 2, fastConversions: 2 }), settings),
    ).toBeNull();
    expect(
      promoterFastConversions(traffic({ conversions: 3, fastConversions: 3 }), settings)?.weight,
    ).toBe(40);
  });

  it('only adds for self-referrals: 25 at 6 of 20 (limit 8 %), nothing at 3 of 20', () => {
    expect(
      promoterSelfReferrals(traffic({ conversions: 20, selfReferrals: 6 }), settings)?.weight,
    ).toBe(25);
    expect(
      promoterSelfReferrals(traffic({ conversions: 20, selfReferrals: 3 }), settings),
    ).toBeNull();
  });

  it('leaves an embedded click of its own to cookie_stuffing', () => {
    const facts = traffic({ conversions: 20, embeddedClicks: 10 });
    if (facts.click?.fetchMetadata) facts.click.fetchMetadata.secFetchDest = 'iframe';
    expect(promoterEmbeddedClicks(facts, settings)).toBeNull();
  });

  it('flags traffic concentrated on a few IPs: 9 of 10 repeats, not 7 of 10', () => {
    expect(concentratedTraffic(traffic({ conversions: 10, repeatIps: 9 }), settings)?.detail).toBe(
      "9 (90 %) of the promoter's 10 conversions in 30 days came from an IP already used by another (limit 40 %)",
    );
    expect(concentratedTraffic(traffic({ conversions: 10, repeatIps: 7 }), settings)).toBeNull();
  });

  it('says nothing when the db did not count the traffic', () => {
    const facts = { ...quietFacts(), promoterTraffic: null, tenantConversionRate: null };
    for (const signal of [promoterBotTraffic, concentratedTraffic, lowConversionRate]) {
      expect(signal(facts, settings)).toBeNull();
    }
  });
});

describe('lowConversionRate', () => {
  // Tenant: 120 of 4,000 = 30 ‰; a quarter is 7.5 ‰.
  it('fires when even the high bound is under a quarter of the typical rate', () => {
    // 40 of 10,000: high bound 5.8 ‰.
    expect(lowConversionRate(traffic({ conversions: 40, clicks: 10_000 }), settings)).toEqual({
      code: 'low_conversion_rate',
      weight: 40,
      detail: '40 conversions from 10000 clicks (4.0 ‰) against a typical 30.0 ‰ (factor 4)',
    });
  });

  it('does not fire while the rate may be chance or clicks are few', () => {
    // 60 of 10,000: high bound 8.1 ‰.
    expect(lowConversionRate(traffic({ conversions: 60, clicks: 10_000 }), settings)).toBeNull();
    expect(lowConversionRate(traffic({ conversions: 0, clicks: 999 }), settings)).toBeNull();
  });
});

describe('promoterIpVelocity', () => {
  it('fires at two other devices on one foreign IP in the hour', () => {
    expect(promoterIpVelocity(traffic({ sameIpOtherDevicesLastHour: 2 }), settings)).toEqual({
      code: 'promoter_ip_velocity',
      weight: 40,
      detail:
        "2 of the promoter's conversions from the same IP on other devices in the past hour (limit 2)",
    });
    expect(promoterIpVelocity(traffic({ sameIpOtherDevicesLastHour: 1 }), settings)).toBeNull();
  });

  it("leaves the promoter's own network to self_referral_network", () => {
    const facts = traffic({ sameIpOtherDevicesLastHour: 5 });
    facts.customer.ipHash = 'ip-promoter';
    expect(promoterIpVelocity(facts, settings)).toBeNull();
    facts.velocity = { sameIpLastHour: 8, sameDeviceLastHour: 0 };
    expect(ipVelocity(facts, settings)).toBeNull();
  });
});

describe('clickSpam confidence', () => {
  const spam = (conversions: number, lateConversions: number) =>
    clickSpam({ ...quietFacts(), clickDelays: { conversions, lateConversions } }, settings);

  it('adds a quarter while the share may be chance, the full weight once it is clear', () => {
    expect(spam(20, 7)?.weight).toBe(10);
    expect(spam(100, 31)?.weight).toBe(10);
    // 15 of 20: low bound 49 %.
    expect(spam(20, 15)?.weight).toBe(40);
  });
});

describe('fetch metadata limits', () => {
  it('refuses a promoter_embedded_clicks weight that could hold on fetch metadata alone', () => {
    // 61 plus a fifth of cookie_stuffing (9) reaches 70.
    expect(
      FraudSettingsSchema.safeParse({ weights: { promoter_embedded_clicks: 61 } }).success,
    ).toBe(false);
    expect(
      FraudSettingsSchema.safeParse({ weights: { promoter_embedded_clicks: 60 } }).success,
    ).toBe(true);
  });
});
