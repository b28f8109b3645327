import { customAlphabet } from 'nanoid';

/**
 * Every id Tuike hands out is `<prefix>_<time><random>`: a 10-character Crockford base32
 * millisecond timestamp followed by 16 random characters. Ids sort by creation time, which
 * keeps cursor pagination and B-tree inserts cheap, and the prefix tells a reader what an id
 * names.
 *
 * @example
 *   newId('promoter') // => 'prm_01jd7s5m3q8x0f4k2v9w6tbz3c'
 */
export const ID_PREFIXES = {
  tenant: 'ten',
  user: 'usr',
  role: 'rol',
  session: 'ses',
  refreshToken: 'rtk',
  apiKey: 'key',
  promoter: 'prm',
  tier: 'tir',
  audit: 'aud',
  request: 'req',
  link: 'lnk',
  click: 'clk',
  conversion: 'cnv',
  commission: 'com',
  refund: 'rfd',
  journalEntry: 'jre',
  withdrawal: 'wdr',
  payoutBatch: 'pob',
  ruleSet: 'rls',
} as const;

export type IdKind = keyof typeof ID_PREFIXES;
export type IdPrefix = (typeof ID_PREFIXES)[IdKind];

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';
const TIME_LENGTH = 10;
const RANDOM_LENGTH = 16;
const randomPart = customAlphabet(CROCKFORD, RANDOM_LENGTH);

function encodeTime(ms: number): string {
  let rest = ms;
  let out = '';
  for (let i = 0; i < TIME_LENGTH; i++) {
    out = CROCKFORD.charAt(rest % 32) + out;
    rest = Math.floor(rest / 32);
  }
  return out;
}

/** A new prefixed, time-sortable id. `now` is injectable so tests can pin time. */
export function newId(kind: IdKind, now: number = Date.now()): string {
  return `${ID_PREFIXES[kind]}_${encodeTime(now)}${randomPart()}`;
}

/**
 * The creation time (ms since the epoch) an id carries, or null when `value` is not an id of
 * `kind`. Clicks are stored under the time of their id, so a click id alone finds its row.
 *
 * @example
 *   timeOfId('click', newId('click', 1_700_000_000_000)) // => 1700000000000
 */
export function timeOfId(kind: IdKind, value: string): number | null {
  if (!isId(kind, value)) return null;
  const start = ID_PREFIXES[kind].length + 1;
  let ms = 0;
  for (let i = start; i < start + TIME_LENGTH; i++)
    ms = ms * 32 + CROCKFORD.indexOf(value.charAt(i));
  return ms;
}

const ID_BODY = new RegExp(`^[${CROCKFORD}]{${TIME_LENGTH + RANDOM_LENGTH}}$`);

/** True when `value` is a well-formed id of the given kind. */
export function isId(kind: IdKind, value: string): boolean {
  const prefix = `${ID_PREFIXES[kind]}_`;
  return value.startsWith(prefix) && ID_BODY.test(value.slice(prefix.length));
}
