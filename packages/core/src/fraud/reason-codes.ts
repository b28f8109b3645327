/**
 * Why a conversion was scored as it was. A closed list: the admin console, the promoter texts
 * and stored conversions all key on these codes, so a new signal adds a code here first.
 * The order is the tie-break when two reasons weigh the same.
 */
export const FRAUD_REASON_CODES = [
  'self_referral',
  'bot_click',
  'duplicate_order',
  'click_injection',
  'cookie_stuffing',
  'device_velocity',
  'click_spam',
  'promoter_ip_velocity',
  'promoter_bot_traffic',
  'promoter_datacenter_traffic',
  'promoter_fast_conversions',
  'concentrated_traffic',
  'low_conversion_rate',
  'datacenter_ip',
  'ip_velocity',
  'suspicious_click',
  'conversion_rate_spike',
  'refund_rate',
  'promoter_self_referrals',
  'promoter_embedded_clicks',
  'self_referral_network',
  'amount_outlier',
] as const;

export type FraudReasonCode = (typeof FRAUD_REASON_CODES)[number];

/** One signal that fired: what it adds to the score, and a short English note for admins. */
export interface FraudReason {
  code: FraudReasonCode;
  /** Points added to the score, 0–100. */
  weight: number;
  /** Says what was seen, with thresholds; never an IP, device id or customer identity. */
  detail: string;
}

export const FRAUD_DECISIONS = ['approve', 'review', 'reject'] as const;

/** `reject` holds the conversion out of payouts; nothing is dropped, an admin can release it. */
export type FraudDecision = (typeof FRAUD_DECISIONS)[number];
