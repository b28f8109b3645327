import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ALLOWED, HOSTILE, S } from '../../../tests/fixtures/open-redirect-corpus';
import { checkDestination, isAllowedHost, withUtm } from './link-destination';

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
