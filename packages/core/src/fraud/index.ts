/**
 * Fraud scoring: pure functions from the facts the db layer loads about a conversion to a
 * score, a decision and the reasons behind it. No I/O; runs on Node, Workers and in browsers.
 *
 * @example
 *   import { describeHold, parseFraudSettings, scoreConversion } from '@tuike/core';
 *
 *   const settings = parseFraudSettings(tenant.fraudSettings); // partial overrides, or {}
 *   const { score, decision, reasons } = scoreConversion(facts, settings);
 *   if (decision !== 'approve') notifyPromoter(describeHold(reasons.map((r) => r.code)));
 */
export {
  type Cidr,
  cidrContains,
  type IpAddress,
  type IpVersion,
  isCidr,
  matchCidr,
  parseCidr,
  parseIp,
} from './cidr';
export type {
  ClickDelayFacts,
  ClickFacts,
  ConversionRateFacts,
  CustomerIdentity,
  FetchMetadata,
  FraudFacts,
  PromoterIdentity,
  PromoterTrafficFacts,
  RateSample,
  RefundFacts,
  VelocityFacts,
} from './facts';
export { describeHold, describeReasonForAdmin, type LocalizedText } from './messages';
export {
  FRAUD_DECISIONS,
  FRAUD_REASON_CODES,
  type FraudDecision,
  type FraudReason,
  type FraudReasonCode,
} from './reason-codes';
export { decide, type FraudScore, MAX_FRAUD_SCORE, scoreConversion } from './score';
export {
  DEFAULT_DATACENTER_CIDRS,
  defaultFraudSettings,
  type FraudSettings,
  type FraudSettingsInput,
  FraudSettingsSchema,
  type FraudThresholds,
  type FraudWeights,
  parseFraudSettings,
} from './settings';
export { FRAUD_SIGNALS, type FraudSignal } from './signals';
