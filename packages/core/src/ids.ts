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
const ALPHABET_CODES = Array.from(CROCKFORD, (c) => c.charCodeAt(0));

// Ids are made on the hottest paths (a click id per redirect), so the random characters come
// from a pool of crypto-random bytes refilled 4 KiB at a time, each byte's low 5 bits picking
// one of the 32 characters (uniform: 256 is a multiple of 32), and are joined in one call.
const pool = new Uint8Array(4096);
let poolOffset = pool.length;
const codes = new Array<number>(RANDOM_LENGTH);

function randomPart(): string {
  if (poolOffset + RANDOM_LENGTH > pool.length) {
    crypto.getRandomValues(pool);
    poolOffset = 0;
  }
  for (let i = 0; i < RANDOM_LENGTH; i++) {
    codes[i] = ALPHABET_CODES[(pool[poolOffset + i] as number) & 31] as number;
  }
  poolOffset += RANDOM_LENGTH;
  return String.fromCharCode(...codes);
}

let lastMs = Number.NaN;
let lastTime = '';

/** The millisecond as 10 Crockford base32 characters; the last one is kept (many ids per ms). */
function encodeTime(ms: number): string {
  if (ms === lastMs) return lastTime;
  const chars = new Array<number>(TIME_LENGTH);
  let rest = ms;
  for (let i = TIME_LENGTH - 1; i >= 0; i--) {
    chars[i] = ALPHABET_CODES[rest % 32] as number;
    rest = Math.floor(rest / 32);
  }
  lastMs = ms;
  lastTime = String.fromCharCode(...chars);
  return lastTime;
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
