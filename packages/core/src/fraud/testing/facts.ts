import type { FraudFacts } from '../facts';

export const CONVERTED_AT = new Date('2025-03-01T12:00:00Z');

/** Facts of a plain conversion that fires no signal under the default settings. */
export function quietFacts(): FraudFacts {
  return {
    convertedAt: CONVERTED_AT,
    customer: {
      customerRef: 'cus:+8613800000001',
      deviceId: 'dev-customer',
      ipHash: 'ip-customer',
      userAgent: 'Mozilla/5.0 (iPhone) MicroMessenger/8.0.49',
    },
    clientIp: '112.65.10.20',
    promoter: {
      customerRefs: ['cus:+8613900000009'],
      deviceIds: ['dev-promoter'],
      ipHashes: ['ip-promoter'],
      userAgents: ['Mozilla/5.0 (Linux; Android 14) MicroMessenger/8.0.47'],
    },
    click: {
      clickedAt: new Date(CONVERTED_AT.getTime() - 15 * 60_000),
      isBot: false,
      isSuspicious: false,
      fetchMetadata: {
        secFetchSite: 'cross-site',
        secFetchMode: 'navigate',
        secFetchDest: 'document',
        secFetchUser: true,
      },
    },
    velocity: { sameIpLastHour: 0, sameDeviceLastHour: 0 },
    conversionRate: {
      recent: { clicks: 200, conversions: 6 },
      baseline: { clicks: 5000, conversions: 150 },
    },
    clickDelays: { conversions: 100, lateConversions: 10 },
    duplicateOrder: false,
    amount: { amount: 12_900n, currency: 'CNY' },
    typicalAmount: { amount: 9_900n, currency: 'CNY' },
    refunds: { conversions: 100, refunded: 5 },
    promoterTraffic: {
      conversions: 100,
      flaggedClicks: 1,
      datacenterIps: 1,
      fastConversions: 0,
      embeddedClicks: 0,
      selfReferrals: 1,
      repeatIps: 10,
      clicks: 3000,
      sameIpOtherDevicesLastHour: 0,
    },
    tenantConversionRate: { clicks: 4000, conversions: 120 },
  };
}

/** `quietFacts()` with the click moved to `seconds` before the conversion. */
export function clickedBefore(facts: FraudFacts, seconds: number): FraudFacts {
  if (!facts.click) return facts;
  const clickedAt = new Date(facts.convertedAt.getTime() - seconds * 1000);
  return { ...facts, click: { ...facts.click, clickedAt } };
}
