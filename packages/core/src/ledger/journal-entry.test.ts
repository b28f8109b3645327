import { describe, expect, it } from 'vitest';
import { assertBalanced, entryKey, type JournalEntry } from './journal-entry';
import { LedgerError } from './ledger-error';

const entry = (postings: JournalEntry['postings'], extra: Partial<JournalEntry> = {}) =>
  ({
    purpose: 'accrual',
    sourceType: 'commission',
    sourceId: 'com_1',
    currency: 'CNY',
    postings,
    ...extra,
  }) satisfies JournalEntry;

function problemsOf(e: JournalEntry): readonly string[] {
  try {
    assertBalanced(e);
    return [];
  } catch (error) {
    if (!(error instanceof LedgerError)) throw error;
    expect(error.code).toBe('unbalanced_entry');
    return error.problems;
  }
}

describe('assertBalanced', () => {
  it('accepts two or more postings that sum to zero', () => {
    expect(() =>
      assertBalanced(
        entry([
          { account: 'commission_expense', amount: 300n },
          { account: 'promoter_pending:prm_a', amount: -100n },
          { account: 'promoter_pending:prm_b', amount: -200n },
        ]),
      ),
    ).not.toThrow();
  });

  it('refuses postings that do not sum to zero', () => {
    const problems = problemsOf(
      entry([
        { account: 'commission_expense', amount: 300n },
        { account: 'promoter_pending:prm_a', amount: -299n },
      ]),
    );
    expect(problems).toEqual(['postings sum to 1, not 0']);
  });

  it('refuses a single posting and an empty entry', () => {
    expect(problemsOf(entry([]))).toEqual(['0 posting(s); an entry needs at least two']);
    expect(problemsOf(entry([{ account: 'commission_expense', amount: 1n }]))).toHaveLength(2);
  });

  it('refuses zero postings even when the rest balances', () => {
    const problems = problemsOf(
      entry([
        { account: 'commission_expense', amount: 5n },
        { account: 'promoter_pending:prm_a', amount: -5n },
        { account: 'promoter_held:prm_a', amount: 0n },
      ]),
    );
    expect(problems).toEqual(['posting 2 (promoter_held:prm_a) is zero']);
  });

  it('refuses unknown accounts, currencies and an empty source id, all at once', () => {
    const bad = {
      ...entry([
        { account: 'commission_expense', amount: 5n },
        { account: 'promoter_pending:prm_a', amount: -5n },
      ]),
      currency: 'XXX',
      sourceId: '',
      postings: [
        { account: 'cash', amount: 5n },
        { account: 'promoter_pending:prm_a', amount: -5n },
      ],
    } as unknown as JournalEntry;
    expect(problemsOf(bad)).toEqual([
      'unknown currency XXX',
      'empty source id',
      'posting 0 names no account: "cash"',
    ]);
  });
});

describe('entryKey', () => {
  it('joins source type, source id and purpose', () => {
    expect(entryKey({ sourceType: 'refund', sourceId: 're_1', purpose: 'clawback' })).toBe(
      'refund:re_1:clawback',
    );
  });
});
