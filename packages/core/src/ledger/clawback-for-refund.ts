import type { Currency } from '../money';
import { allocate, roundScaled } from '../rules/allocate';
import type { RoundingMode } from '../tenant-settings';
import { accounts } from './account-key';
import type { JournalEntry, Posting } from './journal-entry';
import { LedgerError } from './ledger-error';
import { buildEntry, checkLines, type LedgerLine, transfer } from './ledger-line';

export interface RemainingInput {
  /** The conversion's commission lines, `amount` as accrued. */
  lines: readonly LedgerLine[];
  /** What the customer paid, in the lines' currency. */
  chargeAmount: bigint;
  /** Everything refunded so far, this refund included. */
  refunded: bigint;
  /** The tenant's rounding rule, applied to the commission that remains. */
  roundingKey: RoundingMode;
}

/**
 * The commission each line keeps once `refunded` of the charge has been given back: the
 * commission the rules would pay on the net amount. The total is
 * `round(Σ accrued × (charge − refunded) / charge)` by the tenant's rule (down by default, so
 * a partial refund never leaves more than the rule says), split over the lines by largest
 * remainder with ties broken by line id. It depends only on the cumulative refund, never on
 * how the refunds were split or on the order of the lines; a full refund leaves zero.
 *
 * Throws `LedgerError` for a charge that is not positive or a refund outside `[0, charge]`.
 *
 * @example
 *   remainingAfterRefunds({
 *     lines: [{ id: 'com_1', beneficiaryId: 'prm_a', amount: 100n }],
 *     chargeAmount: 1000n, refunded: 250n, roundingKey: 'down',
 *   }) // => [{ id: 'com_1', beneficiaryId: 'prm_a', amount: 75n }]
 */
export function remainingAfterRefunds(input: RemainingInput): LedgerLine[] {
  checkLines(input.lines);
  checkRefunded(input.chargeAmount, input.refunded);
  const kept = remainingShares(input.lines, input.chargeAmount, input.refunded, input.roundingKey);
  return input.lines.map((line, i) => ({ ...line, amount: kept[i] ?? 0n }));
}

export interface RefundClawbackInput {
  refundId: string;
  currency: Currency;
  /** The conversion's commission lines, `amount` as accrued. */
  lines: readonly LedgerLine[];
  chargeAmount: bigint;
  /** What earlier refunds of this charge gave back, in total. */
  refundedBefore: bigint;
  refundAmount: bigint;
  /** The tenant's rounding rule, applied to the commission that remains. */
  roundingKey: RoundingMode;
  /**
   * Where the lines' commission sits: `pending` (the default), or `held` while a fraud review
   * or a dispute holds it. The clawback debits that account.
   */
  from?: 'pending' | 'held';
}

export interface LineClawback {
  id: string;
  beneficiaryId: string;
  accrued: bigint;
  remainingBefore: bigint;
  remainingAfter: bigint;
  /** `remainingBefore − remainingAfter`; see `clawbackForRefund` on why it can be −1. */
  clawback: bigint;
}

export interface RefundClawback {
  /** One per line, in the order given. */
  lines: LineClawback[];
  /** What this refund claws back in all; never negative. */
  total: bigint;
  /** No entry when nothing moves (a refund too small to change any line), else one. */
  entries: JournalEntry[];
}

