import {
  type CryptoKey,
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  importPKCS8,
  type JWK,
  jwtVerify,
  SignJWT,
} from 'jose';

/**
 * Access tokens: short-lived JWTs signed with Ed25519 (EdDSA). Verification pins the algorithm,
 * issuer, audience, `typ` and required claims, and only ever uses our own key set: headers
 * such as `jku`, `jwk` or `x5u` are never followed.
 */
export const ACCESS_TOKEN_ALG = 'EdDSA';
export const ACCESS_TOKEN_TYP = 'at+jwt';
export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;

export const AUDIENCES = {
  admin: 'tuike:admin',
  promoter: 'tuike:promoter',
} as const;

export interface AccessClaims {
  sub: string;
  tenant: string;
  sid: string;
  jti: string;
}

export interface TokenKeys {
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  issuer: string;
}

export interface SigningKeyMaterial {
  privateJwk: JWK;
}

/** A new Ed25519 key pair in JWK form, for embedded mode to keep in its data folder. */
export async function generateSigningKey(): Promise<SigningKeyMaterial> {
  const { privateKey } = await generateKeyPair(ACCESS_TOKEN_ALG, {
    crv: 'Ed25519',
    extractable: true,
  });
  return { privateJwk: await exportJWK(privateKey) };
}

/**
 * Loads keys from a private key given as a JWK (JSON) or a PKCS#8 PEM. The key id is the
 * public key's RFC 7638 thumbprint, so rotating the key rotates the id.
 */
export async function loadTokenKeys(privateKey: string | JWK, issuer: string): Promise<TokenKeys> {
  let privateJwk: JWK;
  if (typeof privateKey === 'string' && privateKey.includes('BEGIN PRIVATE KEY')) {
    const imported = await importPKCS8(privateKey, ACCESS_TOKEN_ALG, { extractable: true });
    privateJwk = await exportJWK(imported);
  } else {
    privateJwk = typeof privateKey === 'string' ? (JSON.parse(privateKey) as JWK) : privateKey;
  }
  if (privateJwk.kty !== 'OKP' || privateJwk.crv !== 'Ed25519' || !privateJwk.d) {
    throw new Error('JWT_PRIVATE_KEY must be an Ed25519 private key (PKCS#8 PEM or JWK)');
  }
  const { d: _d, ...publicJwk } = privateJwk;
  return {
    kid: await calculateJwkThumbprint(publicJwk),
    privateKey: (await importJWK(privateJwk, ACCESS_TOKEN_ALG)) as CryptoKey,
    publicKey: (await importJWK(publicJwk, ACCESS_TOKEN_ALG)) as CryptoKey,
    issuer,
  };
}

export async function signAccessToken(
  keys: TokenKeys,
  claims: AccessClaims,
  audience: string,
  nowSeconds: number,
): Promise<string> {
  return new SignJWT({ tenant: claims.tenant, sid: claims.sid })
    .setProtectedHeader({ alg: ACCESS_TOKEN_ALG, typ: ACCESS_TOKEN_TYP, kid: keys.kid })
    .setSubject(claims.sub)
    .setJti(claims.jti)
    .setIssuer(keys.issuer)
    .setAudience(audience)
    .setIssuedAt(nowSeconds)
    .setNotBefore(nowSeconds)
    .setExpirationTime(nowSeconds + ACCESS_TOKEN_TTL_SECONDS)
    .sign(keys.privateKey);
}

/** Verifies a token; returns its claims or null for any defect (never throws). */
export async function verifyAccessToken(
  keys: TokenKeys,
  token: string,
  audience: string,
  now: Date,
): Promise<AccessClaims | null> {
  try {
    const { payload, protectedHeader } = await jwtVerify(token, keys.publicKey, {
      algorithms: [ACCESS_TOKEN_ALG],
      issuer: keys.issuer,
      audience,
      typ: ACCESS_TOKEN_TYP,
      requiredClaims: ['sub', 'tenant', 'sid', 'jti', 'exp', 'iat'],
      clockTolerance: 30,
      currentDate: now,
      maxTokenAge: ACCESS_TOKEN_TTL_SECONDS + 60,
    });
    if (protectedHeader.kid !== keys.kid) return null;
    const { sub, tenant, sid, jti } = payload;
    if (typeof sub !== 'string' || typeof tenant !== 'string') return null;
    if (typeof sid !== 'string' || typeof jti !== 'string') return null;
    return { sub, tenant, sid, jti };
  } catch {
    return null;
  }
}
