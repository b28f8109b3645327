import type { RoundingMode } from '../tenant-settings';

/**
 * Rounds a non-negative `value / scale` to a whole number by the tenant's named rule.
 *
 * @example
 *   roundScaled(25n, 10n, 'half_even') // => 2n
 */
export function roundScaled(value: bigint, scale: bigint, mode: RoundingMode): bigint {
  if (value < 0n) throw new RangeError('roundScaled takes a non-negative value');
  const q = value / scale;
  if (mode === 'down') return q;
  const twice = (value - q * scale) * 2n;
  if (twice < scale) return q;
  if (twice > scale || mode === 'half_up') return q + 1n;
  return q % 2n === 0n ? q : q + 1n;
}

/**
 * Splits `total` whole units among shares whose exact values are `nums[i] / den`, by largest
 * remainder: each share gets the floor of its exact value, and the units left over go one by
 * one to the largest fractional parts, ties broken by `keys` (never by input order). `total`
 * must lie between the sum of the floors and that sum plus the count of inexact shares; then
 * every share is within one unit of its exact value and an exact share never gains a unit.
 *
 * @example
 *   allocate(10n, [10n, 10n, 10n], 3n, ['b', 'a', 'c']) // exact 3⅓ each => [3n, 4n, 3n]
 */
export function allocate(
  total: bigint,
  nums: readonly bigint[],
  den: bigint,
  keys: readonly string[],
): bigint[] {
  if (den <= 0n) throw new RangeError('allocate needs a positive denominator');
  const out: bigint[] = new Array(nums.length);
  let leftover = total;
  for (let i = 0; i < nums.length; i++) {
    const q = (nums[i] ?? 0n) / den;
    out[i] = q;
    leftover -= q;
  }
  if (leftover === 0n) return out;

  const rems = nums.map((n) => n % den);
  let inexact = 0;
  for (const r of rems) if (r !== 0n) inexact++;
  if (leftover < 0n || leftover > BigInt(inexact)) {
    throw new RangeError(
      `allocate: ${total} cannot be split over these shares by largest remainder`,
    );
  }
  // Hand out the leftover units one at a time to the largest remainder not served yet; the
  // leftover is smaller than the number of shares, and shares are few (rules, levels).
  const served = new Uint8Array(nums.length);
  for (let unit = 0n; unit < leftover; unit++) {
    let best = -1;
    for (let i = 0; i < rems.length; i++) {
      if (served[i] || rems[i] === 0n) continue;
      if (best < 0 || outranks(rems[i] ?? 0n, keys[i] ?? '', rems[best] ?? 0n, keys[best] ?? '')) {
        best = i;
      }
    }
    served[best] = 1;
    out[best] = (out[best] ?? 0n) + 1n;
  }
  return out;
}

/** A larger remainder first; between equal remainders, the smaller key. */
function outranks(ra: bigint, ka: string, rb: bigint, kb: string): boolean {
  return ra !== rb ? ra > rb : ka < kb;
}
