import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  AUDIENCES,
  generateSigningKey,
  loadTokenKeys,
  signAccessToken,
  verifyAccessToken,
} from './tokens';

const claims = { sub: 'usr_a', tenant: 'ten_a', sid: 'ses_a', jti: 'req_a' };

describe('loadTokenKeys', () => {
  it('accepts an Ed25519 PKCS#8 PEM, as JWT_PRIVATE_KEY usually comes', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const keys = await loadTokenKeys(pem, 'tuike');
    const now = Math.floor(Date.now() / 1000);
    const token = await signAccessToken(keys, claims, AUDIENCES.admin, now);
    expect(await verifyAccessToken(keys, token, AUDIENCES.admin, new Date())).toEqual(claims);
  });

  it('derives the key id from the public key, so the same key keeps its id', async () => {
    const { privateJwk } = await generateSigningKey();
    const a = await loadTokenKeys(privateJwk, 'tuike');
    const b = await loadTokenKeys(JSON.stringify(privateJwk), 'tuike');
    expect(a.kid).toBe(b.kid);
    expect(a.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('refuses keys that are not Ed25519 private keys', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const ecJwk = privateKey.export({ format: 'jwk' });
    await expect(loadTokenKeys(JSON.stringify(ecJwk), 'tuike')).rejects.toThrow(/Ed25519/);
    const { privateJwk } = await generateSigningKey();
    const { d: _d, ...publicOnly } = privateJwk;
    await expect(loadTokenKeys(publicOnly, 'tuike')).rejects.toThrow(/Ed25519/);
  });

  it('does not accept a token for the promoter audience on the admin audience', async () => {
    const keys = await loadTokenKeys((await generateSigningKey()).privateJwk, 'tuike');
    const now = Math.floor(Date.now() / 1000);
    const token = await signAccessToken(keys, claims, AUDIENCES.promoter, now);
    expect(await verifyAccessToken(keys, token, AUDIENCES.admin, new Date())).toBeNull();
  });
});
