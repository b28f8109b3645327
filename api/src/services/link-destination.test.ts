import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkDestination, isAllowedHost, withUtm } from './link-destination';

const ALLOWED = ['shop.example.com', 'xn--fsqu00a.xn--fiqs8s'];
const S = 'shop.example.com';

/** Schemes, relative and scheme-relative forms, encodings of the scheme and of `//`. */
const SCHEME_TRICKS = [
  `http://${S}/`,
  `HTTP://${S}/`,
  'javascript:alert(1)',
  'JavaScript:alert(document.domain)',
  `javascript://${S}/%0aalert(1)`,
  `javascript:https://${S}/`,
  'data:text/html,<script>alert(1)</script>',
  'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
  `data:,https://${S}/`,
  'vbscript:msgbox(1)',
  `ftp://${S}/`,
  'file:///etc/passwd',
  `ws://${S}/`,
  `wss://${S}/`,
  `blob:https://${S}/0b7c1c7e`,
  `view-source:https://${S}/`,
  `https:${S}`,
  `https:/${S}`,
  `https:\\\\${S}`,
  `https:/\\${S}`,
  `https:///${S}`,
  'https:////evil.com',
  'https:///evil.com',
  '//evil.com',
  `//${S}`,
  '///evil.com',
  '////evil.com',
  '/\\evil.com',
  '\\/evil.com',
  '\\\\evil.com',
  '\\evil.com',
  '/%2Fevil.com',
  '/%5Cevil.com',
  '%2F%2Fevil.com',
  '%5C%5Cevil.com',
  'https%3A%2F%2Fevil.com',
  'https%3a//evil.com',
  `https%3A%2F%2F${S}`,
  'evil.com',
  S,
  '/path',
  '?next=https://evil.com',
  '#https://evil.com',
  '',
  'https://',
  'https://?x',
  'https://#x',
  'https://:443/',
  `hxxps://${S}/`,
  `https ://${S}/`,
  `https//${S}/`,
  `https:://${S}/`,
  `%68ttps://${S}/`,
  `&#104;ttps://${S}/`,
];

/** Hosts that are not on the list, look like it, or wrap it. */
const HOST_TRICKS = [
  'https://evil.com/',
  'https://example.com/',
  'https://www.example.com/',
  'https://shop.example.co/',
  `https://${S}.evil.com/`,
  `https://${S}.evil.com/${S}`,
  'https://evilshop.example.com/',
  'https://evil-shop.example.com/',
  'https://shop-example.com/',
  'https://shopexample.com/',
  `https://${S}evil.com/`,
  'https://shop.example.comevil.com/',
  `https://${S}@evil.com/`,
  `https://${S}:pass@evil.com/`,
  `https://${S}:443@evil.com/`,
  `https://user@${S}/`,
  `https://user:pass@${S}/`,
  `https://@${S}/`,
  `https://:@${S}/`,
  `https://evil.com@${S}/`,
  `https://evil.com%40${S}/`,
  `https://${S}%40evil.com/`,
  `https://${S}%2eevil.com/`,
  `https://${S}%2Eevil.com/`,
  'https://shop%2eexample.com/',
  `https://${S}%2f@evil.com/`,
  `https://${S}%2F.evil.com/`,
  `https://${S}%5c.evil.com/`,
  `https://${S}%5C@evil.com/`,
  `https://evil.com%2f.${S}/`,
  `https://evil.com%23.${S}/`,
  `https://evil.com%3f.${S}/`,
  `https://${S}%00.evil.com/`,
  `https://${S}%252eevil.com/`,
  `https://evil.com#.${S}/`,
  `https://evil.com?.${S}/`,
  `https://evil.com/.${S}/`,
  `https://evil.com\\.${S}/`,
  `https://evil.com\\@${S}/`,
  `https://${S}\\@evil.com/`,
  `https://${S}\\evil.com/`,
  `https://${S}&@evil.com#@x`,
  `https://${S};@evil.com/`,
  `https://${S},evil.com/`,
  'https://*.shop.example.com/',
  `https://${S}*/`,
  'https://shop_example.com/',
  'https://a-.shop.example.com/',
  'https://-a.shop.example.com/',
  'https://localhost/',
  'https://evil.com/?shop.example.com',
  'https://xn--shop.example.com/',
  'https://xn--zz.com/',
  'https://xn--.shop.example.com/',
  // Look-alikes: Cyrillic о, ѕ and а, as typed and as punycode.
  'https://shоp.example.com/',
  'https://ѕhop.example.com/',
  'https://shop.exаmple.com/',
  'https://xn--shp-ted.example.com/',
  'https://xn--hop-ehd.example.com/',
  'https://shop.xn--exmple-4nf.com/',
  'https://xn--pple-43d.com/',
  // Unicode punctuation that a reader takes for a dot, slash, backslash, @, ? or #.
  `https://${S}。evil.com/`,
  'https://shop．example．com/',
  `https://${S}․evil.com/`,
  `https://${S}⁄evil.com/`,
  `https://${S}∕evil.com/`,
  `https://${S}／evil.com/`,
  `https://${S}＼evil.com/`,
  `https://${S}﹫evil.com/`,
  `https://${S}＠evil.com/`,
  `https://${S}？.evil.com/`,
  `https://${S}＃.evil.com/`,
  'https://evil⒈com/',
  'https://例子.中国.evil.com/',
  'https://例子.中国evil.com/',
  'https://shop.exa\u00admple.com/',
];

