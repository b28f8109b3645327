import { normalizeDomain } from '@tuike/core';

/**
 * The open-redirect defence. A link's destination is checked once, when it is stored; the
 * redirect only ever sends visitors to a stored, checked destination. The check is strict on
 * purpose: it works on the raw text as well as on the parsed URL, because a string that one
 * parser reads one way and a browser another is the classic way round an allowlist.
 *
 * Host rule: the host must equal one of the tenant's allowed domains or be a subdomain of one
 * (`m.shop.example.com` under `shop.example.com`), compared label-wise after IDN → punycode.
 */

export const DESTINATION_MAX_LENGTH = 2048;

export const UTM_KEYS = ['source', 'medium', 'campaign', 'term', 'content'] as const;
export type UtmKey = (typeof UTM_KEYS)[number];
/** UTM values by key without the `utm_` prefix, as the API takes and shows them. */
export type Utm = Partial<Record<UtmKey, string>>;

export type DestinationCheck = { ok: true; href: string } | { ok: false; reason: string };

// Controls (C0, C1, DEL), invisible format characters (soft hyphen, zero-width, bidi, BOM),
// every kind of space, and the backslash that browsers read as a slash.
const FORBIDDEN_CHAR = /[\p{Cc}\p{Cf}\p{Z}\\]/u;
// Percent-encoded controls: a CR/LF or NUL decoded somewhere downstream.
const ENCODED_CONTROL = /%(?:[01][0-9a-f]|7f)/i;
// Percent-encoded slash, backslash, dot or percent (double encoding) in the path: the usual
// ways to smuggle `//host` past one decoder and into another.
const ENCODED_PATH_TRICK = /%(?:2f|5c|2e|25)/i;
const RAW_SHAPE = /^https:\/\/([^/?#]*)([^?#]*)/i;
// Letters (any script, for IDN), marks, digits, dots and hyphens: nothing IDNA would rewrite.
const RAW_HOST = /^[\p{L}\p{M}\p{N}.-]+$/u;

const refuse = (reason: string): DestinationCheck => ({ ok: false, reason });

/** Checks the text between `https://` and the path; returns why it is refused, or null. */
function authorityProblem(authority: string): string | null {
  if (authority === '') return 'must name a host after https://';
  if (authority.includes('@')) return 'must not carry a user name or password (@)';
  if (authority.includes('%')) return 'the host must not be percent-encoded';
  if (authority.includes('[') || authority.includes(']')) return 'must not be an IP address';
  const colon = authority.indexOf(':');
  const host = colon === -1 ? authority : authority.slice(0, colon);
  if (colon !== -1 && authority.slice(colon + 1) !== '443') {
    return 'must use the default https port';
  }
  if (!RAW_HOST.test(host)) return 'the host has characters a host name cannot have';
  return null;
}

/** True when `host` is one of `allowed` or a subdomain of one (label boundary, not suffix). */
export function isAllowedHost(host: string, allowed: readonly string[]): boolean {
  return allowed.some((domain) => host === domain || host.endsWith(`.${domain}`));
}

/**
 * Checks a destination a link should send visitors to and returns its normalised form
 * (`URL.href`: lower-case punycode host, no default port), or why it is refused.
 *
 * @example
 *   checkDestination('https://Shop.Example.com/p/1', ['shop.example.com'])
 *   // => { ok: true, href: 'https://shop.example.com/p/1' }
 *   checkDestination('https://shop.example.com@evil.com/', ['shop.example.com']).ok // => false
 */
export function checkDestination(raw: string, allowedDomains: readonly string[]): DestinationCheck {
  if (raw.length > DESTINATION_MAX_LENGTH) {
    return refuse(`must be at most ${DESTINATION_MAX_LENGTH} characters`);
  }
  if (FORBIDDEN_CHAR.test(raw)) {
    return refuse('must not contain spaces, control characters, invisible characters or \\');
  }
  if (ENCODED_CONTROL.test(raw))
    return refuse('must not contain percent-encoded control characters');
  const shape = RAW_SHAPE.exec(raw);
  if (!shape) return refuse('must be an absolute https:// URL');
  const problem = authorityProblem(shape[1] ?? '');
  if (problem) return refuse(problem);
  const rawPath = shape[2] ?? '';
  if (ENCODED_PATH_TRICK.test(rawPath) || rawPath.includes('//')) {
    return refuse('the path must not contain // or percent-encoded /, \\ or .');
  }

  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse('is not a valid URL');
  }
  if (url.protocol !== 'https:' || url.username !== '' || url.password !== '' || url.port !== '') {
    return refuse('must be a plain https:// URL');
  }
  const host = url.hostname;
  if (normalizeDomain(host) !== host) {
    return refuse('the host must be a DNS name (no IP address, no trailing dot)');
  }
  if (allowedDomains.length === 0) {
    return refuse('the tenant has no allowed domains yet; add one in the tenant settings');
  }
  if (!isAllowedHost(host, allowedDomains)) {
    return refuse(`${host} is not one of the tenant's allowed domains or their subdomains`);
  }
  if (url.href.length > DESTINATION_MAX_LENGTH) {
    return refuse(`must be at most ${DESTINATION_MAX_LENGTH} characters once normalised`);
  }
  return { ok: true, href: url.href };
}

/**
 * Sets the `utm_*` query parameters of `utm` on a checked destination with the URL API (never by
 * string concatenation). `previous` names the UTM values applied before: those parameters are
 * removed first, so a removed UTM key disappears from the destination. A destination without
 * UTM changes is returned untouched (re-serialising a query can change its encoding).
 */
export function withUtm(href: string, utm: Utm | null, previous: Utm | null = null): string {
  const stale = UTM_KEYS.filter((key) => previous?.[key] !== undefined);
  const fresh = UTM_KEYS.filter((key) => utm?.[key] !== undefined);
  if (stale.length === 0 && fresh.length === 0) return href;

  const url = new URL(href);
  for (const key of stale) url.searchParams.delete(`utm_${key}`);
  for (const key of fresh) url.searchParams.set(`utm_${key}`, utm?.[key] ?? '');
  return url.href;
}
