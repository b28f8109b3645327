import type { Currency } from '../money';
import { type AccountKey, accounts } from './account-key';
import type { EntryPurpose, JournalEntry } from './journal-entry';
import { LedgerError } from './ledger-error';
import { buildEntry, checkLines, type LedgerLine, transfer } from './ledger-line';

/** What a fraud review does to a conversion's commission. */
export type ReviewStep = 'hold' | 'release' | 'void';

export interface ReviewInput {
  conversionId: string;
  currency: Currency;
  /** The conversion's lines, `amount` being what the step moves (what is still accrued). */
  lines: readonly LedgerLine[];
}

const ROUTES: Record<
  ReviewStep,
  { purpose: EntryPurpose; route: (promoterId: string) => [AccountKey, AccountKey] }
> = {
  // Held for review: out of pending, so the lock period cannot make it available.
  hold: {
    purpose: 'hold',
    route: (p) => [accounts.promoterPending(p), accounts.promoterHeld(p)],
  },
  // A reviewer approved: back to pending.
  release: {
    purpose: 'release',
    route: (p) => [accounts.promoterHeld(p), accounts.promoterPending(p)],
  },
  // A reviewer rejected: the held commission goes back to the expense it came from.
  void: {
    purpose: 'void',
    route: (p) => [accounts.promoterHeld(p), accounts.commissionExpense],
  },
};

/**
 * The one entry of a review step for a conversion, keyed `(review, conversion id, step)`, so a
 * step takes effect once. No entry when nothing moves.
 *
 * @example
 *   reviewEntries('hold', {
 *     conversionId: 'cnv_1', currency: 'CNY',
 *     lines: [{ id: 'com_1', beneficiaryId: 'prm_a', amount: 500n }],
 *   })
 *   // => [{ purpose: 'hold', sourceType: 'review', sourceId: 'cnv_1', currency: 'CNY',
 *   //       postings: [{ account: 'promoter_held:prm_a', amount: -500n },
 *   //                  { account: 'promoter_pending:prm_a', amount: 500n }] }]
 */
export function reviewEntries(step: ReviewStep, input: ReviewInput): JournalEntry[] {
  checkLines(input.lines);
  if (input.conversionId.length === 0) {
    throw new LedgerError('invalid_line', 'empty conversion id');
  }
  const { purpose, route } = ROUTES[step];
  const legs = input.lines.flatMap((line) => {
    const [debit, credit] = route(line.beneficiaryId);
    return transfer(debit, credit, line.amount);
  });
  return buildEntry(
    { purpose, sourceType: 'review', sourceId: input.conversionId, currency: input.currency },
    legs,
  );
}
