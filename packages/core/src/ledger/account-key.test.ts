import { describe, expect, it } from 'vitest';
import {
  accountKey,
  accounts,
  PLATFORM_ACCOUNT_KINDS,
  PROMOTER_ACCOUNT_KINDS,
  parseAccountKey,
} from './account-key';
import { LedgerError } from './ledger-error';

describe('accountKey', () => {
  it('names platform accounts by kind and promoter accounts by kind and promoter', () => {
    expect(accounts.commissionExpense).toBe('commission_expense');
    expect(accounts.promoterPending('prm_a')).toBe('promoter_pending:prm_a');
    expect(accounts.promoterAvailable('prm_a')).toBe('promoter_available:prm_a');
    expect(accounts.promoterHeld('prm_a')).toBe('promoter_held:prm_a');
    expect(accounts.promoterReceivable('prm_a')).toBe('promoter_receivable:prm_a');
    expect(accounts.payoutInTransit).toBe('payout_in_transit');
    expect(accounts.taxWithheld).toBe('tax_withheld');
  });

  it('round-trips every kind through parseAccountKey', () => {
    for (const kind of PLATFORM_ACCOUNT_KINDS) {
      expect(parseAccountKey(accountKey({ kind }))).toEqual({ kind });
    }
    for (const kind of PROMOTER_ACCOUNT_KINDS) {
      const account = { kind, promoterId: 'prm_01jd7s5m3q8x0f4k2v9w6tbz3c' };
      expect(parseAccountKey(accountKey(account))).toEqual(account);
    }
  });

  it.each(['', 'a:b', 'prm a', 'x'.repeat(65)])('refuses promoter id %j', (promoterId) => {
    expect(() => accountKey({ kind: 'promoter_pending', promoterId })).toThrow(LedgerError);
  });
});

describe('parseAccountKey', () => {
  it.each([
    'commission_expense:prm_a',
    'promoter_pending',
    'promoter_pending:',
    'promoter_pending:a:b',
    'promoter_owed:prm_a',
    'cash',
    '',
  ])('returns null for %j', (key) => {
    expect(parseAccountKey(key)).toBeNull();
  });
});
