import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * Password hashing with scrypt, a memory-hard function built into Node and Workers
 * (nodejs_compat). Parameters are stored in the hash so they can be raised later; N=2^15,
 * r=8, p=3 is one of OWASP's recommended scrypt settings (about 32 MiB per hash).
 */
export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

export const DEFAULT_SCRYPT: ScryptParams = { N: 2 ** 15, r: 8, p: 3 };
const KEY_LENGTH = 32;

function derive(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const maxmem = 128 * params.N * params.r * 2;
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, { ...params, maxmem }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

/** `scrypt$N$r$p$salt$hash`, salt and hash in base64url. */
export async function hashPassword(
  password: string,
  params: ScryptParams = DEFAULT_SCRYPT,
): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, params);
  return [
    'scrypt',
    params.N,
    params.r,
    params.p,
    salt.toString('base64url'),
    key.toString('base64url'),
  ].join('$');
}

function parseParams(n: string, r: string, p: string): ScryptParams | null {
  const N = Number(n);
  const params = { N, r: Number(r), p: Number(p) };
  const positive = Object.values(params).every((v) => Number.isSafeInteger(v) && v > 0);
  // N must be a power of two above 1; the bounds keep a forged hash from costing a fortune.
  if (!positive || N < 2 || (N & (N - 1)) !== 0 || N > 2 ** 20) return null;
  if (params.r > 32 || params.p > 16) return null;
  return params;
}

/** True when `password` matches `stored`; false for a wrong password or a malformed hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash, ...rest] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !hash || rest.length > 0) return false;
  const params = parseParams(n, r, p);
  if (!params) return false;
  const expected = Buffer.from(hash, 'base64url');
  if (expected.length !== KEY_LENGTH) return false;
  try {
    const actual = await derive(password, Buffer.from(salt, 'base64url'), params);
    return timingSafeEqual(actual, expected);
  } catch {
    return false;
  }
}

const dummies = new Map<string, Promise<string>>();

/**
 * Spends the same time as a real check when no account matches, so response time does not
 * tell whether an e-mail address has an account.
 */
export async function burnPasswordCheck(
  password: string,
  params: ScryptParams = DEFAULT_SCRYPT,
): Promise<void> {
  const key = `${params.N}:${params.r}:${params.p}`;
  let dummy = dummies.get(key);
  if (!dummy) {
    dummy = hashPassword('tuike-timing-equaliser', params);
    dummies.set(key, dummy);
  }
  await verifyPassword(password, await dummy);
}
