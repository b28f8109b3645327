import { accounts } from './account-key';
import type { JournalEntry } from './journal-entry';
import { type AccrualLine, buildEntry, checkLines, transfer } from './ledger-line';

/**
 * Reverses the accruals of a conversion that fraud review rejected: one entry per line, keyed
 * `(commission, line id, void)` beside the accrual it reverses, debiting the beneficiary's
 * `promoter_pending` and crediting `commission_expense`. Give each line's amount still pending
 * (its accrual less any clawback so far, see `remainingAfterRefunds`), so nothing is reversed
 * twice.
 *
 * @example
 *   voidEntries([{ id: 'com_1', beneficiaryId: 'prm_a', amount: 500n, currency: 'CNY' }])
 *   // => one entry: promoter_pending:prm_a +500n, commission_expense -500n
 */
export function voidEntries(lines: readonly AccrualLine[]): JournalEntry[] {
  checkLines(lines);
  return lines.flatMap((line) =>
    buildEntry(
      {
        purpose: 'void',
        sourceType: 'commission',
        sourceId: line.id,
        currency: line.currency,
        memo: `reverses the accrual of commission ${line.id}`,
      },
      transfer(
        accounts.promoterPending(line.beneficiaryId),
        accounts.commissionExpense,
        line.amount,
      ),
    ),
  );
}
