import { matchCidr } from './cidr';
import type { FraudFacts } from './facts';
import { clearlyAbove, EMBEDDED_DESTINATIONS, fired, percentOf } from './fire';
import {
  concentratedTraffic,
  lowConversionRate,
  promoterBotTraffic,
  promoterDatacenterTraffic,
  promoterEmbeddedClicks,
  promoterFastConversions,
  promoterSelfReferrals,
} from './promoter-signals';
import type { FraudReason } from './reason-codes';
import { type FraudSettings, factorHundredths } from './settings';

export {
  concentratedTraffic,
  lowConversionRate,
  promoterBotTraffic,
  promoterDatacenterTraffic,
  promoterEmbeddedClicks,
  promoterFastConversions,
  promoterSelfReferrals,
} from './promoter-signals';
export type { FraudReason, FraudReasonCode } from './reason-codes';

/** One signal: the reason it fired, or null. Pure; reads only its arguments. */
export type FraudSignal = (facts: FraudFacts, settings: FraudSettings) => FraudReason | null;

function seen(list: readonly string[], value: string | null): boolean {
  return value !== null && value !== '' && list.includes(value);
}

/** Same customer identity, device, or IP together with user agent as the promoter. */
export const selfReferral: FraudSignal = ({ customer, promoter }, settings) => {
  const matched: string[] = [];
  if (seen(promoter.customerRefs, customer.customerRef)) matched.push('customer identity');
  if (seen(promoter.deviceIds, customer.deviceId)) matched.push('device');
  if (seen(promoter.ipHashes, customer.ipHash) && seen(promoter.userAgents, customer.userAgent)) {
    matched.push('IP and user agent');
  }
  if (matched.length === 0) return null;
  return fired(settings, 'self_referral', `same ${matched.join(', ')} as the promoter`);
};

/**
 * Same IP as the promoter but another user agent: families, offices and carrier NAT share
 * addresses, so this only adds to the score (settings keep it below the review band).
 */
export const selfReferralNetwork: FraudSignal = ({ customer, promoter }, settings) => {
  if (!seen(promoter.ipHashes, customer.ipHash)) return null;
  if (seen(promoter.userAgents, customer.userAgent)) return null;
  return fired(settings, 'self_referral_network', 'same IP as the promoter, other user agent');
};

export const botClick: FraudSignal = ({ click }, settings) => {
  if (!click?.isBot) return null;
  return fired(settings, 'bot_click', 'the attributed click came from a bot user agent');
};

export const suspiciousClick: FraudSignal = ({ click }, settings) => {
  if (!click?.isSuspicious) return null;
  return fired(settings, 'suspicious_click', 'the attributed click passed the per-IP click rate');
};

/** Too soon after the click, or before it: the click was fired to claim a sale. */
export const clickInjection: FraudSignal = ({ click, convertedAt }, settings) => {
  if (!click) return null;
  const min = settings.thresholds.minClickToConversionSeconds;
  const seconds = Math.floor((convertedAt.getTime() - click.clickedAt.getTime()) / 1000);
  if (seconds >= min) return null;
  const detail =
    seconds < 0
      ? `the click came ${-seconds} s after the conversion`
      : `converted ${seconds} s after the click (under ${min} s)`;
  return fired(settings, 'click_injection', detail);
};

// Part of the weight for a late share above the limit that a few dozen ordinary conversions reach
// by chance: a promoter whose true share is 20 % shows over 30 % in one window of 25 in eight.
const UNCERTAIN_LATE_SHARE = 0.25;

/**
 * Many of the promoter's conversions come long after their click: clicks sprayed to catch
 * sales. Full weight once the share is clearly above the limit, a quarter while it may be chance.
 */
export const clickSpam: FraudSignal = ({ clickDelays }, settings) => {
  const t = settings.thresholds;
  const { conversions, lateConversions } = clickDelays;
  if (conversions < t.lateClickMinConversions) return null;
  if (lateConversions * 100 <= t.maxLateClickSharePercent * conversions) return null;
  const share = percentOf(lateConversions, conversions);
  const detail = `${share} % of the promoter's last ${conversions} conversions came over ${t.lateClickHours} h after the click (above ${t.maxLateClickSharePercent} %)`;
  const clear = clearlyAbove(lateConversions, conversions, t.maxLateClickSharePercent);
  return fired(settings, 'click_spam', detail, clear ? 1 : UNCERTAIN_LATE_SHARE);
};

/**
 * Many conversions from one IP within the hour. Not on a network the promoter is seen on: that
 * is their office or household answering their post (a group buy), which `self_referral_network`
 * already weighs; counting that IP twice would let an IP alone hold a conversion.
 */
export const ipVelocity: FraudSignal = ({ customer, velocity, promoter }, settings) => {
  const max = settings.thresholds.maxConversionsPerIpPerHour;
  if (customer.ipHash === null || velocity.sameIpLastHour < max) return null;
  if (seen(promoter.ipHashes, customer.ipHash)) return null;
  const detail = `${velocity.sameIpLastHour} conversions from the same IP in the past hour (limit ${max})`;
  return fired(settings, 'ip_velocity', detail);
};

/**
 * Several devices ordering through one promoter from one foreign IP within the hour: a phone
 * farm or a script working the promoter's link. One customer's repeat orders come from one
 * device and do not count; on the promoter's own networks it is left to `self_referral_network`.
 */
