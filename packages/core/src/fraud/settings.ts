import { z } from 'zod';
import { isCidr } from './cidr';

/**
 * Per-tenant tuning of fraud scoring. Every field has a default, so parsing a partial override
 * (or `{}`) yields complete settings; nested objects merge key by key, while a list such as
 * `datacenterCidrs` replaces the default list as a whole.
 *
 * @example
 *   parseFraudSettings({ thresholds: { maxConversionsPerIpPerHour: 8 }, weights: { amount_outlier: 0 } })
 */

/** A factor with at most two decimals, so code can apply it in hundredths with `bigint`s. */
const FactorSchema = z
  .number()
  .min(1)
  .max(1000)
  .refine((v) => Math.abs(v * 100 - Math.round(v * 100)) < 1e-6, 'must have at most two decimals');

/** A factor in hundredths: 2.5 becomes 250n. */
export function factorHundredths(factor: number): bigint {
  return BigInt(Math.round(factor * 100));
}

const PercentSchema = z.int().min(0).max(100);
const CountSchema = z.int().min(1).max(1_000_000);

const CidrSchema = z
  .string()
  .refine(isCidr, 'must be an IPv4 or IPv6 CIDR with its host bits zero, such as "203.0.113.0/24"');

/**
 * A seed list of large, long-held cloud ranges (AWS, Google Cloud, Alibaba Cloud, Tencent Cloud).
 * It is incomplete on purpose: providers publish their full lists and change them often, so a
 * tenant that relies on this signal should load the published lists into its settings.
 */
export const DEFAULT_DATACENTER_CIDRS: readonly string[] = [
  '3.0.0.0/8',
  '34.64.0.0/10',
  '35.184.0.0/13',
  '47.96.0.0/11',
  '39.96.0.0/13',
  '120.24.0.0/14',
  '119.29.0.0/16',
  '139.199.0.0/16',
  '2600:1f00::/24',
  '2600:1900::/28',
];

const ThresholdsSchema = z.strictObject({
  /** A conversion sooner than this after its click looks injected. */
  minClickToConversionSeconds: z.int().min(0).max(3600).default(10),
  /** Earlier conversions from the same hashed IP in the past hour before this one counts. */
  maxConversionsPerIpPerHour: CountSchema.default(5),
  maxConversionsPerDevicePerHour: CountSchema.default(3),
  /** Earlier conversions of the same promoter from the same IP, other devices, in the past hour. */
  maxPromoterConversionsPerIpPerHour: CountSchema.default(2),
  /** Recent conversion rate above baseline × this factor is a spike. */
  conversionRateSpikeFactor: FactorSchema.default(3),
  /** Recent clicks below which the conversion rate is too noisy to judge. */
  conversionRateMinClicks: CountSchema.default(50),
  /** Order amount above the typical amount × this factor is an outlier. */
  amountOutlierFactor: FactorSchema.default(10),
  /** A promoter refund rate above this share of their conversions. */
  maxRefundRatePercent: PercentSchema.default(30),
  refundRateMinConversions: CountSchema.default(10),
  /** How long after its click a conversion counts as late (the db counts with this). */
  lateClickHours: z.int().min(1).max(2160).default(24),
  /** A promoter whose late conversions pass this share shows a click-spam pattern. */
  maxLateClickSharePercent: PercentSchema.default(30),
  lateClickMinConversions: CountSchema.default(20),
  /** Days of the promoter's conversions the db counts for their traffic pattern. */
  promoterWindowDays: z.int().min(1).max(365).default(30),
  /** A traffic pattern needs at least this many matching conversions in the window. */
  promoterPatternMinConversions: CountSchema.default(3),
  /**
   * Shares of the promoter's recent conversions that no ordinary promoter reaches: each pattern
   * fires only when the share is clearly above its limit (at about 99 % confidence), so a few
   * chance events on a small promoter do not trip it.
   */
  maxPromoterFlaggedClickSharePercent: PercentSchema.default(10),
  maxPromoterDatacenterSharePercent: PercentSchema.default(10),
  maxPromoterFastSharePercent: PercentSchema.default(10),
  maxPromoterSelfReferralSharePercent: PercentSchema.default(8),
  maxPromoterEmbeddedClickSharePercent: PercentSchema.default(10),
  /** Conversions from an IP the promoter's traffic already used, above this share. */
  maxRepeatIpSharePercent: PercentSchema.default(40),
  /** A promoter converting clearly below the tenant's typical rate divided by this factor. */
  lowConversionRateFactor: FactorSchema.default(4),
  /** Clicks in the window below which a low conversion rate is not judged. */
  lowConversionRateMinClicks: CountSchema.default(1000),
  datacenterCidrs: z
    .array(CidrSchema)
    .max(100_000)
    .default(() => [...DEFAULT_DATACENTER_CIDRS]),
});

