import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FRAUD_REASON_CODES } from './reason-codes';
import { decide, scoreConversion } from './score';
import { defaultFraudSettings, parseFraudSettings } from './settings';
import { clickedBefore, quietFacts } from './testing/facts';

const settings = defaultFraudSettings;

describe('decide', () => {
  it('approves below 40, reviews 40–69 and rejects from 70', () => {
    expect([0, 39, 40, 69, 70, 100].map((s) => decide(s, settings))).toEqual([
      'approve',
      'approve',
      'review',
      'review',
      'reject',
      'reject',
    ]);
  });
});

describe('scoreConversion', () => {
  it('approves a plain conversion with no reasons', () => {
    expect(scoreConversion(quietFacts(), settings)).toEqual({
      score: 0,
      decision: 'approve',
      reasons: [],
    });
  });

  it('holds a self-referral on its own', () => {
    const facts = quietFacts();
    facts.customer.deviceId = 'dev-promoter';
    expect(scoreConversion(facts, settings)).toMatchObject({ score: 75, decision: 'reject' });
  });

  it('approves a customer who only shares the promoter network', () => {
    const facts = quietFacts();
    facts.customer.ipHash = 'ip-promoter';
    expect(scoreConversion(facts, settings)).toMatchObject({ score: 20, decision: 'approve' });
  });

  it('sends cookie stuffing alone to review, never to reject', () => {
    const facts = quietFacts();
    if (facts.click?.fetchMetadata) facts.click.fetchMetadata.secFetchDest = 'iframe';
    expect(scoreConversion(facts, settings)).toMatchObject({ score: 45, decision: 'review' });
  });

  it('adds weights, caps at 100 and sorts heaviest first, ties in code order', () => {
    const facts = clickedBefore(quietFacts(), 2);
    facts.duplicateOrder = true;
    facts.velocity = { sameIpLastHour: 9, sameDeviceLastHour: 0 };
    facts.clientIp = '3.3.3.3';
    if (facts.click) facts.click.isBot = true;

    const result = scoreConversion(facts, settings);
    expect(result.score).toBe(100);
    expect(result.decision).toBe('reject');
    expect(result.reasons.map((r) => [r.code, r.weight])).toEqual([
      ['bot_click', 60],
      ['duplicate_order', 45],
      ['click_injection', 45],
      ['datacenter_ip', 35],
      ['ip_velocity', 30],
    ]);
  });

  it('follows the tenant bands and weights', () => {
    const facts = quietFacts();
    facts.amount = { amount: 200_000n, currency: 'CNY' };
    const strict = parseFraudSettings({
      weights: { amount_outlier: 30 },
      bands: { reviewFrom: 30, rejectFrom: 90 },
    });
    expect(scoreConversion(facts, strict)).toMatchObject({ score: 30, decision: 'review' });
    expect(scoreConversion(facts, settings)).toMatchObject({ score: 20, decision: 'approve' });
  });

  it('is deterministic and keeps the score the capped sum of its reasons', () => {
    const arb = fc.record({
      seconds: fc.integer({ min: -60, max: 100_000 }),
      isBot: fc.boolean(),
      isSuspicious: fc.boolean(),
      duplicate: fc.boolean(),
      ip: fc.nat({ max: 12 }),
      device: fc.nat({ max: 12 }),
      sameDevice: fc.boolean(),
      sameIp: fc.boolean(),
      amount: fc.bigInt({ min: 0n, max: 10n ** 9n }),
    });
    fc.assert(
      fc.property(arb, (a) => {
        const facts = clickedBefore(quietFacts(), a.seconds);
        if (facts.click)
          Object.assign(facts.click, { isBot: a.isBot, isSuspicious: a.isSuspicious });
        facts.duplicateOrder = a.duplicate;
        facts.velocity = { sameIpLastHour: a.ip, sameDeviceLastHour: a.device };
        if (a.sameDevice) facts.customer.deviceId = 'dev-promoter';
        if (a.sameIp) facts.customer.ipHash = 'ip-promoter';
        facts.amount = { amount: a.amount, currency: 'CNY' };

        const first = scoreConversion(facts, settings);
        expect(scoreConversion(facts, settings)).toEqual(first);
        const sum = first.reasons.reduce((s, r) => s + r.weight, 0);
        expect(first.score).toBe(Math.min(sum, 100));
        expect(Number.isInteger(first.score)).toBe(true);
        expect(first.decision).toBe(decide(first.score, settings));
        for (let i = 1; i < first.reasons.length; i++) {
          const [prev, next] = [first.reasons[i - 1], first.reasons[i]];
          if (!prev || !next) continue;
          const rank = (c: string) =>
            FRAUD_REASON_CODES.indexOf(c as (typeof FRAUD_REASON_CODES)[number]);
          expect(
            prev.weight > next.weight ||
              (prev.weight === next.weight && rank(prev.code) < rank(next.code)),
          ).toBe(true);
        }
      }),
    );
  });
});