export const promoterIpVelocity: FraudSignal = (
  { customer, promoter, promoterTraffic },
  settings,
) => {
  const max = settings.thresholds.maxPromoterConversionsPerIpPerHour;
  const count = promoterTraffic?.sameIpOtherDevicesLastHour ?? 0;
  if (customer.ipHash === null || count < max) return null;
  if (seen(promoter.ipHashes, customer.ipHash)) return null;
  const detail = `${count} of the promoter's conversions from the same IP on other devices in the past hour (limit ${max})`;
  return fired(settings, 'promoter_ip_velocity', detail);
};

export const deviceVelocity: FraudSignal = ({ customer, velocity }, settings) => {
  const max = settings.thresholds.maxConversionsPerDevicePerHour;
  if (customer.deviceId === null || velocity.sameDeviceLastHour < max) return null;
  const detail = `${velocity.sameDeviceLastHour} conversions from the same device in the past hour (limit ${max})`;
  return fired(settings, 'device_velocity', detail);
};

/** The promoter's recent conversion rate against their baseline, compared in exact integers. */
export const conversionRateSpike: FraudSignal = ({ conversionRate }, settings) => {
  const t = settings.thresholds;
  const { recent, baseline } = conversionRate;
  if (!baseline || recent.clicks < t.conversionRateMinClicks) return null;
  if (baseline.clicks < t.conversionRateMinClicks) return null;

  // recent / recentClicks > factor × baseline / baselineClicks, with a zero baseline read as one.
  const lhs = BigInt(recent.conversions) * BigInt(baseline.clicks) * 100n;
  const rhs =
    factorHundredths(t.conversionRateSpikeFactor) *
    BigInt(Math.max(baseline.conversions, 1)) *
    BigInt(recent.clicks);
  if (lhs <= rhs) return null;

  const now = percentOf(recent.conversions, recent.clicks);
  const usual = percentOf(baseline.conversions, baseline.clicks);
  const detail = `recent conversion rate ${now} % against a baseline of ${usual} % (factor ${t.conversionRateSpikeFactor})`;
  return fired(settings, 'conversion_rate_spike', detail);
};

export const duplicateOrder: FraudSignal = ({ duplicateOrder: duplicate }, settings) => {
  if (!duplicate) return null;
  return fired(settings, 'duplicate_order', 'the merchant sent this order before');
};

/** Far above the typical order, compared in minor units: factor × typical, in hundredths. */
export const amountOutlier: FraudSignal = ({ amount, typicalAmount }, settings) => {
  if (!typicalAmount || typicalAmount.currency !== amount.currency) return null;
  if (typicalAmount.amount <= 0n) return null;
  const factor = settings.thresholds.amountOutlierFactor;
  if (amount.amount * 100n <= typicalAmount.amount * factorHundredths(factor)) return null;
  const detail = `order amount above ${factor} × the typical amount of ${typicalAmount.amount} ${typicalAmount.currency} minor units`;
  return fired(settings, 'amount_outlier', detail);
};

export const refundRate: FraudSignal = ({ refunds }, settings) => {
  const t = settings.thresholds;
  if (refunds.conversions < t.refundRateMinConversions) return null;
  if (refunds.refunded * 100 <= t.maxRefundRatePercent * refunds.conversions) return null;
  const share = percentOf(refunds.refunded, refunds.conversions);
  const detail = `the promoter's refund rate is ${share} % of ${refunds.conversions} conversions (above ${t.maxRefundRatePercent} %)`;
  return fired(settings, 'refund_rate', detail);
};

export const datacenterIp: FraudSignal = ({ clientIp }, settings) => {
  if (clientIp === null) return null;
  const range = matchCidr(clientIp, settings.thresholds.datacenterCidrs);
  if (range === null) return null;
  return fired(settings, 'datacenter_ip', `the customer's IP is in the datacenter range ${range}`);
};

const NO_GESTURE_SHARE = 0.2;

/**
 * Fetch metadata of the click: loaded as an embedded resource (full weight), or a navigation
 * without a user gesture (a fifth: in-app browsers, QR scans and app hand-offs also omit
 * `Sec-Fetch-User`, so on its own it says little).
 */
export const cookieStuffing: FraudSignal = ({ click }, settings) => {
  const meta = click?.fetchMetadata;
  if (!meta) return null;
  if (meta.secFetchDest !== null && EMBEDDED_DESTINATIONS.has(meta.secFetchDest)) {
    return fired(settings, 'cookie_stuffing', `the click was loaded as ${meta.secFetchDest}`);
  }
  if (meta.secFetchUser) return null;
  return fired(settings, 'cookie_stuffing', 'the click followed no user gesture', NO_GESTURE_SHARE);
};

/** Every signal, in no particular order: scoring sorts the reasons. */
export const FRAUD_SIGNALS: readonly FraudSignal[] = [
  selfReferral,
  selfReferralNetwork,
  botClick,
  suspiciousClick,
  clickInjection,
  clickSpam,
  ipVelocity,
  promoterIpVelocity,
  deviceVelocity,
  conversionRateSpike,
  duplicateOrder,
  amountOutlier,
  refundRate,
  datacenterIp,
  cookieStuffing,
  promoterBotTraffic,
  promoterDatacenterTraffic,
  promoterFastConversions,
  promoterEmbeddedClicks,
  promoterSelfReferrals,
  concentratedTraffic,
  lowConversionRate,
];
