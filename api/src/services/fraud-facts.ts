import type { Currency, FraudFacts } from '@tuike/core';
import type { CustomerFacts, PromoterFacts, StoredClick } from '@tuike/db';
import type { ConversionInput } from './conversions';

/** Fewer of the promoter's conversions than this make no typical amount. */
const MIN_AMOUNT_SAMPLES = 5;

export interface FraudFactsSources {
  input: ConversionInput;
  at: Date;
  customerRef: string | null;
  ipHash: string | null;
  customer: CustomerFacts;
  promoter: PromoterFacts;
  /** The click attribution used, if any. */
  usedClick: StoredClick | null;
  /** The tenant's typical promoter's clicks and conversions (cached), or null. */
  tenantRate: { clicks: number; conversions: number } | null;
}

/**
 * Turns what the db loaded into the facts core scores. The raw client IP is passed through
 * for the datacenter check only; it is never stored.
 */
export function fraudFactsOf(s: FraudFactsSources): FraudFacts {
  const currency = s.input.currency as Currency;
  const { promoter, customer } = s;
  return {
    convertedAt: s.at,
    customer: {
      customerRef: s.customerRef,
      deviceId: s.input.deviceId ?? null,
      ipHash: s.ipHash,
      userAgent: s.input.userAgent ?? null,
    },
    clientIp: s.input.clientIp ?? null,
    promoter: {
      customerRefs: promoter.identityRefs,
      deviceIds: [],
      ipHashes: [],
      userAgents: [],
    },
    click: s.usedClick
      ? {
          clickedAt: s.usedClick.clickedAt,
          isBot: s.usedClick.isBot,
          isSuspicious: s.usedClick.isSuspicious,
          fetchMetadata: null,
        }
      : null,
    velocity: {
      sameIpLastHour: customer.sameIpLastHour,
      sameDeviceLastHour: customer.sameDeviceLastHour,
    },
    conversionRate: {
      recent: promoter.recent,
      baseline: promoter.baseline.clicks > 0 ? promoter.baseline : null,
    },
    clickDelays: {
      conversions: promoter.delays.conversions,
      lateConversions: promoter.delays.late,
    },
    duplicateOrder: customer.sameCustomerAmountLastHour > 0,
    amount: { amount: s.input.amount, currency },
    typicalAmount:
      promoter.typicalAmount && promoter.typicalAmount.samples >= MIN_AMOUNT_SAMPLES
        ? { amount: promoter.typicalAmount.median, currency }
        : null,
    refunds: promoter.refunds,
    promoterTraffic: promoter.traffic,
    tenantConversionRate: s.tenantRate,
  };
}