const WeightSchema = z.int().min(0).max(100);

/** Points each signal adds; 0 turns a signal off. */
const WeightsSchema = z.strictObject({
  self_referral: WeightSchema.default(75),
  bot_click: WeightSchema.default(60),
  duplicate_order: WeightSchema.default(45),
  click_injection: WeightSchema.default(45),
  cookie_stuffing: WeightSchema.default(45),
  device_velocity: WeightSchema.default(40),
  click_spam: WeightSchema.default(40),
  promoter_ip_velocity: WeightSchema.default(40),
  promoter_bot_traffic: WeightSchema.default(40),
  promoter_datacenter_traffic: WeightSchema.default(40),
  promoter_fast_conversions: WeightSchema.default(40),
  concentrated_traffic: WeightSchema.default(40),
  low_conversion_rate: WeightSchema.default(40),
  datacenter_ip: WeightSchema.default(35),
  ip_velocity: WeightSchema.default(30),
  suspicious_click: WeightSchema.default(25),
  conversion_rate_spike: WeightSchema.default(10),
  refund_rate: WeightSchema.default(25),
  promoter_self_referrals: WeightSchema.default(25),
  promoter_embedded_clicks: WeightSchema.default(40),
  self_referral_network: WeightSchema.default(20),
  amount_outlier: WeightSchema.default(20),
});

/** Scores from `reviewFrom` go to review, from `rejectFrom` are held; below is approved. */
const BandsSchema = z.strictObject({
  reviewFrom: z.int().min(1).max(100).default(40),
  rejectFrom: z.int().min(1).max(100).default(70),
});

export const FraudSettingsSchema = z
  .strictObject({
    thresholds: ThresholdsSchema.prefault({}),
    weights: WeightsSchema.prefault({}),
    bands: BandsSchema.prefault({}),
  })
  .superRefine((s, ctx) => {
    if (s.bands.reviewFrom > s.bands.rejectFrom) {
      ctx.addIssue({
        code: 'custom',
        path: ['bands', 'reviewFrom'],
        message: 'must not be above bands.rejectFrom',
      });
    }
    // A shared network (family, office, carrier NAT) must never decide on its own.
    if (s.weights.self_referral_network >= s.bands.reviewFrom) {
      ctx.addIssue({
        code: 'custom',
        path: ['weights', 'self_referral_network'],
        message: 'must be below bands.reviewFrom: a shared IP alone never holds a conversion',
      });
    }
    // Fetch metadata varies by browser and web view: it may send a click to review, never hold it,
    // neither on this click nor with the promoter's other clicks (a fifth of cookie_stuffing is
    // what a click without a user gesture adds next to promoter_embedded_clicks).
    const pattern = s.weights.promoter_embedded_clicks + Math.round(s.weights.cookie_stuffing / 5);
    if (pattern >= s.bands.rejectFrom) {
      ctx.addIssue({
        code: 'custom',
        path: ['weights', 'promoter_embedded_clicks'],
        message:
          'must stay, with a fifth of weights.cookie_stuffing, below bands.rejectFrom: fetch metadata alone never holds a conversion',
      });
    }
    if (s.weights.cookie_stuffing >= s.bands.rejectFrom) {
      ctx.addIssue({
        code: 'custom',
        path: ['weights', 'cookie_stuffing'],
        message: 'must be below bands.rejectFrom: fetch metadata alone never holds a conversion',
      });
    }
  });

export type FraudSettings = z.output<typeof FraudSettingsSchema>;
export type FraudSettingsInput = z.input<typeof FraudSettingsSchema>;
export type FraudThresholds = FraudSettings['thresholds'];
export type FraudWeights = FraudSettings['weights'];

export const defaultFraudSettings: FraudSettings = FraudSettingsSchema.parse({});

/**
 * Merges a tenant's partial overrides onto the defaults and validates the result; throws a
 * `ZodError` naming the field otherwise. Use `FraudSettingsSchema.safeParse` to get the error
 * as a value (for a 400 answer).
 */
export function parseFraudSettings(overrides: unknown = {}): FraudSettings {
  return FraudSettingsSchema.parse(overrides ?? {});
}
