import { describe, expect, it } from 'vitest';
import { isTimeZone, maxDistributionDepth, normalizeDomain } from './tenant-settings';

describe('maxDistributionDepth', () => {
  it('pays the promoter and at most one inviter under CN, three levels elsewhere', () => {
    expect(maxDistributionDepth('CN')).toBe(2);
    expect(maxDistributionDepth('GLOBAL')).toBe(3);
  });
});

describe('isTimeZone', () => {
  it('knows IANA zones and refuses others', () => {
    expect(isTimeZone('Asia/Shanghai')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
  });
});

describe('normalizeDomain', () => {
  it.each([
    ['Shop.Example.COM', 'shop.example.com'],
    ['例子.中国', 'xn--fsqu00a.xn--fiqs8s'],
    ['m.shop.example.com', 'm.shop.example.com'],
  ])('normalises %s', (input, expected) => {
    expect(normalizeDomain(input)).toBe(expected);
  });

  it.each([
    'https://shop.example.com',
    'shop.example.com/path',
    'user@shop.example.com',
    'shop.example.com:8443',
    '*.example.com',
    'localhost',
    '127.0.0.1',
    '[::1]',
    'shop..example.com',
    '-bad.example.com',
    'shop.example.com\\evil.com',
    'shop%2eexample.com',
    '',
  ])('refuses %j', (input) => {
    expect(normalizeDomain(input)).toBeNull();
  });
});
