import { type Currency, isCurrency } from '../money';
import { type AccountKey, parseAccountKey } from './account-key';
import { LedgerError } from './ledger-error';

/** Why an entry was written; with the source it forms the entry's idempotency key. */
export const ENTRY_PURPOSES = ['accrual', 'clawback', 'hold', 'release', 'void'] as const;
export type EntryPurpose = (typeof ENTRY_PURPOSES)[number];

/** The kind of fact an entry records: a commission line, a refund, a dispute, a fraud review. */
export const ENTRY_SOURCE_TYPES = ['commission', 'refund', 'dispute', 'review'] as const;
export type EntrySourceType = (typeof ENTRY_SOURCE_TYPES)[number];

/**
 * One leg of an entry, in minor units of the entry's currency. The sign is the side:
 * a positive amount is a debit, a negative amount a credit. So an entry balances when its
 * amounts sum to zero, and an account's balance is the plain sum of its postings.
 */
export interface Posting {
  account: AccountKey;
  amount: bigint;
}

/**
 * A set of postings written atomically. `(sourceType, sourceId, purpose)` is unique per tenant:
 * each source fact takes effect once, and writing the same entry again is a no-op.
 *
 * @example
 *   const entry: JournalEntry = {
 *     purpose: 'accrual', sourceType: 'commission', sourceId: 'com_1', currency: 'CNY',
 *     postings: [
 *       { account: 'commission_expense', amount: 500n },          // debit
 *       { account: 'promoter_pending:prm_a', amount: -500n },     // credit
 *     ],
 *   };
 *   assertBalanced(entry); // passes
 */
export interface JournalEntry {
  purpose: EntryPurpose;
  sourceType: EntrySourceType;
  sourceId: string;
  currency: Currency;
  postings: readonly Posting[];
  memo?: string;
}

/** The idempotency key of an entry, as one string. */
export function entryKey(entry: Pick<JournalEntry, 'sourceType' | 'sourceId' | 'purpose'>) {
  return `${entry.sourceType}:${entry.sourceId}:${entry.purpose}`;
}

/**
 * Throws `LedgerError('unbalanced_entry')`, listing every rule broken, unless the entry has a
 * known currency, a source id, at least two postings, no zero posting, only well-formed
 * accounts, and postings that sum to zero. The single `currency` field makes one currency per
 * entry a matter of shape.
 */
export function assertBalanced(entry: JournalEntry): void {
  const problems: string[] = [];
  if (!isCurrency(entry.currency)) problems.push(`unknown currency ${entry.currency}`);
  if (entry.sourceId.length === 0) problems.push('empty source id');
  if (entry.postings.length < 2) {
    problems.push(`${entry.postings.length} posting(s); an entry needs at least two`);
  }

  let sum = 0n;
  entry.postings.forEach((posting, i) => {
    sum += posting.amount;
    if (posting.amount === 0n) problems.push(`posting ${i} (${posting.account}) is zero`);
    if (parseAccountKey(posting.account) === null) {
      problems.push(`posting ${i} names no account: ${JSON.stringify(posting.account)}`);
    }
  });
  if (sum !== 0n) problems.push(`postings sum to ${sum}, not 0`);

  if (problems.length === 0) return;
  throw new LedgerError(
    'unbalanced_entry',
    `entry ${entryKey(entry)} breaks the ledger rules: ${problems.join('; ')}`,
    problems,
  );
}
