/**
 * Money is an integer count of a currency's minor unit, carried as `bigint` in code and as a
 * decimal string in JSON, with its currency beside it. Never a JavaScript number.
 *
 * @example
 *   parseMoney({ amount: '1999', currency: 'CNY' }) // => { amount: 1999n, currency: 'CNY' }
 */
export const CURRENCIES = {
  CNY: { exponent: 2 },
  HKD: { exponent: 2 },
  TWD: { exponent: 2 },
  USD: { exponent: 2 },
  EUR: { exponent: 2 },
  GBP: { exponent: 2 },
  SGD: { exponent: 2 },
  AUD: { exponent: 2 },
  CAD: { exponent: 2 },
  JPY: { exponent: 0 },
  KRW: { exponent: 0 },
} as const;

export type Currency = keyof typeof CURRENCIES;
export const CURRENCY_CODES = Object.keys(CURRENCIES) as [Currency, ...Currency[]];

export interface Money {
  amount: bigint;
  currency: Currency;
}

export interface MoneyJson {
  amount: string;
  currency: Currency;
}

/** Largest amount we accept anywhere: fits a Postgres bigint with room for sums. */
export const MAX_MINOR_UNITS = 10n ** 15n;

/** Minor-unit strings: no sign, no leading zeros, no decimals, no exponent. */
export const MINOR_UNITS_PATTERN = /^(0|[1-9][0-9]{0,15})$/;

export function isCurrency(code: string): code is Currency {
  return Object.hasOwn(CURRENCIES, code);
}

export function currencyExponent(currency: Currency): number {
  return CURRENCIES[currency].exponent;
}

/** Parses a non-negative minor-unit string; returns null when it is not one. */
export function parseMinorUnits(value: string): bigint | null {
  if (!MINOR_UNITS_PATTERN.test(value)) return null;
  const amount = BigInt(value);
  return amount <= MAX_MINOR_UNITS ? amount : null;
}

export function parseMoney(json: MoneyJson): Money | null {
  const amount = parseMinorUnits(json.amount);
  if (amount === null || !isCurrency(json.currency)) return null;
  return { amount, currency: json.currency };
}

export function toMoneyJson(money: Money): MoneyJson {
  return { amount: money.amount.toString(), currency: money.currency };
}

export function money(amount: bigint, currency: Currency): Money {
  return { amount, currency };
}
