import { newId } from '@tuike/core';
import {
  base64url,
  type CryptoKey,
  calculateJwkThumbprint,
  decodeJwt,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  type JWTPayload,
  SignJWT,
} from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCESS_TOKEN_TYP, AUDIENCES } from '../../api/src/lib/tokens';
import { createHarness, type Harness, type Tenant } from '../helpers/harness';

/**
 * The negative suite of SECURITY.md: every defect in an access token answers 401. Tokens are
 * crafted here with jose; a correctly crafted one must pass, so a 401 is the defect's doing.
 */
let h: Harness;
let t: Tenant;
beforeAll(async () => {
  h = await createHarness();
  t = await h.signup();
});
afterAll(() => h.close());

type Header = Record<string, unknown>;

const nowSeconds = () => Math.floor(h.clock.now().getTime() / 1000);

/** Claims of a real session of the tenant owner. */
function goodClaims(): JWTPayload {
  const real = decodeJwt(t.accessToken);
  const now = nowSeconds();
  return {
    sub: real.sub,
    tenant: real.tenant,
    sid: real.sid,
    jti: newId('request'),
    iss: h.deps.tokenKeys.issuer,
    aud: AUDIENCES.admin,
    iat: now,
    nbf: now,
    exp: now + 600,
  };
}

function goodHeader(): Header {
  return { alg: 'EdDSA', typ: ACCESS_TOKEN_TYP, kid: h.deps.tokenKeys.kid };
}

/** Signs with our own key unless told otherwise, with no claim added behind our back. */
async function sign(
  claims: JWTPayload = goodClaims(),
  header: Header = goodHeader(),
  key: CryptoKey | Uint8Array = h.deps.tokenKeys.privateKey,
): Promise<string> {
  return new SignJWT(claims).setProtectedHeader(header as { alg: string }).sign(key);
}

function without(claim: string): JWTPayload {
  const { [claim]: _dropped, ...rest } = goodClaims();
  return rest;
}

const status = async (token: string) => (await h.request('/v1/tenant', { token })).status;

const encode = (part: unknown) => base64url.encode(JSON.stringify(part));

