import { describe, expect, it } from 'vitest';
import {
  ALIAS_PATTERN,
  aliasSpellings,
  isReservedAlias,
  LINK_CODE_ALPHABET,
  LINK_CODE_LENGTH,
  newLinkCode,
} from './link-code';

describe('newLinkCode', () => {
  it('makes 8 characters of the alphabet without look-alikes, valid as aliases too', () => {
    for (let i = 0; i < 200; i++) {
      const code = newLinkCode();
      expect(code).toHaveLength(LINK_CODE_LENGTH);
      expect(code).toMatch(/^[23456789abcdefghjkmnpqrstuvwxyz]+$/);
      expect(code).toMatch(ALIAS_PATTERN);
    }
    expect(LINK_CODE_ALPHABET).not.toMatch(/[01ilo]/);
  });

  it('uses every character about equally often', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 4000; i++) {
      for (const ch of newLinkCode()) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    }
    const expected = (4000 * LINK_CODE_LENGTH) / LINK_CODE_ALPHABET.length;
    expect(counts.size).toBe(LINK_CODE_ALPHABET.length);
    for (const n of counts.values()) expect(Math.abs(n - expected) / expected).toBeLessThan(0.2);
  });
});

describe('aliases', () => {
  it('refuses reserved words in any case', () => {
    for (const word of ['admin', 'ADMIN', 'Docs', 'healthz', 'login', 'metrics']) {
      expect(isReservedAlias(word), word).toBe(true);
    }
    expect(isReservedAlias('summer-26')).toBe(false);
  });

  it('checks an alias against its lower- and upper-case spellings', () => {
    expect(aliasSpellings('Summer')).toEqual(['Summer', 'summer', 'SUMMER']);
    expect(aliasSpellings('abcd')).toEqual(['abcd', 'ABCD']);
    expect(aliasSpellings('2026')).toEqual(['2026']);
  });

  it('takes 4 to 32 letters, digits, _ and -', () => {
    for (const ok of ['abcd', 'Sale_2026-11', 'a'.repeat(32)]) expect(ok).toMatch(ALIAS_PATTERN);
    for (const bad of ['abc', 'a'.repeat(33), 'a b c', 'a/bc', 'a.bcd', '促销活动', 'ab%20']) {
      expect(bad).not.toMatch(ALIAS_PATTERN);
    }
  });
});
