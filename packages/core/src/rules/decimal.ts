import Decimal from 'decimal.js';
import { type Currency, currencyExponent } from '../money';

/**
 * Exact arithmetic for the rules engine.
 *
 * Rates and shares are decimal strings with at most 8 fraction digits. decimal.js parses and
 * checks each of them once, when a rule set is compiled, and turns it into an integer count of
 * 10^-8 (`RATE_SCALE`). Every amount the engine computes is then an integer count of 10^-16
 * minor units (`EXACT_SCALE`): a basis times a rate needs 8 digits, a share of that commission
 * 8 more, so no product ever loses a digit and the hot path is plain bigint arithmetic, exact
 * and about fifty times faster than decimal.js objects. Nothing is divided before the single
 * rounding at the end.
 */
export const RATE_DIGITS = 8;
export const RATE_SCALE = 10n ** 8n;
export const EXACT_SCALE = 10n ** 16n;

/** A decimal string: digits, optionally a point and up to 8 more digits. */
export const DECIMAL_PATTERN = /^(0|[1-9][0-9]{0,6})(\.[0-9]{1,8})?$/;

/** decimal.js with room for every value the engine renders (amounts up to 10^31 units). */
export const Exact = Decimal.clone({ precision: 64, rounding: Decimal.ROUND_DOWN });

/** A checked decimal string as an integer count of 10^-8; null when it is not one. */
export function parseRate(value: string): bigint | null {
  if (!DECIMAL_PATTERN.test(value)) return null;
  const d = new Exact(value);
  if (d.decimalPlaces() > RATE_DIGITS) return null;
  return BigInt(d.times(RATE_SCALE.toString()).toFixed(0));
}

/** `0.125` → `12.5 %`. */
export function formatRate(rate: bigint): string {
  return `${new Exact(rate.toString()).div(10 ** (RATE_DIGITS - 2)).toFixed()} %`;
}

/** A share of a commission: `0.5` → `50 %`. */
export const formatShare = formatRate;

/** Minor units → `19.99 CNY`. */
export function formatMoney(amount: bigint, currency: Currency): string {
  const exponent = currencyExponent(currency);
  return `${new Exact(amount.toString()).div(10 ** exponent).toFixed(exponent)} ${currency}`;
}

/** An exact amount (10^-16 minor units) → `19.995 CNY`, with every digit it has. */
export function formatExact(exact: bigint, currency: Currency): string {
  const exponent = currencyExponent(currency);
  const major = new Exact(exact.toString()).div(new Exact(10).pow(16 + exponent));
  const digits = Math.max(exponent, major.decimalPlaces());
  return `${major.toFixed(digits)} ${currency}`;
}