/** IP literals in every spelling the URL parser folds into an address. */
const IP_TRICKS = [
  'https://127.0.0.1/',
  'https://2130706433/',
  'https://0x7f000001/',
  'https://0x7f.0.0.1/',
  'https://0177.0.0.1/',
  'https://017700000001/',
  'https://127.1/',
  'https://127.0.1/',
  'https://0/',
  'https://0.0.0.0/',
  'https://10.0.0.1/',
  'https://192.168.1.1/',
  'https://3232235777/',
  'https://0xC0A80101/',
  'https://169.254.169.254/',
  'https://1.1.1.1/',
  'https://１２７.０.０.１/',
  'https://[::1]/',
  'https://[::]/',
  'https://[::ffff:127.0.0.1]/',
  'https://[0:0:0:0:0:ffff:7f00:1]/',
  'https://[fe80::1%25eth0]/',
  `https://[${S}]/`,
  'https://shop.example.com.127.0.0.1/',
];

/** Ports, trailing dots, empty labels. */
const SHAPE_TRICKS = [
  `https://${S}:8443/`,
  `https://${S}:80/`,
  `https://${S}:0/`,
  `https://${S}:444/`,
  `https://${S}:65535/`,
  `https://${S}:443443/`,
  `https://${S}:/`,
  `https://${S}:0443/`,
  `https://${S}:+443/`,
  `https://${S}:44%33/`,
  `https://${S}:443:443/`,
  `https://${S}./`,
  `https://${S}.`,
  `https://${S}../`,
  `https://m.${S}./`,
  `https://.${S}/`,
  'https://shop..example.com/',
];

/** Path tricks on an allowed host: what a merchant's own redirector might decode into `//host`. */
const PATH_TRICKS = [
  `https://${S}//evil.com`,
  `https://${S}///evil.com`,
  `https://${S}/\\evil.com`,
  `https://${S}/%2F%2Fevil.com`,
  `https://${S}/%2f%2fevil.com`,
  `https://${S}/%5C%5Cevil.com`,
  `https://${S}/%5cevil.com`,
  `https://${S}/%2e%2e/%2e%2e/admin`,
  `https://${S}/%2E%2E%2F`,
  `https://${S}/a%2fb`,
  `https://${S}/%252F%252Fevil.com`,
  `https://${S}/%0d%0aLocation:%20https://evil.com`,
  `https://${S}/?x=%0D%0ASet-Cookie:a=b`,
  `https://${S}/%00`,
  `https://${S}/?q=%09`,
  `https://${S}/%7f`,
  `https://${S}/${'a'.repeat(2048)}`,
];

/** Controls, spaces and invisible characters, each put at four places of a good URL. */
const INVISIBLE = [
  '\r',
  '\n',
  '\r\n',
  '\t',
  '\0',
  '\v',
  '\f',
  '\x1b',
  '\x7f',
  '\x85',
  ' ',
  '\u00a0',
  '\u00ad',
  '\u180e',
  '\u200b',
  '\u200c',
  '\u200d',
  '\u200e',
  '\u202e',
  '\u2028',
  '\u2029',
  '\u2060',
  '\u2066',
  '\u3000',
  '\ufeff',
];
const CONTROL_TRICKS = INVISIBLE.flatMap((ch) => [
  `${ch}https://${S}/`,
  `https://${ch}${S}/`,
  `https://shop${ch}.example.com/`,
  `https://${S}/p${ch}ath`,
]);

const HOSTILE = [
  ...SCHEME_TRICKS,
  ...HOST_TRICKS,
  ...IP_TRICKS,
  ...SHAPE_TRICKS,
  ...PATH_TRICKS,
  ...CONTROL_TRICKS,
];

describe('checkDestination - the open-redirect corpus', () => {
  it('holds at least 200 hostile destinations', () => {
    expect(new Set(HOSTILE).size).toBeGreaterThanOrEqual(200);
  });

  it('refuses every hostile destination', () => {
    const accepted = HOSTILE.filter((raw) => checkDestination(raw, ALLOWED).ok);
    expect(accepted).toEqual([]);
  });

  it('refuses everything while the tenant has no allowed domain', () => {
    const check = checkDestination(`https://${S}/`, []);
    expect(check).toMatchObject({ ok: false, reason: expect.stringContaining('allowed domains') });
  });

  it('says why, naming the rule', () => {
    const reason = (raw: string) => {
      const check = checkDestination(raw, ALLOWED);
      return check.ok ? 'accepted' : check.reason;
    };
    expect(reason(`http://${S}/`)).toContain('https');
    expect(reason(`https://${S}@evil.com/`)).toContain('user name');
    expect(reason(`https://${S}:8443/`)).toContain('port');
    expect(reason('https://2130706433/')).toContain('DNS name');
    expect(reason(`https://${S}.evil.com/`)).toContain('allowed domains');
    expect(reason(`https://${S}/\r\n`)).toContain('control');
  });
});

