import { isPermission, type Permission } from '@tuike/core';
import { findLiveApiKey, getLiveSessionUser, getUserAccess, touchApiKey } from '@tuike/db';
import type { MiddlewareHandler } from 'hono';
import type { AppContext, AppEnv, Principal } from '../context';
import { ApiError } from '../lib/errors';
import { hashSecret } from '../lib/secrets';
import { AUDIENCES, verifyAccessToken } from '../lib/tokens';

export const API_KEY_PREFIX = 'tk_';

const unauthorized = (detail: string) =>
  new ApiError('unauthorized', detail, { headers: { 'WWW-Authenticate': 'Bearer' } });

function bearerToken(c: AppContext): string | null {
  const header = c.req.header('authorization');
  if (!header) return null;
  const match = /^Bearer ([A-Za-z0-9._~+/=-]{10,4096})$/.exec(header.trim());
  return match?.[1] ?? null;
}

async function apiKeyPrincipal(c: AppContext, secret: string): Promise<Principal | null> {
  const { database, clock } = c.get('deps');
  const key = await findLiveApiKey(database.db, hashSecret(secret));
  if (!key) return null;
  await touchApiKey(database.db, key.tenantId, key.id, clock.now());
  return {
    kind: 'api_key',
    tenantId: key.tenantId,
    apiKeyId: key.id,
    permissions: new Set(key.scopes.filter(isPermission)),
  };
}

async function userPrincipal(c: AppContext, token: string): Promise<Principal | null> {
  const { database, clock, tokenKeys } = c.get('deps');
  const now = clock.now();
  const claims = await verifyAccessToken(tokenKeys, token, AUDIENCES.admin, now);
  if (!claims) return null;
  const user = await getLiveSessionUser(database.db, claims.tenant, claims.sub, claims.sid, now);
  if (!user) return null;
  const access = await getUserAccess(database.db, user.tenantId, user.id);
  return {
    kind: 'user',
    tenantId: user.tenantId,
    userId: user.id,
    sessionId: claims.sid,
    roles: access.roleNames,
    permissions: new Set(access.permissions.filter(isPermission)),
  };
}

/** Resolves the bearer credential to a principal, or answers 401. */
export async function authenticate(c: AppContext): Promise<Principal> {
  const existing = c.get('principal');
  if (existing) return existing;
  const token = bearerToken(c);
  if (!token) throw unauthorized('an Authorization: Bearer credential is required / 需要登录凭证');
  const principal = token.startsWith(API_KEY_PREFIX)
    ? await apiKeyPrincipal(c, token)
    : await userPrincipal(c, token);
  if (!principal)
    throw unauthorized('the credential is invalid, expired or revoked / 凭证无效或已过期');
  c.set('principal', principal);
  c.set('logger', c.get('logger').child({ tenantId: principal.tenantId }));
  return principal;
}

/**
 * Route guard: authenticates, then requires `permission` (null: any signed-in principal).
 * A refusal is logged, never written to the database: a denied request changes nothing.
 */
export function authorize(permission: Permission | null): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const principal = await authenticate(c);
    if (permission !== null && !principal.permissions.has(permission)) {
      c.get('logger').info('authorization denied', {
        permission,
        principal: principal.kind === 'user' ? principal.userId : principal.apiKeyId,
        method: c.req.method,
        path: c.req.path,
      });
      throw new ApiError(
        'forbidden',
        `this action needs the ${permission} permission / 缺少权限 ${permission}`,
      );
    }
    await next();
  };
}
