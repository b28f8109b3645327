import type { FraudReason, FraudReasonCode } from './reason-codes';
import type { FraudSettings } from './settings';

/** A reason at `share` of the signal's weight; null when the tenant turned the signal off. */
export function fired(
  settings: FraudSettings,
  code: FraudReasonCode,
  detail: string,
  share = 1,
): FraudReason | null {
  const weight = Math.round(settings.weights[code] * share);
  return weight > 0 ? { code, weight, detail } : null;
}

// Where a click on a tracking link should never land: it is a top-level navigation.
export const EMBEDDED_DESTINATIONS: ReadonlySet<string> = new Set([
  'iframe',
  'frame',
  'image',
  'embed',
  'object',
  'script',
]);

export function percentOf(part: number, whole: number): number {
  return whole > 0 ? Math.round((part * 100) / whole) : 0;
}

// One-sided 99 %: a pattern on a few dozen conversions must not be chance.
const Z = 2.326;

/**
 * Wilson score bounds of the share `part / whole` at about 99 % one-sided confidence: the
 * range the promoter's true share lies in, given how few conversions are behind it.
 *
 * @example
 *   shareBounds(9, 10) // => { low: 0.56…, high: 0.98… }
 */
export function shareBounds(part: number, whole: number): { low: number; high: number } {
  if (whole <= 0) return { low: 0, high: 1 };
  const p = part / whole;
  const z2 = Z * Z;
  const centre = p + z2 / (2 * whole);
  const spread = Z * Math.sqrt((p * (1 - p)) / whole + z2 / (4 * whole * whole));
  const scale = 1 + z2 / whole;
  return {
    low: Math.max(0, (centre - spread) / scale),
    high: Math.min(1, (centre + spread) / scale),
  };
}

/** Whether `part / whole` is above `percent` even at the low end of its bounds. */
export function clearlyAbove(part: number, whole: number, percent: number): boolean {
  return shareBounds(part, whole).low * 100 > percent;
}
