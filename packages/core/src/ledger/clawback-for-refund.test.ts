import { describe, expect, it } from 'vitest';
import type { RoundingMode } from '../tenant-settings';
import {
  clawbackForRefund,
  type RefundClawbackInput,
  remainingAfterRefunds,
} from './clawback-for-refund';
import { LedgerError } from './ledger-error';
import type { LedgerLine } from './ledger-line';

const line = (id: string, beneficiaryId: string, amount: bigint): LedgerLine => ({
  id,
  beneficiaryId,
  amount,
});

function refund(
  lines: LedgerLine[],
  chargeAmount: bigint,
  refundedBefore: bigint,
  refundAmount: bigint,
  roundingKey: RoundingMode = 'down',
) {
  const input: RefundClawbackInput = {
    refundId: 're_1',
    currency: 'CNY',
    lines,
    chargeAmount,
    refundedBefore,
    refundAmount,
    roundingKey,
  };
  return clawbackForRefund(input);
}

const clawbacks = (r: ReturnType<typeof refund>) =>
  Object.fromEntries(r.lines.map((l) => [l.id, l.clawback]));

describe('clawbackForRefund', () => {
  const two = [line('com_a', 'prm_a', 100n), line('com_b', 'prm_b', 50n)];

  it('claws back in proportion to the refund: 30 % of 100 and 50', () => {
    const r = refund(two, 1000n, 0n, 300n);
    expect(clawbacks(r)).toEqual({ com_a: 30n, com_b: 15n });
    expect(r.total).toBe(45n);
    expect(r.entries).toEqual([
      {
        purpose: 'clawback',
        sourceType: 'refund',
        sourceId: 're_1',
        currency: 'CNY',
        memo: 'refund of 300 after 0 on a charge of 1000',
        postings: [
          { account: 'commission_expense', amount: -45n },
          { account: 'promoter_pending:prm_a', amount: 30n },
          { account: 'promoter_pending:prm_b', amount: 15n },
        ],
      },
    ]);
  });

  it('closes every line to zero with the refund that completes a full refund', () => {
    const r = refund(two, 1000n, 300n, 700n);
    expect(r.lines.map((l) => [l.remainingBefore, l.remainingAfter, l.clawback])).toEqual([
      [70n, 0n, 70n],
      [35n, 0n, 35n],
    ]);
  });

  it('splits thirds by largest remainder, ties by line id, and nets to zero over three refunds', () => {
    const thirds = [
      line('com_c', 'prm_c', 10n),
      line('com_a', 'prm_a', 10n),
      line('com_b', 'prm_b', 10n),
    ];
    // Net 2/3: 6⅔ each, 20 kept => 7, 7, 6 (com_a, com_b win the tie); clawed 3, 3, 4.
    const first = refund(thirds, 3n, 0n, 1n);
    expect(clawbacks(first)).toEqual({ com_a: 3n, com_b: 3n, com_c: 4n });
    // Net 1/3: 3⅓ each, 10 kept => 4, 3, 3; clawed 3, 4, 3.
    const second = refund(thirds, 3n, 1n, 1n);
    expect(clawbacks(second)).toEqual({ com_a: 3n, com_b: 4n, com_c: 3n });
    const last = refund(thirds, 3n, 2n, 1n);
    expect(clawbacks(last)).toEqual({ com_a: 4n, com_b: 3n, com_c: 3n });
  });

  it('rounds the commission kept by the named rule', () => {
    // 99 × 695 / 1000 = 68.805 kept: down keeps 68, half_up and half_even keep 69.
    const one = [line('com_a', 'prm_a', 99n)];
    expect(refund(one, 1000n, 0n, 305n, 'down').total).toBe(31n);
    expect(refund(one, 1000n, 0n, 305n, 'half_up').total).toBe(30n);
    expect(refund(one, 1000n, 0n, 305n, 'half_even').total).toBe(30n);
    // 5 × 1 / 2 = 2.5 kept: half_even keeps 2, half_up 3.
    const five = [line('com_a', 'prm_a', 5n)];
    expect(refund(five, 2n, 0n, 1n, 'half_even').total).toBe(3n);
    expect(refund(five, 2n, 0n, 1n, 'half_up').total).toBe(2n);
  });

  it('writes no entry when a refund is too small to change what any line keeps', () => {
    // 1 × 999 / 1000 kept rounds half up to 1: nothing moves.
    const r = refund([line('com_a', 'prm_a', 1n)], 1000n, 0n, 1n, 'half_up');
    expect(r.total).toBe(0n);
    expect(r.entries).toEqual([]);
  });

  it('can move one unit back to a line, since largest remainder is not monotone', () => {
    const lines = [line('com_a', 'prm_a', 1n), line('com_b', 'prm_b', 3n)];
    // Net 4/6: exact ⅔ and 2, 2 kept => 0 and 2.
    expect(clawbacks(refund(lines, 6n, 0n, 2n))).toEqual({ com_a: 1n, com_b: 1n });
    // Net 3/6: exact ½ and 1½, 2 kept => 1 and 1 (com_a wins the tie).
    const r = refund(lines, 6n, 2n, 1n);
    expect(clawbacks(r)).toEqual({ com_a: -1n, com_b: 1n });
    expect(r.total).toBe(0n);
    expect(r.entries[0]?.postings).toEqual([
      { account: 'promoter_pending:prm_a', amount: -1n },
      { account: 'promoter_pending:prm_b', amount: 1n },
    ]);
    // The same lines of one promoter move nothing.
    const same = lines.map((l) => ({ ...l, beneficiaryId: 'prm_a' }));
    expect(refund(same, 6n, 2n, 1n).entries).toEqual([]);
  });

  it('gives the same clawbacks whatever order the lines come in', () => {
    const lines = [
      line('com_a', 'prm_a', 7n),
      line('com_b', 'prm_b', 7n),
      line('com_c', 'prm_a', 3n),
    ];
    const forward = refund(lines, 9n, 2n, 4n);
    const backward = refund([...lines].reverse(), 9n, 2n, 4n);
    expect(clawbacks(backward)).toEqual(clawbacks(forward));
    expect(backward.entries).toEqual(forward.entries);
  });

  it.each([
    ['a refund above the charge', 1000n, 0n, 1001n, 'refund_exceeds_charge'],
    ['refunds that together pass the charge', 1000n, 700n, 301n, 'refund_exceeds_charge'],
    ['a refund of zero', 1000n, 0n, 0n, 'invalid_refund'],
    ['a negative earlier refund', 1000n, -1n, 1n, 'invalid_refund'],
    ['a charge of zero', 0n, 0n, 1n, 'invalid_refund'],
  ] as const)('refuses %s', (_, charge, before, amount, code) => {
    expect(() => refund(two, charge, before, amount)).toThrow(
      expect.objectContaining({ name: 'LedgerError', code }),
    );
  });

  it('refuses an empty refund id', () => {
    expect(() =>
      clawbackForRefund({
        refundId: '',
        currency: 'CNY',
        lines: two,
        chargeAmount: 10n,
        refundedBefore: 0n,
        refundAmount: 1n,
        roundingKey: 'down',
      }),
    ).toThrow(LedgerError);
  });
});

