/**
 * The commission ledger: balanced, append-only journal entries built from facts (accruals,
 * refunds, disputes, fraud rejections) and balances derived from them. Pure: a service writes
 * the entries, each once by its `(sourceType, sourceId, purpose)` key, in one transaction.
 *
 * @example
 *   const entries = [
 *     ...accrualEntries([{ id: 'com_1', beneficiaryId: 'prm_a', amount: 100n, currency: 'CNY' }]),
 *     ...clawbackForRefund({
 *       refundId: 're_1', currency: 'CNY', chargeAmount: 1000n, refundedBefore: 0n,
 *       refundAmount: 1000n, roundingKey: 'down',
 *       lines: [{ id: 'com_1', beneficiaryId: 'prm_a', amount: 100n }],
 *     }).entries,
 *   ];
 *   balanceOf(balances(entries), 'CNY', accounts.promoterPending('prm_a')) // => 0n
 */
export {
  type Account,
  type AccountKey,
  type AccountKind,
  accountKey,
  accounts,
  PLATFORM_ACCOUNT_KINDS,
  type PlatformAccountKind,
  PROMOTER_ACCOUNT_KINDS,
  type PromoterAccountKind,
  parseAccountKey,
} from './account-key';
export { accrualEntries } from './accrual-entries';
export { type Balances, balanceOf, balances, type TrialBalance, trialBalance } from './balances';
export {
  clawbackForRefund,
  type LineClawback,
  type RefundClawback,
  type RefundClawbackInput,
  type RemainingInput,
  remainingAfterRefunds,
} from './clawback-for-refund';
export {
  type DisputeInput,
  disputeLostEntries,
  holdEntries,
  releaseHoldEntries,
} from './hold-entries';
export {
  assertBalanced,
  ENTRY_PURPOSES,
  ENTRY_SOURCE_TYPES,
  type EntryPurpose,
  type EntrySourceType,
  entryKey,
  type JournalEntry,
  type Posting,
} from './journal-entry';
export { LEDGER_ERROR_CODES, LedgerError, type LedgerErrorCode } from './ledger-error';
export type { AccrualLine, LedgerLine } from './ledger-line';
export { type ReviewInput, type ReviewStep, reviewEntries } from './review-entries';
export { voidEntries } from './void-entries';
