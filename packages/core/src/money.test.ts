import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isCurrency, MAX_MINOR_UNITS, parseMinorUnits, parseMoney, toMoneyJson } from './money';

describe('parseMinorUnits', () => {
  it('round-trips every amount within bounds', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: MAX_MINOR_UNITS }), (n) => {
        expect(parseMinorUnits(n.toString())).toBe(n);
      }),
    );
  });

  it.each([
    ['-1', 'negative'],
    ['01', 'leading zero'],
    ['1.5', 'decimal point'],
    ['1e3', 'exponent'],
    [' 1', 'white space'],
    ['', 'empty'],
    ['１２', 'full-width digits'],
    ['0x10', 'hex'],
    [(MAX_MINOR_UNITS + 1n).toString(), 'above the maximum'],
  ])('refuses %j (%s)', (value) => {
    expect(parseMinorUnits(value)).toBeNull();
  });
});

describe('parseMoney', () => {
  it('keeps the currency beside the amount', () => {
    const money = parseMoney({ amount: '1999', currency: 'CNY' });
    expect(money).toEqual({ amount: 1999n, currency: 'CNY' });
    expect(money && toMoneyJson(money)).toEqual({ amount: '1999', currency: 'CNY' });
  });

  it('refuses currencies outside the table', () => {
    expect(isCurrency('XXX')).toBe(false);
    expect(isCurrency('toString')).toBe(false);
    expect(parseMoney({ amount: '1', currency: 'BTC' as 'CNY' })).toBeNull();
  });
});
