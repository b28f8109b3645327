import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cidrContains, matchCidr, parseCidr, parseIp } from './cidr';

const v4Text = (value: number) =>
  [24, 16, 8, 0].map((shift) => String((value >>> shift) & 0xff)).join('.');

const v6Words = (value: bigint) =>
  Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - i * 16)) & 0xffffn));

/** The longest run of zero words (two or more) compressed to `::`, as RFC 5952 writes it. */
function v6Text(value: bigint): string {
  const words = v6Words(value).map((w) => w.toString(16));
  let best = { start: -1, length: 1 };
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && words[j] === '0') j++;
    if (j - i > best.length) best = { start: i, length: j - i };
  }
  if (best.start < 0) return words.join(':');
  const head = words.slice(0, best.start).join(':');
  const tail = words.slice(best.start + best.length).join(':');
  return `${head}::${tail}`;
}

const bits = (value: bigint, width: number) => value.toString(2).padStart(width, '0');

describe('parseIp', () => {
  it.each([
    ['0.0.0.0', 4, 0n],
    ['192.0.2.1', 4, 0xc0000201n],
    ['255.255.255.255', 4, 0xffffffffn],
    ['::', 6, 0n],
    ['::1', 6, 1n],
    ['2001:db8::1', 6, 0x20010db8000000000000000000000001n],
    ['2001:DB8:0:0:0:0:0:1', 6, 0x20010db8000000000000000000000001n],
    ['1::', 6, 1n << 112n],
    ['64:ff9b::192.0.2.1', 6, 0x0064ff9b0000000000000000c0000201n],
  ])('reads %s', (text, version, value) => {
    expect(parseIp(text)).toEqual({ version, value });
  });

  it.each(['::ffff:192.0.2.1', '::FFFF:c000:201', '0:0:0:0:0:ffff:192.0.2.1'])(
    'reads the IPv4-mapped %s as IPv4',
    (text) => {
      expect(parseIp(text)).toEqual({ version: 4, value: 0xc0000201n });
    },
  );

  it.each([
    '',
    '1.2.3',
    '1.2.3.4.5',
    '256.1.1.1',
    '01.2.3.4',
    '1.2.3.-4',
    '1.2.3.4/32',
    ':::',
    '1::2::3',
    '12345::',
    '1:2:3:4:5:6:7',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7::8',
    ':1:2:3:4:5:6:7',
    'fe80::1%eth0',
    '[::1]',
    '::ffff:1.2.3',
    '1.2.3.4::',
    '::1.2.3.4:5',
    'g::1',
  ])('refuses %j', (text) => {
    expect(parseIp(text)).toBeNull();
  });

  it('reads back every IPv4 address it is given', () => {
    fc.assert(
      fc.property(fc.nat({ max: 0xffffffff }), (value) => {
        expect(parseIp(v4Text(value))).toEqual({ version: 4, value: BigInt(value) });
      }),
    );
  });

  it('reads back IPv6 addresses, full and compressed', () => {
    const v6 = fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }).filter((v) => v >> 32n !== 0xffffn);
    const sparse = fc
      .array(fc.constantFrom(0, 0, 0, 1, 0xffff, 0xdb8), { minLength: 8, maxLength: 8 })
      .map((ws) => ws.reduce((acc, w) => (acc << 16n) | BigInt(w), 0n))
      .filter((v) => v >> 32n !== 0xffffn);
    fc.assert(
      fc.property(fc.oneof(v6, sparse), (value) => {
        const full = v6Words(value)
          .map((w) => w.toString(16))
          .join(':');
        expect(parseIp(full)).toEqual({ version: 6, value });
        expect(parseIp(v6Text(value))).toEqual({ version: 6, value });
      }),
    );
  });
});

