import { describe, expect, it } from 'vitest';
import { accrualEntries } from './accrual-entries';
import { balanceOf, balances, trialBalance } from './balances';
import type { JournalEntry } from './journal-entry';

describe('balances', () => {
  it('sums postings per currency and account, debit-positive', () => {
    const b = balances(
      accrualEntries([
        { id: 'com_1', beneficiaryId: 'prm_a', amount: 500n, currency: 'CNY' },
        { id: 'com_2', beneficiaryId: 'prm_a', amount: 20n, currency: 'CNY' },
        { id: 'com_3', beneficiaryId: 'prm_a', amount: 7n, currency: 'USD' },
      ]),
    );
    expect(balanceOf(b, 'CNY', 'commission_expense')).toBe(520n);
    expect(balanceOf(b, 'CNY', 'promoter_pending:prm_a')).toBe(-520n);
    expect(balanceOf(b, 'USD', 'promoter_pending:prm_a')).toBe(-7n);
    expect(balanceOf(b, 'JPY', 'promoter_pending:prm_a')).toBe(0n);
    expect(trialBalance(b)).toEqual({
      balanced: true,
      currencies: [
        { currency: 'CNY', debits: 520n, credits: 520n },
        { currency: 'USD', debits: 7n, credits: 7n },
      ],
    });
  });

  it('reports an unbalanced ledger', () => {
    const broken: JournalEntry = {
      purpose: 'accrual',
      sourceType: 'commission',
      sourceId: 'com_x',
      currency: 'CNY',
      postings: [
        { account: 'commission_expense', amount: 5n },
        { account: 'promoter_pending:prm_a', amount: -4n },
      ],
    };
    expect(trialBalance(balances([broken]))).toEqual({
      balanced: false,
      currencies: [{ currency: 'CNY', debits: 5n, credits: 4n }],
    });
  });
});
