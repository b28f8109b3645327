/**
 * Exact IPv4 and IPv6 CIDR matching on `bigint`s, with no dependencies. IPv4-mapped IPv6
 * addresses (`::ffff:192.0.2.1`) are read as the IPv4 address they carry, so one IPv4 range
 * covers a client whichever way the runtime reports it.
 *
 * @example
 *   matchCidr('::ffff:203.0.113.9', ['203.0.113.0/24', '2001:db8::/32']) // => '203.0.113.0/24'
 */

export type IpVersion = 4 | 6;

export interface IpAddress {
  version: IpVersion;
  value: bigint;
}

export interface Cidr {
  version: IpVersion;
  /** The first address of the range; its host bits are zero. */
  network: bigint;
  prefix: number;
}

const BITS: Record<IpVersion, number> = { 4: 32, 6: 128 };
// No leading zeros: `010` is octal to some parsers and decimal to others.
const DECIMAL_OCTET = /^(0|[1-9][0-9]{0,2})$/;
const HEX_GROUP = /^[0-9a-f]{1,4}$/i;
const PREFIX = /^(0|[1-9][0-9]{0,2})$/;
const MAPPED_PREFIX = 0xffffn;

function parseIpv4(text: string): bigint | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let value = 0n;
  for (const part of parts) {
    if (!DECIMAL_OCTET.test(part)) return null;
    const octet = Number(part);
    if (octet > 255) return null;
    value = (value << 8n) | BigInt(octet);
  }
  return value;
}

/** 16-bit words of a colon-separated run; a dotted IPv4 is allowed as the last part only. */
function wordsOf(run: string, mayEndInIpv4: boolean): bigint[] | null {
  if (run === '') return [];
  const parts = run.split(':');
  const words: bigint[] = [];
  for (const [i, part] of parts.entries()) {
    if (mayEndInIpv4 && i === parts.length - 1 && part.includes('.')) {
      const v4 = parseIpv4(part);
      if (v4 === null) return null;
      words.push(v4 >> 16n, v4 & 0xffffn);
    } else if (HEX_GROUP.test(part)) {
      words.push(BigInt(`0x${part}`));
    } else {
      return null;
    }
  }
  return words;
}

/** Parses IPv6 text without mapping: zone ids and brackets are refused. */
function parseIpv6(text: string): bigint | null {
  const halves = text.split('::');
  if (halves.length > 2) return null;

  const compressed = halves.length === 2;
  const head = wordsOf(halves[0] ?? '', !compressed);
  const tail = compressed ? wordsOf(halves[1] ?? '', true) : [];
  if (head === null || tail === null) return null;

  const given = head.length + tail.length;
  if (compressed ? given > 7 : given !== 8) return null;

  const words = [...head, ...Array<bigint>(8 - given).fill(0n), ...tail];
  return words.reduce((value, word) => (value << 16n) | word, 0n);
}

function isMapped(value: bigint): boolean {
  return value >> 32n === MAPPED_PREFIX;
}

/** Parses an IP address; IPv4-mapped IPv6 comes back as IPv4. Null when it is not one. */
export function parseIp(text: string): IpAddress | null {
  const raw = text.trim();
  if (raw.length === 0 || raw.length > 45) return null;

  if (!raw.includes(':')) {
    const v4 = parseIpv4(raw);
    return v4 === null ? null : { version: 4, value: v4 };
  }

  const v6 = parseIpv6(raw);
  if (v6 === null) return null;
  return isMapped(v6) ? { version: 4, value: v6 & 0xffffffffn } : { version: 6, value: v6 };
}

/**
 * Parses `address/prefix`. Host bits must be zero (`10.0.0.1/8` is refused as a likely typo),
 * and a range inside `::ffff:0:0/96` becomes the IPv4 range it maps.
 */
export function parseCidr(text: string): Cidr | null {
  const parts = text.trim().split('/');
  if (parts.length !== 2) return null;
  const [addressText = '', prefixText = ''] = parts;
  if (!PREFIX.test(prefixText)) return null;
  let prefix = Number(prefixText);

  let version: IpVersion;
  let network: bigint | null;
  if (addressText.includes(':')) {
    version = 6;
    network = parseIpv6(addressText);
  } else {
    version = 4;
    network = parseIpv4(addressText);
  }
  if (network === null || prefix > BITS[version]) return null;
  if ((network & hostMask(version, prefix)) !== 0n) return null;

  if (version === 6 && prefix >= 96 && isMapped(network)) {
    version = 4;
    network &= 0xffffffffn;
    prefix -= 96;
  }
  return { version, network, prefix };
}

function hostMask(version: IpVersion, prefix: number): bigint {
  return (1n << BigInt(BITS[version] - prefix)) - 1n;
}

export function isCidr(text: string): boolean {
  return parseCidr(text) !== null;
}

export function cidrContains(cidr: Cidr, ip: IpAddress): boolean {
  if (cidr.version !== ip.version) return false;
  const shift = BigInt(BITS[cidr.version] - cidr.prefix);
  return ip.value >> shift === cidr.network >> shift;
}

// Settings objects are long-lived, so each list is parsed once, keyed by the array itself.
const parsedLists = new WeakMap<readonly string[], { text: string; cidr: Cidr }[]>();

function parsedList(cidrs: readonly string[]): { text: string; cidr: Cidr }[] {
  let parsed = parsedLists.get(cidrs);
  if (!parsed) {
    parsed = [];
    for (const text of cidrs) {
      const cidr = parseCidr(text);
      if (cidr) parsed.push({ text, cidr });
    }
    parsedLists.set(cidrs, parsed);
  }
  return parsed;
}

/**
 * The first range of `cidrs` that holds `ip`, as written in the list; null when none does or
 * `ip` is not an address. Entries that are not CIDRs are skipped (settings validate them).
 */
export function matchCidr(ip: string, cidrs: readonly string[]): string | null {
  const address = parseIp(ip);
  if (!address) return null;
  for (const { text, cidr } of parsedList(cidrs)) {
    if (cidrContains(cidr, address)) return text;
  }
  return null;
}