describe('parseCidr', () => {
  it.each([
    ['203.0.113.0/24', { version: 4, network: 0xcb007100n, prefix: 24 }],
    ['0.0.0.0/0', { version: 4, network: 0n, prefix: 0 }],
    ['192.0.2.1/32', { version: 4, network: 0xc0000201n, prefix: 32 }],
    ['2001:db8::/32', { version: 6, network: 0x20010db8n << 96n, prefix: 32 }],
    ['::/0', { version: 6, network: 0n, prefix: 0 }],
    ['::ffff:192.0.2.0/120', { version: 4, network: 0xc0000200n, prefix: 24 }],
  ])('reads %s', (text, cidr) => {
    expect(parseCidr(text)).toEqual(cidr);
  });

  it.each([
    '203.0.113.0',
    '203.0.113.1/24',
    '10.0.0.0/33',
    '10.0.0.0/08',
    '10.0.0.0/-1',
    '10.0.0.0/',
    '/8',
    '10.0.0.0/8/8',
    '2001:db8::1/32',
    '2001:db8::/129',
    'example.com/24',
  ])('refuses %j', (text) => {
    expect(parseCidr(text)).toBeNull();
  });
});

describe('cidrContains', () => {
  const contains = (cidr: string, ip: string) => {
    const range = parseCidr(cidr);
    const address = parseIp(ip);
    if (!range || !address) throw new Error(`bad test input ${cidr} ${ip}`);
    return cidrContains(range, address);
  };

  it('holds both ends of a range and nothing past them', () => {
    expect(contains('203.0.113.0/24', '203.0.113.0')).toBe(true);
    expect(contains('203.0.113.0/24', '203.0.113.255')).toBe(true);
    expect(contains('203.0.113.0/24', '203.0.112.255')).toBe(false);
    expect(contains('203.0.113.0/24', '203.0.114.0')).toBe(false);
    expect(contains('2001:db8:1:2::/64', '2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe(true);
    expect(contains('2001:db8:1:2::/64', '2001:db8:1:3::')).toBe(false);
  });

  it('keeps the two families apart, reading IPv4-mapped addresses as IPv4', () => {
    expect(contains('0.0.0.0/0', '::1')).toBe(false);
    expect(contains('::/0', '192.0.2.1')).toBe(false);
    expect(contains('192.0.2.0/24', '::ffff:192.0.2.77')).toBe(true);
    expect(contains('::ffff:192.0.2.0/120', '192.0.2.77')).toBe(true);
  });

  it('agrees with comparing the leading bits as strings', () => {
    const family = fc.constantFrom(4 as const, 6 as const);
    fc.assert(
      fc.property(
        family.chain((version) => {
          const width = version === 4 ? 32 : 128;
          const value = fc.bigInt({ min: 0n, max: (1n << BigInt(width)) - 1n });
          return fc.tuple(fc.constant(version), value, value, fc.nat({ max: width }));
        }),
        ([version, ip, base, prefix]) => {
          const width = version === 4 ? 32 : 128;
          const host = BigInt(width - prefix);
          const network = (base >> host) << host;
          const expected =
            bits(ip, width).slice(0, prefix) === bits(network, width).slice(0, prefix);
          expect(cidrContains({ version, network, prefix }, { version, value: ip })).toBe(expected);
          expect(cidrContains({ version, network, prefix }, { version, value: network })).toBe(
            true,
          );
        },
      ),
    );
  });
});

describe('matchCidr', () => {
  const ranges = ['10.0.0.0/8', '2600:1f00::/24', '203.0.113.0/24'];

  it('names the first range that holds the address', () => {
    expect(matchCidr('203.0.113.9', ranges)).toBe('203.0.113.0/24');
    expect(matchCidr('::ffff:10.1.2.3', ranges)).toBe('10.0.0.0/8');
    expect(matchCidr('2600:1f18::1', ranges)).toBe('2600:1f00::/24');
  });

  it('answers null for addresses outside every range and for text that is no address', () => {
    expect(matchCidr('192.0.2.1', ranges)).toBeNull();
    expect(matchCidr('2600:2000::1', ranges)).toBeNull();
    expect(matchCidr('not an ip', ranges)).toBeNull();
    expect(matchCidr('10.0.0.1', [])).toBeNull();
  });

  it('skips entries that are not CIDRs', () => {
    expect(matchCidr('10.0.0.1', ['10.0.0.1/8', 'junk', '10.0.0.0/8'])).toBe('10.0.0.0/8');
  });
});
