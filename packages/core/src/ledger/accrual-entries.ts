import { accounts } from './account-key';
import type { JournalEntry } from './journal-entry';
import { type AccrualLine, buildEntry, checkLines, transfer } from './ledger-line';

/**
 * One entry per commission line of a conversion: debit `commission_expense`, credit the
 * beneficiary's `promoter_pending`. Each is keyed `(commission, line id, accrual)`, so a
 * replayed conversion writes nothing new. A line of zero earns no entry.
 *
 * @example
 *   accrualEntries([{ id: 'com_1', beneficiaryId: 'prm_a', amount: 500n, currency: 'CNY' }])
 *   // => [{ purpose: 'accrual', sourceType: 'commission', sourceId: 'com_1', currency: 'CNY',
 *   //       postings: [{ account: 'commission_expense', amount: 500n },
 *   //                  { account: 'promoter_pending:prm_a', amount: -500n }] }]
 */
export function accrualEntries(lines: readonly AccrualLine[]): JournalEntry[] {
  checkLines(lines);
  return lines.flatMap((line) =>
    buildEntry(
      { purpose: 'accrual', sourceType: 'commission', sourceId: line.id, currency: line.currency },
      transfer(
        accounts.commissionExpense,
        accounts.promoterPending(line.beneficiaryId),
        line.amount,
      ),
    ),
  );
}
