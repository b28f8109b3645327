import type { Currency } from '../money';
import type { AccountKey } from './account-key';
import type { JournalEntry } from './journal-entry';

/** Debit-positive balances per currency and account. */
export type Balances = ReadonlyMap<Currency, ReadonlyMap<AccountKey, bigint>>;

/**
 * Folds entries into the balance of every account they touch (zero balances included), per
 * currency. Balances are debit-positive: what we owe a promoter is negative.
 *
 * @example
 *   const b = balances(accrualEntries([{ id: 'com_1', beneficiaryId: 'prm_a', amount: 500n,
 *                                        currency: 'CNY' }]));
 *   balanceOf(b, 'CNY', 'promoter_pending:prm_a') // => -500n
 */
export function balances(entries: readonly JournalEntry[]): Balances {
  const out = new Map<Currency, Map<AccountKey, bigint>>();
  for (const entry of entries) {
    let accounts = out.get(entry.currency);
    if (accounts === undefined) {
      accounts = new Map();
      out.set(entry.currency, accounts);
    }
    for (const { account, amount } of entry.postings) {
      accounts.set(account, (accounts.get(account) ?? 0n) + amount);
    }
  }
  return out;
}

/** An account's balance, 0 when no entry touched it. */
export function balanceOf(b: Balances, currency: Currency, account: AccountKey): bigint {
  return b.get(currency)?.get(account) ?? 0n;
}

export interface TrialBalance {
  /** True when debits equal credits in every currency. */
  balanced: boolean;
  currencies: { currency: Currency; debits: bigint; credits: bigint }[];
}

/**
 * Sums the debit and the credit balances per currency; they are equal, and `balanced` is
 * true, whenever every entry balanced (ledger rule 2: all balances sum to zero).
 *
 * @example
 *   trialBalance(balances(entries)).balanced // => true
 */
export function trialBalance(b: Balances): TrialBalance {
  const currencies = [...b].map(([currency, accounts]) => {
    let debits = 0n;
    let credits = 0n;
    for (const amount of accounts.values()) {
      if (amount > 0n) debits += amount;
      else credits -= amount;
    }
    return { currency, debits, credits };
  });
  return { balanced: currencies.every((c) => c.debits === c.credits), currencies };
}
