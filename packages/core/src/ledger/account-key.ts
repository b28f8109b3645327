import { LedgerError } from './ledger-error';

/**
 * Ledger accounts, per tenant and currency. Keys are strings so they can be stored and indexed
 * as they are: the platform's own accounts are bare names, a promoter's accounts are
 * `<kind>:<promoterId>`.
 *
 * Postings are debit-positive (see `journal-entry.ts`), so `balances` shows what we owe a
 * promoter (pending, available, held) as a negative number and what a promoter owes us
 * (receivable) as a positive one.
 *
 * @example
 *   accounts.promoterPending('prm_01jd7s5m3q') // => 'promoter_pending:prm_01jd7s5m3q'
 *   parseAccountKey('promoter_held:prm_01jd7s5m3q')
 *   // => { kind: 'promoter_held', promoterId: 'prm_01jd7s5m3q' }
 */
export const PLATFORM_ACCOUNT_KINDS = [
  'commission_expense',
  'payout_in_transit',
  'tax_withheld',
] as const;

/** A promoter's commission inside the lock period, after it, held by a dispute, owed to us. */
export const PROMOTER_ACCOUNT_KINDS = [
  'promoter_pending',
  'promoter_available',
  'promoter_held',
  'promoter_receivable',
] as const;

export type PlatformAccountKind = (typeof PLATFORM_ACCOUNT_KINDS)[number];
export type PromoterAccountKind = (typeof PROMOTER_ACCOUNT_KINDS)[number];
export type AccountKind = PlatformAccountKind | PromoterAccountKind;

export type Account =
  | { kind: PlatformAccountKind }
  | { kind: PromoterAccountKind; promoterId: string };

export type AccountKey = PlatformAccountKind | `${PromoterAccountKind}:${string}`;

/** Our promoter ids (`prm_…`) and test ids alike; never a separator or white space. */
const PROMOTER_ID = /^[A-Za-z0-9_-]{1,64}$/;

const isPlatformKind = (kind: string): kind is PlatformAccountKind =>
  (PLATFORM_ACCOUNT_KINDS as readonly string[]).includes(kind);

const isPromoterKind = (kind: string): kind is PromoterAccountKind =>
  (PROMOTER_ACCOUNT_KINDS as readonly string[]).includes(kind);

/** The key of an account; throws `LedgerError('invalid_account')` for a malformed promoter id. */
export function accountKey(account: Account): AccountKey {
  if (!('promoterId' in account)) return account.kind;
  if (!PROMOTER_ID.test(account.promoterId)) {
    throw new LedgerError(
      'invalid_account',
      `promoter id ${JSON.stringify(account.promoterId)} cannot name a ledger account`,
    );
  }
  return `${account.kind}:${account.promoterId}`;
}

/** The account a key names, or null when it names none. */
export function parseAccountKey(key: string): Account | null {
  if (isPlatformKind(key)) return { kind: key };
  const colon = key.indexOf(':');
  if (colon < 0) return null;
  const kind = key.slice(0, colon);
  const promoterId = key.slice(colon + 1);
  if (!isPromoterKind(kind) || !PROMOTER_ID.test(promoterId)) return null;
  return { kind, promoterId };
}

/** Typed shorthands for the keys the entry builders post to. */
export const accounts = {
  commissionExpense: 'commission_expense',
  payoutInTransit: 'payout_in_transit',
  taxWithheld: 'tax_withheld',
  promoterPending: (promoterId: string) => accountKey({ kind: 'promoter_pending', promoterId }),
  promoterAvailable: (promoterId: string) => accountKey({ kind: 'promoter_available', promoterId }),
  promoterHeld: (promoterId: string) => accountKey({ kind: 'promoter_held', promoterId }),
  promoterReceivable: (promoterId: string) =>
    accountKey({ kind: 'promoter_receivable', promoterId }),
} as const satisfies Record<string, AccountKey | ((promoterId: string) => AccountKey)>;
