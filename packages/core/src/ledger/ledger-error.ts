/**
 * The ledger module reports broken rules by throwing a `LedgerError` with a code from this
 * closed list; it never returns errors as values. Every code names input that a caller should
 * have refused earlier (a refund above its charge, an unbalanced entry), so a service maps
 * them to a 4xx when the input came from outside and treats them as bugs otherwise.
 */
export const LEDGER_ERROR_CODES = [
  'invalid_account',
  'invalid_line',
  'invalid_refund',
  'refund_exceeds_charge',
  'unbalanced_entry',
] as const;

export type LedgerErrorCode = (typeof LEDGER_ERROR_CODES)[number];

export class LedgerError extends Error {
  override readonly name = 'LedgerError';
  readonly code: LedgerErrorCode;
  /** One message per rule broken, for `unbalanced_entry`; empty otherwise. */
  readonly problems: readonly string[];

  constructor(code: LedgerErrorCode, message: string, problems: readonly string[] = []) {
    super(message);
    this.code = code;
    this.problems = problems;
  }
}
