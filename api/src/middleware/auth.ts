import { isPermission, type Permission, PROMOTER_PERMISSIONS } from '@tuike/core';
import {
  findLiveApiKey,
  getLiveSessionUser,
  getPromoter,
  getUserAccess,
  touchApiKey,
} from '@tuike/db';
import type { MiddlewareHandler } from 'hono';
import { type AppContext, type AppEnv, type Principal, principalId } from '../context';
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
  const { database, clock, settings } = c.get('deps');
  const keyHash = hashSecret(secret);
  const key = await settings.get({
    table: 'api_keys',
    key: keyHash,
    load: () => findLiveApiKey(database.db, keyHash),
    tenantOf: (row) => row?.tenantId,
    // Unknown secrets are not kept: guessing would fill the cache.
    keep: (row) => row !== undefined,
  });
  if (!key) return null;
  const now = clock.now();
  // Use is recorded at most once a minute: a busy key costs no write per request. The kept
  // row learns it at once, so requests that follow do not write it again.
  if (!key.lastUsedAt || now.getTime() - key.lastUsedAt.getTime() >= 60_000) {
    key.lastUsedAt = now;
    await touchApiKey(database.db, key.tenantId, key.id, now);
  }
  return {
    kind: 'api_key',
    tenantId: key.tenantId,
    apiKeyId: key.id,
    permissions: new Set(key.scopes.filter(isPermission)),
    signing: { required: key.requireSignature, secret: key.signingSecret },
  };
}

async function promoterPrincipal(c: AppContext, token: string): Promise<Principal | null> {
  const { database, clock, tokenKeys } = c.get('deps');
  const claims = await verifyAccessToken(tokenKeys, token, AUDIENCES.promoter, clock.now());
  if (!claims) return null;
  const promoter = await getPromoter(database.db, claims.tenant, claims.sub);
  if (!promoter) return null;
  return {
    kind: 'promoter',
    tenantId: promoter.tenantId,
    promoterId: promoter.id,
    permissions: new Set(PROMOTER_PERMISSIONS),
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

export interface AuthorizeOptions {
  /** Promoter tokens (the mini-program audience) are accepted too; the handler scopes them. */
  promoters?: boolean;
}

/**
 * Resolves the bearer credential to a principal, or answers 401. A promoter token is tried
 * only where the route accepts promoters: anywhere else it fails on its audience.
 */
export async function authenticate(
  c: AppContext,
  options: AuthorizeOptions = {},
): Promise<Principal> {
  const existing = c.get('principal');
  if (existing) return existing;
  const token = bearerToken(c);
  if (!token) throw unauthorized('an Authorization: Bearer credential is required / 需要登录凭证');
  const principal = token.startsWith(API_KEY_PREFIX)
    ? await apiKeyPrincipal(c, token)
    : ((await userPrincipal(c, token)) ??
      (options.promoters ? await promoterPrincipal(c, token) : null));
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
export function authorize(
  permission: Permission | null,
  options: AuthorizeOptions = {},
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const principal = await authenticate(c, options);
    if (permission !== null && !principal.permissions.has(permission)) {
      c.get('logger').info('authorization denied', {
        permission,
        principal: principalId(principal),
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
