import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocate, roundScaled } from './allocate';

describe('roundScaled', () => {
  it.each([
    [25n, 10n, 'down', 2n],
    [25n, 10n, 'half_up', 3n],
    [25n, 10n, 'half_even', 2n],
    [35n, 10n, 'half_even', 4n],
    [34n, 10n, 'half_up', 3n],
    [36n, 10n, 'half_even', 4n],
    [0n, 10n, 'half_up', 0n],
  ] as const)('%s / %s by %s is %s', (value, scale, mode, expected) => {
    expect(roundScaled(value, scale, mode)).toBe(expected);
  });
});

describe('allocate (largest remainder)', () => {
  it('hands leftover units to the largest remainders, ties by key', () => {
    expect(allocate(10n, [10n, 10n, 10n], 3n, ['b', 'a', 'c'])).toEqual([3n, 4n, 3n]);
    expect(allocate(100n, [500n, 300n, 200n], 10n, ['x', 'y', 'z'])).toEqual([50n, 30n, 20n]);
  });

  it('refuses a total the shares cannot reach', () => {
    expect(() => allocate(5n, [1n, 1n], 1n, ['a', 'b'])).toThrow(RangeError);
  });

  const seed = Number(process.env.FC_SEED ?? Math.floor(Math.random() * 2 ** 31));
  it(`sums exactly, stays within one unit, ignores input order (seed ${seed})`, () => {
    fc.assert(
      fc.property(
        fc.array(fc.bigInt({ min: 0n, max: 10n ** 12n }), { minLength: 1, maxLength: 8 }),
        fc.bigInt({ min: 1n, max: 10n ** 6n }),
        fc.boolean(),
        (nums, den, roundUp) => {
          const exactSum = nums.reduce((a, b) => a + b, 0n);
          const floor = exactSum / den;
          const total = roundUp && exactSum % den !== 0n ? floor + 1n : floor;
          const keys = nums.map((_, i) => `k${i}`);
          const out = allocate(total, nums, den, keys);
          expect(out.reduce((a, b) => a + b, 0n)).toBe(total);
          out.forEach((share, i) => {
            const n = nums[i] ?? 0n;
            expect(share).toBeGreaterThanOrEqual(n / den);
            expect(share).toBeLessThanOrEqual(n / den + (n % den === 0n ? 0n : 1n));
          });
          const reversed = allocate(total, [...nums].reverse(), den, [...keys].reverse());
          expect([...reversed].reverse()).toEqual(out);
        },
      ),
      { seed },
    );
  });
});
