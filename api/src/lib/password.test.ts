import { describe, expect, it } from 'vitest';
import { burnPasswordCheck, DEFAULT_SCRYPT, hashPassword, verifyPassword } from './password';

/** Low cost for the tests that are not about cost. */
const CHEAP = { N: 2 ** 10, r: 8, p: 1 };

describe('hashPassword / verifyPassword', () => {
  it('verifies a password hashed with the production cost', async () => {
    const stored = await hashPassword('correct horse battery staple', DEFAULT_SCRYPT);
    const { N, r, p } = DEFAULT_SCRYPT;
    expect(stored.startsWith(`scrypt$${N}$${r}$${p}$`)).toBe(true);
    expect(await verifyPassword('correct horse battery staple', stored)).toBe(true);
    expect(await verifyPassword('correct horse battery stapl', stored)).toBe(false);
  });

  it('salts: the same password never hashes to the same string', async () => {
    const params = CHEAP;
    const a = await hashPassword('same password here', params);
    const b = await hashPassword('same password here', params);
    expect(a).not.toBe(b);
  });

  it('keeps the parameters in the hash, so verification needs no settings', async () => {
    const cheap = await hashPassword('a password to check', CHEAP);
    expect(cheap.split('$').slice(0, 4)).toEqual(['scrypt', '1024', '8', '1']);
    expect(await verifyPassword('a password to check', cheap)).toBe(true);

    const [scheme, , r, p, salt, hash] = cheap.split('$');
    const otherCost = [scheme, 2 ** 11, r, p, salt, hash].join('$');
    expect(await verifyPassword('a password to check', otherCost)).toBe(false);
  });

  it('treats Unicode spellings of one password alike (NFKC)', async () => {
    const stored = await hashPassword('caf\u00e9 au lait 12', CHEAP);
    expect(await verifyPassword('cafe\u0301 au lait 12', stored)).toBe(true);
  });

  it('answers false for a wrong password', async () => {
    const stored = await hashPassword('the real password', CHEAP);
    expect(await verifyPassword('not the real password', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('answers false for a stored hash in another format or cut short', async () => {
    const good = await hashPassword('a password to check', CHEAP);
    const [, n, r, p, salt, hash] = good.split('$');
    const malformed = [
      '',
      'plain text password',
      'bcrypt$2b$10$abcdefghijklmnopqrstuv',
      `scrypt$${n}$${r}$${p}$${salt}`,
      `scrypt$${n}$${r}$${p}$${salt}$`,
      `argon2$${n}$${r}$${p}$${salt}$${hash}`,
      `scrypt$${n}$${r}$${p}$${salt}$${hash?.slice(0, 10)}`,
    ];
    for (const stored of malformed) {
      expect(await verifyPassword('a password to check', stored), stored).toBe(false);
    }
  });

  it('answers false, never throws, for impossible scrypt parameters', async () => {
    const good = await hashPassword('a password to check', CHEAP);
    const [, n, r, p, salt, hash] = good.split('$');
    const impossible = [
      `scrypt$abc$${r}$${p}$${salt}$${hash}`,
      `scrypt$1000$${r}$${p}$${salt}$${hash}`,
      `scrypt$${n}$${r}$-1$${salt}$${hash}`,
    ];
    for (const stored of impossible) {
      await expect(verifyPassword('a password to check', stored), stored).resolves.toBe(false);
    }
  });

  it('spends a check even when no account matches', async () => {
    await expect(burnPasswordCheck('anything', CHEAP)).resolves.toBeUndefined();
  });
});
