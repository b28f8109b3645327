import { newId } from '@tuike/core';
import { type Executor, insertRefreshToken, insertSession, type UserRow } from '@tuike/db';
import type { Deps } from '../deps';
import { hashSecret, randomSecret } from '../lib/secrets';
import { ACCESS_TOKEN_TTL_SECONDS, AUDIENCES, signAccessToken } from '../lib/tokens';

export const SESSION_TTL_MS = 30 * 24 * 3600 * 1000;
export const REFRESH_TOKEN_PREFIX = 'rt_';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

export interface ClientInfo {
  ip: string;
  userAgent: string | undefined;
}

async function issueRefreshToken(
  tx: Executor,
  deps: Deps,
  session: { tenantId: string; id: string; expiresAt: Date },
  parentId: string | null,
): Promise<string> {
  const token = `${REFRESH_TOKEN_PREFIX}${randomSecret(32)}`;
  await insertRefreshToken(tx, {
    tenantId: session.tenantId,
    id: newId('refreshToken'),
    sessionId: session.id,
    tokenHash: hashSecret(token),
    parentId,
    createdAt: deps.clock.now(),
    expiresAt: session.expiresAt,
  });
  return token;
}

async function accessTokenFor(deps: Deps, user: UserRow, sessionId: string): Promise<string> {
  const nowSeconds = Math.floor(deps.clock.now().getTime() / 1000);
  return signAccessToken(
    deps.tokenKeys,
    { sub: user.id, tenant: user.tenantId, sid: sessionId, jti: newId('request') },
    AUDIENCES.admin,
    nowSeconds,
  );
}

/** Starts a login session: a new refresh-token family and its first access token. */
export async function startSession(
  tx: Executor,
  deps: Deps,
  user: UserRow,
  client: ClientInfo,
): Promise<TokenPair> {
  const now = deps.clock.now();
  const session = {
    tenantId: user.tenantId,
    id: newId('session'),
    expiresAt: new Date(now.getTime() + SESSION_TTL_MS),
  };
  await insertSession(tx, {
    ...session,
    userId: user.id,
    ip: client.ip,
    userAgent: client.userAgent?.slice(0, 512) ?? null,
    createdAt: now,
  });
  const refreshToken = await issueRefreshToken(tx, deps, session, null);
  return {
    accessToken: await accessTokenFor(deps, user, session.id),
    refreshToken,
    tokenType: 'Bearer',
    expiresIn: ACCESS_TOKEN_TTL_SECONDS,
  };
}

/** The next pair of a session, after its current refresh token has been claimed. */
export async function continueSession(
  tx: Executor,
  deps: Deps,
  user: UserRow,
  session: { tenantId: string; id: string; expiresAt: Date },
  parentTokenId: string,
): Promise<TokenPair> {
  const refreshToken = await issueRefreshToken(tx, deps, session, parentTokenId);
  return {
    accessToken: await accessTokenFor(deps, user, session.id),
    refreshToken,
    tokenType: 'Bearer',
    expiresIn: ACCESS_TOKEN_TTL_SECONDS,
  };
}
