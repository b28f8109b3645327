import type { FraudFacts, PromoterTrafficFacts } from './facts';
import { clearlyAbove, EMBEDDED_DESTINATIONS, fired, percentOf, shareBounds } from './fire';
import type { FraudReason, FraudReasonCode } from './reason-codes';
import type { FraudSettings } from './settings';

/**
 * Signals on the promoter's recent traffic as a whole. A scheme leaves its trace on most of a
 * promoter's conversions, not on each one: these flag the promoter's other conversions too,
 * including those that on their own look clean.
 */
type PromoterSignal = (facts: FraudFacts, settings: FraudSettings) => FraudReason | null;

/** `part` of the promoter's window conversions is clearly above `maxPercent`. */
function pattern(
  traffic: PromoterTrafficFacts,
  part: number,
  maxPercent: number,
  settings: FraudSettings,
  code: FraudReasonCode,
  what: string,
): FraudReason | null {
  const { conversions } = traffic;
  if (part < settings.thresholds.promoterPatternMinConversions) return null;
  if (!clearlyAbove(part, conversions, maxPercent)) return null;
  const days = settings.thresholds.promoterWindowDays;
  const share = percentOf(part, conversions);
  const detail = `${part} (${share} %) of the promoter's ${conversions} conversions in ${days} days ${what} (limit ${maxPercent} %)`;
  return fired(settings, code, detail);
}

/** Bots and click floods behind many of the promoter's conversions. */
export const promoterBotTraffic: PromoterSignal = ({ promoterTraffic: t }, settings) => {
  if (!t) return null;
  const max = settings.thresholds.maxPromoterFlaggedClickSharePercent;
  const what = 'had a bot or over-rate click';
  return pattern(t, t.flaggedClicks, max, settings, 'promoter_bot_traffic', what);
};

/** Many of the promoter's customers on servers: emulators and scripts rather than phones. */
export const promoterDatacenterTraffic: PromoterSignal = ({ promoterTraffic: t }, settings) => {
  if (!t) return null;
  const max = settings.thresholds.maxPromoterDatacenterSharePercent;
  const what = 'came from datacenter IPs';
  return pattern(t, t.datacenterIps, max, settings, 'promoter_datacenter_traffic', what);
};

/** Many of the promoter's conversions within seconds of the click: injected clicks. */
export const promoterFastConversions: PromoterSignal = ({ promoterTraffic: t }, settings) => {
  if (!t) return null;
  const th = settings.thresholds;
  const what = `came under ${th.minClickToConversionSeconds} s after the click`;
  const max = th.maxPromoterFastSharePercent;
  return pattern(t, t.fastConversions, max, settings, 'promoter_fast_conversions', what);
};

/**
 * Many of the promoter's clicks were loaded inside frames or images: cookie stuffing on their
 * pages, which flags their conversions whose own click looks clean. Silent when this click is
 * embedded itself (`cookie_stuffing` weighs it), so fetch metadata alone stays below hold.
 */
export const promoterEmbeddedClicks: PromoterSignal = ({ promoterTraffic: t, click }, settings) => {
  if (!t) return null;
  const dest = click?.fetchMetadata?.secFetchDest;
  if (dest && EMBEDDED_DESTINATIONS.has(dest)) return null;
  const max = settings.thresholds.maxPromoterEmbeddedClickSharePercent;
  const what = 'had a click loaded as a frame or image';
  return pattern(t, t.embeddedClicks, max, settings, 'promoter_embedded_clicks', what);
};

/**
 * Many of the promoter's conversions matched their own identity. Only adds to the score (its
 * weight is kept below review): it makes a customer on the promoter's own network count.
 */
export const promoterSelfReferrals: PromoterSignal = ({ promoterTraffic: t }, settings) => {
  if (!t) return null;
  const max = settings.thresholds.maxPromoterSelfReferralSharePercent;
  const what = "matched the promoter's own identity";
  return pattern(t, t.selfReferrals, max, settings, 'promoter_self_referrals', what);
};

/**
 * Most of the promoter's conversions from IPs their traffic already used: a few phones, a
 * farm or a server placing the orders. Ordinary customers are spread over many networks.
 */
export const concentratedTraffic: PromoterSignal = ({ promoterTraffic: t }, settings) => {
  if (!t) return null;
  const max = settings.thresholds.maxRepeatIpSharePercent;
  const what = 'came from an IP already used by another';
  return pattern(t, t.repeatIps, max, settings, 'concentrated_traffic', what);
};

/**
 * The promoter converts clearly below the tenant's typical promoter, by a factor, over many
 * clicks: clicks sprayed from ads, background apps or hidden frames, few of them by a person.
 */
export const lowConversionRate: PromoterSignal = (facts, settings) => {
  const t = facts.promoterTraffic;
  const tenant = facts.tenantConversionRate;
  const th = settings.thresholds;
  if (!t || !tenant || tenant.clicks <= 0 || tenant.conversions <= 0) return null;
  if (t.clicks < th.lowConversionRateMinClicks) return null;

  const limit = tenant.conversions / tenant.clicks / th.lowConversionRateFactor;
  if (shareBounds(t.conversions, t.clicks).high >= limit) return null;

  const permille = (part: number, whole: number) => ((part * 1000) / whole).toFixed(1);
  const detail = `${t.conversions} conversions from ${t.clicks} clicks (${permille(t.conversions, t.clicks)} ‰) against a typical ${permille(tenant.conversions, tenant.clicks)} ‰ (factor ${th.lowConversionRateFactor})`;
  return fired(settings, 'low_conversion_rate', detail);
};
