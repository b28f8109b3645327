/**
 * Short codes for `/r/:code`. Generated codes are 8 characters of an alphabet without
 * look-alikes (no 0/o, 1/l/i) and without capitals, so they survive being read aloud or
 * retyped from a poster: 31^8 ≈ 8.5 × 10^11 codes; a taken one is retried by the caller.
 * Aliases are chosen by people: 4 to 32 of [A-Za-z0-9_-], minus reserved words.
 */
export const LINK_CODE_ALPHABET = '23456789abcdefghjkmnpqrstuvwxyz';
export const LINK_CODE_LENGTH = 8;
export const ALIAS_PATTERN = /^[A-Za-z0-9_-]{4,32}$/;

// Largest multiple of the alphabet size below 256: bytes above it are dropped, not folded,
// so every character is equally likely (the rejection sampling nanoid's customAlphabet does).
const UNBIASED_LIMIT = 256 - (256 % LINK_CODE_ALPHABET.length);

/** A new random link code from the Web Crypto generator (runs on Node and Workers). */
export function newLinkCode(length = LINK_CODE_LENGTH): string {
  let code = '';
  while (code.length < length) {
    for (const byte of crypto.getRandomValues(new Uint8Array(length * 2))) {
      if (byte < UNBIASED_LIMIT && code.length < length) {
        code += LINK_CODE_ALPHABET.charAt(byte % LINK_CODE_ALPHABET.length);
      }
    }
  }
  return code;
}

/**
 * Words an alias may not be, compared in lower case: paths the service answers itself or may
 * answer one day, and names that would make a link look official.
 */
const RESERVED_ALIASES = new Set([
  'r',
  't',
  'v1',
  'v2',
  'api',
  'admin',
  'docs',
  'doc',
  'healthz',
  'readyz',
  'livez',
  'metrics',
  'openapi',
  'openapi-json',
  'static',
  'assets',
  'login',
  'logout',
  'signin',
  'signup',
  'register',
  'auth',
  'oauth',
  'callback',
  'account',
  'settings',
  'dashboard',
  'console',
  'status',
  'help',
  'support',
  'about',
  'terms',
  'privacy',
  'favicon',
  'robots',
  'sitemap',
  'well-known',
  'null',
  'undefined',
  'tuike',
  'wechat',
  'weixin',
  'wxacode',
  'links',
  'promoters',
  'www',
]);

export function isReservedAlias(alias: string): boolean {
  return RESERVED_ALIASES.has(alias.toLowerCase());
}

/**
 * The codes an alias must not clash with: itself and its all-lower and all-upper spellings.
 * Every generated code is lower case, so this refuses any alias that differs only by case from
 * a generated code or from an all-lower/all-upper alias, with index lookups only; two
 * mixed-case aliases that differ only by case can both exist (that would need an index on
 * lower(code)).
 */
export function aliasSpellings(alias: string): string[] {
  return [...new Set([alias, alias.toLowerCase(), alias.toUpperCase()])];
}