describe('access token verification', () => {
  it('accepts a correctly crafted token', async () => {
    expect(await status(await sign())).toBe(200);
  });

  it('refuses alg none, with or without a signature', async () => {
    const header = { alg: 'none', typ: ACCESS_TOKEN_TYP, kid: h.deps.tokenKeys.kid };
    const unsigned = `${encode(header)}.${encode(goodClaims())}`;
    const real = (await sign()).split('.')[2];
    expect(await status(`${unsigned}.`)).toBe(401);
    expect(await status(`${unsigned}.${real}`)).toBe(401);
    expect(await status(`${encode({ ...header, alg: 'None' })}.${encode(goodClaims())}.`)).toBe(
      401,
    );
  });

  it('refuses HS256 signed with the public key', async () => {
    const publicJwk = await exportJWK(h.deps.tokenKeys.publicKey);
    const secrets = [
      base64url.decode(publicJwk.x ?? ''),
      new TextEncoder().encode(await exportSPKI(h.deps.tokenKeys.publicKey)),
      new TextEncoder().encode(JSON.stringify(publicJwk)),
    ];
    for (const secret of secrets) {
      const header = { ...goodHeader(), alg: 'HS256' };
      expect(await status(await sign(goodClaims(), header, secret))).toBe(401);
    }
  });

  it('refuses an unknown or missing kid', async () => {
    expect(await status(await sign(goodClaims(), { ...goodHeader(), kid: 'other-key' }))).toBe(401);
    const { kid: _kid, ...noKid } = goodHeader();
    expect(await status(await sign(goodClaims(), noKid))).toBe(401);
  });

  it('never follows an attacker jwk, jku or x5u header', async () => {
    const attacker = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    const jwk = await exportJWK(attacker.publicKey);
    const theirKid = await calculateJwkThumbprint(jwk);
    const headers: Header[] = [
      { ...goodHeader(), jwk },
      { ...goodHeader(), kid: theirKid, jwk },
      { ...goodHeader(), jku: 'https://attacker.example/.well-known/jwks.json' },
      { ...goodHeader(), kid: theirKid, jku: 'https://attacker.example/jwks.json' },
      { ...goodHeader(), x5u: 'https://attacker.example/cert.pem' },
    ];
    for (const header of headers) {
      expect(await status(await sign(goodClaims(), header, attacker.privateKey))).toBe(401);
    }
  });

  it('refuses a wrong issuer or audience', async () => {
    const wrong: JWTPayload[] = [
      { ...goodClaims(), iss: 'https://attacker.example' },
      without('iss'),
      { ...goodClaims(), aud: AUDIENCES.promoter },
      { ...goodClaims(), aud: 'tuike:service' },
      without('aud'),
    ];
    for (const claims of wrong) expect(await status(await sign(claims))).toBe(401);
  });

  it('refuses an expired token, one not yet valid, and one issued too long ago', async () => {
    const now = nowSeconds();
    const wrong: JWTPayload[] = [
      { ...goodClaims(), iat: now - 1800, nbf: now - 1800, exp: now - 900 },
      { ...goodClaims(), exp: now - 120 },
      { ...goodClaims(), nbf: now + 3600 },
      { ...goodClaims(), iat: now + 3600, nbf: now + 3600, exp: now + 4200 },
      { ...goodClaims(), iat: now - 7200, nbf: now - 7200, exp: now + 600 },
    ];
    for (const claims of wrong) expect(await status(await sign(claims))).toBe(401);
  });

  it('stops accepting a token once the clock passes its expiry', async () => {
    const token = await sign();
    expect(await status(token)).toBe(200);
    h.clock.advance(16 * 60 * 1000);
    try {
      expect(await status(token)).toBe(401);
    } finally {
      h.clock.advance(-16 * 60 * 1000);
    }
  });

  it.each(['sub', 'tenant', 'sid', 'jti', 'exp', 'iat'])(
    'refuses a token without %s',
    async (claim) => {
      expect(await status(await sign(without(claim)))).toBe(401);
    },
  );

  it('refuses claims of the wrong type or naming someone else', async () => {
    const wrong: JWTPayload[] = [
      { ...goodClaims(), tenant: 42 },
      { ...goodClaims(), sid: ['ses_x'] },
      { ...goodClaims(), tenant: newId('tenant') },
      { ...goodClaims(), sub: newId('user') },
      { ...goodClaims(), sid: newId('session') },
    ];
    for (const claims of wrong) expect(await status(await sign(claims))).toBe(401);
  });

  it('refuses a wrong or missing typ', async () => {
    for (const typ of ['JWT', 'jwt', 'refresh+jwt', undefined]) {
      const header = { ...goodHeader(), typ };
      if (typ === undefined) delete header.typ;
      expect(await status(await sign(goodClaims(), header))).toBe(401);
    }
  });

  it('refuses a tampered payload or a token from another signing key', async () => {
    const [head, , signature] = (await sign()).split('.');
    const forged = encode({ ...goodClaims(), sub: newId('user') });
    expect(await status(`${head}.${forged}.${signature}`)).toBe(401);

    const other = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    expect(await status(await sign(goodClaims(), goodHeader(), other.privateKey))).toBe(401);
  });

  it('refuses a token of a revoked session', async () => {
    const other = await h.signup();
    const claims = { ...goodClaims(), ...pick(decodeJwt(other.accessToken)) };
    expect(await status(await sign(claims))).toBe(200);

    await h.request('/v1/auth/logout', { method: 'POST', token: other.accessToken });
    expect(await status(await sign({ ...claims, jti: newId('request') }))).toBe(401);
  });
});

function pick(p: JWTPayload): JWTPayload {
  return { sub: p.sub, tenant: p.tenant, sid: p.sid };
}
