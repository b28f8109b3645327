import { describe, expect, it } from 'vitest';
import { describeHold, describeReasonForAdmin } from './messages';
import { FRAUD_REASON_CODES } from './reason-codes';
import { scoreConversion } from './score';
import { defaultFraudSettings } from './settings';
import { clickedBefore, quietFacts } from './testing/facts';

describe('describeHold', () => {
  it('says in Chinese first, then English, why the order is under review', () => {
    expect(describeHold(['click_injection'])).toBe(
      '订单正在审核中：下单距离点击的时间过短。审核通过后佣金照常结算。 / ' +
        'Under review: the order came too soon after the click. If the review clears it, the commission is paid as usual.',
    );
  });

  it('lists each reason once, in the order given', () => {
    const text = describeHold(['device_velocity', 'self_referral', 'device_velocity']);
    expect(text).toContain('同一设备在短时间内下单过多；下单人疑似推客本人。');
    expect(text).toContain(
      'too many orders came from one device in a short time; the buyer appears to be you.',
    );
    expect(text.match(/同一设备/g)).toHaveLength(1);
  });

  it('still reads well without reasons', () => {
    expect(describeHold([])).toBe(
      '订单正在审核中。审核通过后佣金照常结算。 / Under review. If the review clears it, the commission is paid as usual.',
    );
  });

  it('never reveals the score, weights or thresholds', () => {
    const facts = clickedBefore(quietFacts(), 3);
    facts.duplicateOrder = true;
    const { score, reasons } = scoreConversion(facts, defaultFraudSettings);
    const all = describeHold([...FRAUD_REASON_CODES]);
    expect(all).not.toMatch(/[0-9]/);
    expect(describeHold(reasons.map((r) => r.code))).not.toContain(String(score));
    for (const code of FRAUD_REASON_CODES) expect(all).not.toContain(code);
  });
});

describe('describeReasonForAdmin', () => {
  it('explains every code in both languages', () => {
    for (const code of FRAUD_REASON_CODES) {
      const text = describeReasonForAdmin(code);
      expect(text.zh.length).toBeGreaterThan(5);
      expect(text.en.length).toBeGreaterThan(20);
    }
  });
});
