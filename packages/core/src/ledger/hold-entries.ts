import type { Currency } from '../money';
import { type AccountKey, accounts } from './account-key';
import type { EntryPurpose, JournalEntry } from './journal-entry';
import { LedgerError } from './ledger-error';
import { buildEntry, checkLines, type LedgerLine, transfer } from './ledger-line';

export interface DisputeInput {
  disputeId: string;
  currency: Currency;
  /**
   * The conversion's lines, `amount` being what the dispute moves: for `holdEntries` what is
   * still pending (see `remainingAfterRefunds`), afterwards what the hold took.
   */
  lines: readonly LedgerLine[];
}

/**
 * A dispute (chargeback) opened on a conversion's charge: moves each beneficiary's pending
 * commission of that conversion to `promoter_held`, where the lock period cannot release it.
 * One entry keyed `(dispute, dispute id, hold)`, or none when nothing is pending.
 *
 * TODO: holds only `promoter_pending`; a dispute opened after the lock period must hold from
 * `promoter_available`, which needs the service to say where each line's money is.
 *
 * @example
 *   holdEntries({ disputeId: 'dp_1', currency: 'CNY',
 *                 lines: [{ id: 'com_1', beneficiaryId: 'prm_a', amount: 500n }] })
 *   // => one entry: promoter_pending:prm_a +500n, promoter_held:prm_a -500n
 */
export function holdEntries(input: DisputeInput): JournalEntry[] {
  return disputeEntries(input, 'hold', (p) => [
    accounts.promoterPending(p),
    accounts.promoterHeld(p),
  ]);
}

/** The dispute was won: what it held goes back to pending, keyed `(dispute, id, release)`. */
export function releaseHoldEntries(input: DisputeInput): JournalEntry[] {
  return disputeEntries(input, 'release', (p) => [
    accounts.promoterHeld(p),
    accounts.promoterPending(p),
  ]);
}

/**
 * The dispute was lost: the customer has the money back, so what the dispute held is clawed
 * back to `commission_expense`, keyed `(dispute, id, clawback)`. Each line then keeps nothing.
 */
export function disputeLostEntries(input: DisputeInput): JournalEntry[] {
  return disputeEntries(input, 'clawback', (p) => [
    accounts.promoterHeld(p),
    accounts.commissionExpense,
  ]);
}

function disputeEntries(
  input: DisputeInput,
  purpose: EntryPurpose,
  route: (promoterId: string) => [debit: AccountKey, credit: AccountKey],
): JournalEntry[] {
  checkLines(input.lines);
  if (input.disputeId.length === 0) throw new LedgerError('invalid_line', 'empty dispute id');

  const legs = input.lines.flatMap((line) => {
    const [debit, credit] = route(line.beneficiaryId);
    return transfer(debit, credit, line.amount);
  });
  return buildEntry(
    { purpose, sourceType: 'dispute', sourceId: input.disputeId, currency: input.currency },
    legs,
  );
}