/**
 * What one refund claws back from each commission line, and the entry that books it: keyed
 * `(refund, refund id, clawback)`, debiting each beneficiary's `promoter_pending` and crediting
 * `commission_expense`.
 *
 * Each line's clawback is the difference of what it keeps before and after this refund
 * (`remainingAfterRefunds`), so clawbacks are consistent however the refunds are split: the
 * refund that completes a full refund closes every line to exactly zero, and a line never
 * loses more than it accrued. The cumulative clawback of the charge is
 * `Σ accrued − round(Σ accrued × net / charge)`: rounding the remainder down rounds the
 * clawback up.
 *
 * Largest remainder is not monotone, so a refund can move one unit back to a line while
 * another line gives up one more (lines of 1 and 3, the first winning ties by id, on a charge
 * of 6: a refund of 2 leaves 0 and 2, a further 1 leaves 1 and 1). Such a line shows a clawback
 * of −1 and its posting credits the beneficiary; the refund's total is never negative and every
 * line's cumulative clawback stays between 0 and its accrual. Any other rule would make the
 * remainder depend on how the refunds were split.
 *
 * Throws `LedgerError('refund_exceeds_charge')` when the refunds pass the charge.
 *
 * The clawback debits `promoter_pending`, or `promoter_held` when `from` says so. TODO: once
 * commissions move to available (lock period) and out by payouts, a clawback after payout must
 * debit `promoter_receivable` instead.
 *
 * @example
 *   clawbackForRefund({
 *     refundId: 're_1', currency: 'CNY', chargeAmount: 1000n, refundedBefore: 0n,
 *     refundAmount: 300n, roundingKey: 'down',
 *     lines: [{ id: 'com_1', beneficiaryId: 'prm_a', amount: 99n }],
 *   }).total // => 30n: 99 × 700 / 1000 = 69.3 rounds down to 69 kept
 */
export function clawbackForRefund(input: RefundClawbackInput): RefundClawback {
  const { lines, chargeAmount, refundedBefore, refundAmount, roundingKey } = input;
  checkLines(lines);
  if (input.refundId.length === 0) throw new LedgerError('invalid_refund', 'empty refund id');
  if (refundAmount <= 0n) {
    throw new LedgerError('invalid_refund', `refund ${input.refundId} is not positive`);
  }
  checkRefunded(chargeAmount, refundedBefore);
  checkRefunded(chargeAmount, refundedBefore + refundAmount);

  const before = remainingShares(lines, chargeAmount, refundedBefore, roundingKey);
  const after = remainingShares(lines, chargeAmount, refundedBefore + refundAmount, roundingKey);
  const out: LineClawback[] = lines.map((line, i) => {
    const remainingBefore = before[i] ?? 0n;
    const remainingAfter = after[i] ?? 0n;
    return {
      id: line.id,
      beneficiaryId: line.beneficiaryId,
      accrued: line.amount,
      remainingBefore,
      remainingAfter,
      clawback: remainingBefore - remainingAfter,
    };
  });

  const source = input.from === 'held' ? accounts.promoterHeld : accounts.promoterPending;
  const legs: Posting[] = out.flatMap((line) =>
    transfer(source(line.beneficiaryId), accounts.commissionExpense, line.clawback),
  );
  const entries = buildEntry(
    {
      purpose: 'clawback',
      sourceType: 'refund',
      sourceId: input.refundId,
      currency: input.currency,
      memo: `refund of ${refundAmount} after ${refundedBefore} on a charge of ${chargeAmount}`,
    },
    legs,
  );
  return { lines: out, total: out.reduce((sum, l) => sum + l.clawback, 0n), entries };
}

function checkRefunded(charge: bigint, refunded: bigint): void {
  if (charge <= 0n) throw new LedgerError('invalid_refund', 'the charge must be positive');
  if (refunded < 0n) throw new LedgerError('invalid_refund', 'refunds cannot be negative');
  if (refunded > charge) {
    throw new LedgerError(
      'refund_exceeds_charge',
      `refunds of ${refunded} exceed the charge of ${charge}`,
    );
  }
}

function remainingShares(
  lines: readonly LedgerLine[],
  charge: bigint,
  refunded: bigint,
  mode: RoundingMode,
): bigint[] {
  const net = charge - refunded;
  const exact = lines.map((line) => line.amount * net);
  const total = roundScaled(
    exact.reduce((sum, n) => sum + n, 0n),
    charge,
    mode,
  );
  return allocate(
    total,
    exact,
    charge,
    lines.map((line) => line.id),
  );
}