describe('remainingAfterRefunds', () => {
  const lines = [line('com_a', 'prm_a', 100n), line('com_b', 'prm_b', 33n)];

  it('keeps the commission of the net amount, however the refunds were split', () => {
    const kept = remainingAfterRefunds({
      lines,
      chargeAmount: 1000n,
      refunded: 500n,
      roundingKey: 'down',
    });
    // 50 and 16.5: 66 kept, the leftover unit of 66.5 is not paid.
    expect(kept.map((l) => l.amount)).toEqual([50n, 16n]);
    const inSteps = [100n, 150n, 250n].reduce(
      (before, amount) => {
        const r = refund(lines, 1000n, before.refunded, amount);
        return { refunded: before.refunded + amount, kept: r.lines.map((l) => l.remainingAfter) };
      },
      { refunded: 0n, kept: [] as bigint[] },
    );
    expect(inSteps.kept).toEqual([50n, 16n]);
  });

  it('keeps everything before a refund and nothing after a full one', () => {
    const at = (refunded: bigint) =>
      remainingAfterRefunds({ lines, chargeAmount: 1000n, refunded, roundingKey: 'half_up' }).map(
        (l) => l.amount,
      );
    expect(at(0n)).toEqual([100n, 33n]);
    expect(at(1000n)).toEqual([0n, 0n]);
  });
});
