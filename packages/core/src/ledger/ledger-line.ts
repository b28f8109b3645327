import type { Currency } from '../money';
import { type AccountKey, accountKey } from './account-key';
import {
  assertBalanced,
  type EntryPurpose,
  type EntrySourceType,
  type JournalEntry,
  type Posting,
} from './journal-entry';
import { LedgerError } from './ledger-error';

/**
 * One commission line of a conversion as the ledger sees it: who earns it and how many minor
 * units. Depending on the builder, `amount` is what was accrued or what is still pending.
 */
export interface LedgerLine {
  id: string;
  beneficiaryId: string;
  amount: bigint;
}

/** A line with its currency; a `CommissionLine` with an `id` is one. */
export interface AccrualLine extends LedgerLine {
  currency: Currency;
}

/** Refuses duplicate ids, negative amounts and beneficiary ids that cannot name an account. */
export function checkLines(lines: readonly LedgerLine[]): void {
  const ids = new Set<string>();
  for (const line of lines) {
    if (line.id.length === 0) throw new LedgerError('invalid_line', 'a line has an empty id');
    if (ids.has(line.id)) throw new LedgerError('invalid_line', `line ${line.id} appears twice`);
    ids.add(line.id);
    if (line.amount < 0n) {
      throw new LedgerError('invalid_line', `line ${line.id} has a negative amount`);
    }
    accountKey({ kind: 'promoter_pending', promoterId: line.beneficiaryId });
  }
}

/**
 * Merges the legs per account, drops those that net to zero and orders the rest by account,
 * so the same movement gives the same entry whatever order its lines came in. Returns no
 * entry when nothing moves; otherwise one entry, checked by `assertBalanced`.
 */
export function buildEntry(
  head: {
    purpose: EntryPurpose;
    sourceType: EntrySourceType;
    sourceId: string;
    currency: Currency;
    memo?: string;
  },
  legs: readonly Posting[],
): JournalEntry[] {
  const byAccount = new Map<AccountKey, bigint>();
  for (const leg of legs)
    byAccount.set(leg.account, (byAccount.get(leg.account) ?? 0n) + leg.amount);

  const postings: Posting[] = [...byAccount]
    .filter(([, amount]) => amount !== 0n)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([account, amount]) => ({ account, amount }));
  if (postings.length === 0) return [];

  const entry: JournalEntry = { ...head, postings };
  assertBalanced(entry);
  return [entry];
}

/** The two legs that move `amount` from `credit` to `debit`. */
export function transfer(debit: AccountKey, credit: AccountKey, amount: bigint): Posting[] {
  return [
    { account: debit, amount },
    { account: credit, amount: -amount },
  ];
}
