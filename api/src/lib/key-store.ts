import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { JWK } from 'jose';
import { generateSecretsKey } from './secret-box';
import { generateSigningKey } from './tokens';

/**
 * Without JWT_PRIVATE_KEY, the signing key is made once and kept in the data folder
 * (readable by the owner only), so tokens survive a restart of a local server.
 */
export async function loadOrCreateSigningKey(
  dataDir: string,
): Promise<{ jwk: JWK; created: boolean }> {
  const file = join(dataDir, 'jwt-signing-key.json');
  try {
    return { jwk: JSON.parse(await readFile(file, 'utf8')) as JWK, created: false };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await mkdir(dataDir, { recursive: true });
  const { privateJwk } = await generateSigningKey();
  await writeFile(file, JSON.stringify(privateJwk), { mode: 0o600, flag: 'wx' });
  await chmod(file, 0o600);
  return { jwk: privateJwk, created: true };
}

/**
 * Without SECRETS_KEY, the key that encrypts stored secrets (Stripe webhook secrets) is made
 * once and kept in the data folder, readable by the owner only.
 */
export async function loadOrCreateSecretsKey(dataDir: string): Promise<string> {
  const file = join(dataDir, 'secrets-key');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await mkdir(dataDir, { recursive: true });
  const key = generateSecretsKey();
  await writeFile(file, key, { mode: 0o600, flag: 'wx' });
  await chmod(file, 0o600);
  return key;
}
