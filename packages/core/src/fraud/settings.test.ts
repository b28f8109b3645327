import { describe, expect, it } from 'vitest';
import { FRAUD_REASON_CODES } from './reason-codes';
import { defaultFraudSettings, FraudSettingsSchema, parseFraudSettings } from './settings';

describe('defaultFraudSettings', () => {
  it('follows MONEY.md: 10 s, 30 % late after 24 h, bands at 40 and 70', () => {
    const { thresholds, bands } = defaultFraudSettings;
    expect(thresholds.minClickToConversionSeconds).toBe(10);
    expect(thresholds.lateClickHours).toBe(24);
    expect(thresholds.maxLateClickSharePercent).toBe(30);
    expect(bands).toEqual({ reviewFrom: 40, rejectFrom: 70 });
  });

  it('has a weight for every reason code and no other', () => {
    expect(Object.keys(defaultFraudSettings.weights).sort()).toEqual(
      [...FRAUD_REASON_CODES].sort(),
    );
  });

  it('keeps a shared IP and fetch metadata from deciding alone', () => {
    const { weights, bands } = defaultFraudSettings;
    expect(weights.self_referral_network).toBeLessThan(bands.reviewFrom);
    expect(weights.cookie_stuffing).toBeLessThan(bands.rejectFrom);
  });
});

describe('parseFraudSettings', () => {
  it('merges partial overrides key by key onto the defaults', () => {
    const settings = parseFraudSettings({
      thresholds: { maxConversionsPerIpPerHour: 8 },
      weights: { amount_outlier: 0 },
    });
    expect(settings.thresholds.maxConversionsPerIpPerHour).toBe(8);
    expect(settings.thresholds.minClickToConversionSeconds).toBe(10);
    expect(settings.weights.amount_outlier).toBe(0);
    expect(settings.weights.self_referral).toBe(75);
    expect(settings.bands).toEqual(defaultFraudSettings.bands);
  });

  it('gives the defaults for nothing', () => {
    expect(parseFraudSettings()).toEqual(defaultFraudSettings);
    expect(parseFraudSettings(null)).toEqual(defaultFraudSettings);
  });

  it('replaces the datacenter list as a whole and gives each parse its own copy', () => {
    const own = parseFraudSettings({ thresholds: { datacenterCidrs: ['2001:db8::/32'] } });
    expect(own.thresholds.datacenterCidrs).toEqual(['2001:db8::/32']);
    expect(parseFraudSettings().thresholds.datacenterCidrs).not.toBe(
      parseFraudSettings().thresholds.datacenterCidrs,
    );
  });

  it.each([
    [{ thresholds: { datacenterCidrs: ['10.0.0.1/8'] } }, 'thresholds.datacenterCidrs.0'],
    [{ thresholds: { datacenterCidrs: ['10.0.0.0'] } }, 'thresholds.datacenterCidrs.0'],
    [{ thresholds: { amountOutlierFactor: 2.345 } }, 'thresholds.amountOutlierFactor'],
    [{ thresholds: { amountOutlierFactor: 0.5 } }, 'thresholds.amountOutlierFactor'],
    [{ thresholds: { maxRefundRatePercent: 101 } }, 'thresholds.maxRefundRatePercent'],
    [{ thresholds: { maxConversionsPerIpPerHour: 2.5 } }, 'thresholds.maxConversionsPerIpPerHour'],
    [{ thresholds: { unknownThreshold: 1 } }, 'thresholds'],
    [{ weights: { bot_click: 101 } }, 'weights.bot_click'],
    [{ weights: { made_up: 10 } }, 'weights'],
    [{ weights: { self_referral_network: 40 } }, 'weights.self_referral_network'],
    [{ weights: { cookie_stuffing: 70 } }, 'weights.cookie_stuffing'],
    [{ bands: { reviewFrom: 80, rejectFrom: 70 } }, 'bands.reviewFrom'],
    [{ extra: true }, ''],
  ])('refuses %j, naming %s', (input, path) => {
    const result = FraudSettingsSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toContain(path);
    expect(() => parseFraudSettings(input)).toThrow();
  });

  it('accepts a factor with two decimals', () => {
    expect(
      parseFraudSettings({ thresholds: { amountOutlierFactor: 2.35 } }).thresholds
        .amountOutlierFactor,
    ).toBe(2.35);
  });
});
