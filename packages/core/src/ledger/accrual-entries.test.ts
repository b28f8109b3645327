import { describe, expect, it } from 'vitest';
import { accrualEntries } from './accrual-entries';
import { LedgerError } from './ledger-error';
import { voidEntries } from './void-entries';

const first = { id: 'com_1', beneficiaryId: 'prm_a', amount: 500n, currency: 'CNY' } as const;
const second = { id: 'com_2', beneficiaryId: 'prm_b', amount: 120n, currency: 'CNY' } as const;
const lines = [first, second];

describe('accrualEntries', () => {
  it('writes one entry per line: expense debited, the beneficiary credited', () => {
    expect(accrualEntries(lines)).toEqual([
      {
        purpose: 'accrual',
        sourceType: 'commission',
        sourceId: 'com_1',
        currency: 'CNY',
        postings: [
          { account: 'commission_expense', amount: 500n },
          { account: 'promoter_pending:prm_a', amount: -500n },
        ],
      },
      {
        purpose: 'accrual',
        sourceType: 'commission',
        sourceId: 'com_2',
        currency: 'CNY',
        postings: [
          { account: 'commission_expense', amount: 120n },
          { account: 'promoter_pending:prm_b', amount: -120n },
        ],
      },
    ]);
  });

  it('writes nothing for a line of zero', () => {
    expect(accrualEntries([{ ...first, id: 'com_0', amount: 0n }])).toEqual([]);
  });

  it('refuses negative amounts and repeated line ids', () => {
    expect(() => accrualEntries([{ ...second, amount: -1n }])).toThrow(LedgerError);
    expect(() => accrualEntries([...lines, ...lines])).toThrow(/com_1 appears twice/);
  });
});

describe('voidEntries', () => {
  it('reverses each line beside its accrual', () => {
    expect(voidEntries([{ ...second, amount: 70n }])).toEqual([
      {
        purpose: 'void',
        sourceType: 'commission',
        sourceId: 'com_2',
        currency: 'CNY',
        memo: 'reverses the accrual of commission com_2',
        postings: [
          { account: 'commission_expense', amount: -70n },
          { account: 'promoter_pending:prm_b', amount: 70n },
        ],
      },
    ]);
  });
});