describe('checkDestination - legitimate destinations', () => {
  it.each([
    [`https://${S}`, `https://${S}/`],
    [`https://${S}/`, `https://${S}/`],
    ['https://SHOP.Example.COM/P/1?X=1#Top', `https://${S}/P/1?X=1#Top`],
    [`HTTPS://${S}/p`, `https://${S}/p`],
    [`https://m.${S}/p`, `https://m.${S}/p`],
    [`https://a.b.${S}/`, `https://a.b.${S}/`],
    [`https://${S}:443/p`, `https://${S}/p`],
    ['https://例子.中国/路径', 'https://xn--fsqu00a.xn--fiqs8s/%E8%B7%AF%E5%BE%84'],
    ['https://www.例子.中国/', 'https://www.xn--fsqu00a.xn--fiqs8s/'],
    [
      `https://${S}/search?q=a%20b&next=https%3A%2F%2F${S}%2Fcart`,
      `https://${S}/search?q=a%20b&next=https%3A%2F%2F${S}%2Fcart`,
    ],
    [`https://${S}/p?utm_source=wechat`, `https://${S}/p?utm_source=wechat`],
    [`https://${S}/a-b_c~d/e.html#frag`, `https://${S}/a-b_c~d/e.html#frag`],
    [`https://${S}/p?a=1&a=2&b=`, `https://${S}/p?a=1&a=2&b=`],
    [`https://${S}/%E4%BA%A7%E5%93%81`, `https://${S}/%E4%BA%A7%E5%93%81`],
    [`https://xn--80ak6aa92e.${S}/`, `https://xn--80ak6aa92e.${S}/`],
  ])('accepts %s as %s', (raw, href) => {
    expect(checkDestination(raw, ALLOWED)).toEqual({ ok: true, href });
  });

  it('keeps the promise for any URL it accepts: https, an allowed host, no userinfo or port', () => {
    const bit = fc.constantFrom('', '', '', '@', '.', ':443', ':8443', '%2e', '\\', '/', '#', '?');
    const host = fc.constantFrom(
      S,
      `M.${S}`,
      'evil.com',
      `${S}.evil.com`,
      '127.0.0.1',
      '例子.中国',
    );
    const scheme = fc.constantFrom('https://', 'https://', 'HTTPS://', 'http://', '//', 'https:');
    const candidate = fc
      .tuple(scheme, bit, host, bit, fc.webPath(), fc.webQueryParameters(), fc.webFragments())
      .map(([sc, a, h, b, path, query, hash]) => `${sc}${a}${h}${b}${path}?${query}#${hash}`);
    let accepted = 0;
    fc.assert(
      fc.property(candidate, (raw) => {
        const check = checkDestination(raw, ALLOWED);
        if (!check.ok) return;
        accepted++;
        const url = new URL(check.href);
        expect(url.protocol).toBe('https:');
        expect(isAllowedHost(url.hostname, ALLOWED)).toBe(true);
        expect(url.username + url.password + url.port).toBe('');
        expect(checkDestination(check.href, ALLOWED)).toEqual(check);
      }),
      { numRuns: 2000 },
    );
    expect(accepted).toBeGreaterThan(10);
  });
});

describe('isAllowedHost', () => {
  it('matches the domain and its subdomains on a label boundary only', () => {
    expect(isAllowedHost(S, [S])).toBe(true);
    expect(isAllowedHost(`m.${S}`, [S])).toBe(true);
    expect(isAllowedHost(`evil${S}`, [S])).toBe(false);
    expect(isAllowedHost('example.com', [S])).toBe(false);
  });
});

describe('withUtm', () => {
  it('sets utm_* parameters with the URL API, encoding values', () => {
    const href = withUtm(`https://${S}/p?a=1#top`, { source: 'wechat', campaign: '双十一 & more' });
    const url = new URL(href);
    expect(url.searchParams.get('a')).toBe('1');
    expect(url.searchParams.get('utm_source')).toBe('wechat');
    expect(url.searchParams.get('utm_campaign')).toBe('双十一 & more');
    expect(url.hash).toBe('#top');
    expect(href).not.toContain(' ');
  });

  it('replaces the previous UTM set and leaves a destination without UTM untouched', () => {
    const first = withUtm(`https://${S}/p?q=a%20b`, { source: 'a', medium: 'b' });
    const second = withUtm(first, { source: 'c' }, { source: 'a', medium: 'b' });
    expect(new URL(second).search).toBe('?q=a+b&utm_source=c');
    expect(withUtm(`https://${S}/p?q=a%20b`, null)).toBe(`https://${S}/p?q=a%20b`);
  });

  it('cannot be used to change the host', () => {
    const href = withUtm(`https://${S}/`, { source: '@evil.com/#', content: '//evil.com' });
    expect(new URL(href).hostname).toBe(S);
    expect(checkDestination(href, ALLOWED).ok).toBe(true);
  });
});
