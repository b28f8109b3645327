import type { Money } from '../money';

/**
 * What the db layer loads about one conversion for fraud scoring. Plain data: counts rather
 * than rows, so scoring stays pure and the same facts can be scored again later (for example
 * when an admin changes the tenant's settings, or before the lock period ends).
 *
 * Absent knowledge is `null` (or an empty list) and never fires a signal.
 */
export interface FraudFacts {
  convertedAt: Date;
  customer: CustomerIdentity;
  /**
   * The customer's IP as received (from the merchant's postback or the visit), raw, for the
   * datacenter check. Held in memory for scoring only; never stored or logged.
   */
  clientIp: string | null;
  promoter: PromoterIdentity;
  /** The click the conversion is attributed to; null for customer bindings and coupon codes. */
  click: ClickFacts | null;
  velocity: VelocityFacts;
  conversionRate: ConversionRateFacts;
  /** The promoter's recent conversions and how many came late after their click. */
  clickDelays: ClickDelayFacts;
  /** The merchant sent this order already (same order under another id, or an exact repeat). */
  duplicateOrder: boolean;
  amount: Money;
  /** The promoter's typical (median) order amount, or the tenant's with too little history. */
  typicalAmount: Money | null;
  refunds: RefundFacts;
  /**
   * The promoter's recent conversions taken together: what their traffic looks like as a whole.
   * Optional while the db layer does not count it yet; absent reads as unknown.
   */
  promoterTraffic?: PromoterTrafficFacts | null;
  /**
   * The tenant's typical promoter: clicks and conversions of the promoter with the median
   * conversion rate over the past 60 days, among those with at least `conversionRateMinClicks`
   * clicks; null (or absent) when no promoter has that many.
   */
  tenantConversionRate?: RateSample | null;
}

export interface CustomerIdentity {
  /** The tenant's customer key, normalised (E.164 phone, lower-case email, WeChat unionid). */
  customerRef: string | null;
  /** First-party visitor id of the browser or mini-program. */
  deviceId: string | null;
  /** Keyed hash of the IP; for IPv6 best taken over the /64, as one household holds a /64. */
  ipHash: string | null;
  userAgent: string | null;
}

/** What the promoter has been seen with: their own logins, visits and clicks. */
export interface PromoterIdentity {
  customerRefs: readonly string[];
  deviceIds: readonly string[];
  ipHashes: readonly string[];
  userAgents: readonly string[];
}

export interface ClickFacts {
  clickedAt: Date;
  /** The click writer's verdict on the user agent (crawler, preview fetcher, headless tool). */
  isBot: boolean;
  /** The click writer's rate verdict: too many clicks from one IP on one link. */
  isSuspicious: boolean;
  /** Fetch metadata request headers of the click; null when the browser sent none. */
  fetchMetadata: FetchMetadata | null;
}

/** Lower-case header values; null when that header was absent. */
export interface FetchMetadata {
  secFetchSite: string | null;
  secFetchMode: string | null;
  secFetchDest: string | null;
  /** True when `Sec-Fetch-User: ?1` was sent: the navigation followed a user gesture. */
  secFetchUser: boolean;
}

/** Conversions of the tenant in the hour before this one, not counting it. */
export interface VelocityFacts {
  sameIpLastHour: number;
  sameDeviceLastHour: number;
}

export interface RateSample {
  clicks: number;
  conversions: number;
}

export interface ConversionRateFacts {
  /** The promoter's last 24 hours. */
  recent: RateSample;
  /** The promoter's own longer history, or the tenant's when theirs is too thin; null if none. */
  baseline: RateSample | null;
}

export interface ClickDelayFacts {
  /** The promoter's conversions with a click over the recent window (30 days). */
  conversions: number;
  /** Those among them that came more than `lateClickHours` after their click. */
  lateConversions: number;
}

export interface RefundFacts {
  /** The promoter's conversions old enough to have been refunded. */
  conversions: number;
  refunded: number;
}

/**
 * Counts over the promoter's attributed conversions in the recent window (`promoterWindowDays`,
 * 30 days), not counting this one. Each is a plain `count(*) filter (where …)` over conversions
 * joined to their click; the per-conversion verdicts (datacenter, self-referral) are the ones
 * stored when each conversion was scored, since raw IPs are never stored.
 */
export interface PromoterTrafficFacts {
  /** The promoter's conversions in the window. */
  conversions: number;
  /** Those whose click the click writer marked as a bot or over the per-IP click rate. */
  flaggedClicks: number;
  /** Those whose customer IP was in a datacenter range when they were scored. */
  datacenterIps: number;
  /** Those converted under `minClickToConversionSeconds` after their click, or before it. */
  fastConversions: number;
  /** Those whose click was loaded as an embedded resource (`Sec-Fetch-Dest` iframe, image…). */
  embeddedClicks: number;
  /** Those that matched the promoter's identity (`self_referral`) when they were scored. */
  selfReferrals: number;
  /**
   * Those with an IP hash, less the number of distinct IP hashes among them: how many came
   * from an IP the promoter's traffic had already used (`count(ip_hash) - count(distinct ip_hash)`).
   */
  repeatIps: number;
  /** The promoter's clicks in the window, for their conversion rate over it. */
  clicks: number;
  /**
   * The promoter's conversions in the hour before this one from the same IP hash and a known
   * device id other than this one's: other people, or other phones, on one network.
   */
  sameIpOtherDevicesLastHour: number;
}
