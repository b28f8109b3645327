import {
  type Actor,
  claimRefreshToken,
  findRefreshToken,
  findUsersByEmail,
  getLiveSessionUser,
  getTenant,
  recordAudit,
  revokeSession,
  type UserRow,
  updateUser,
} from '@tuike/db';
import type { Deps } from '../deps';
import { ApiError } from '../lib/errors';
import { burnPasswordCheck, verifyPassword } from '../lib/password';
import { hashSecret } from '../lib/secrets';
import { enforceLimit } from './rate-limits';
import { type ClientInfo, continueSession, startSession, type TokenPair } from './sessions';

const badCredentials = () =>
  new ApiError('unauthorized', 'the e-mail address or password is wrong / 邮箱或密码错误');
const badRefresh = () =>
  new ApiError('unauthorized', 'the refresh token is invalid, expired or revoked / 刷新令牌无效');

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

function userActor(user: UserRow, client: ClientInfo): Actor {
  return {
    tenantId: user.tenantId,
    type: 'user',
    id: user.id,
    roles: [],
    requestId: null,
    ip: client.ip,
  };
}

/** Accounts with this address whose password matches, at most one check per account. */
async function matchingAccounts(deps: Deps, email: string, password: string, tenantId?: string) {
  const candidates = (await findUsersByEmail(deps.database.db, email)).filter(
    (u) => u.status === 'active' && (tenantId === undefined || u.tenantId === tenantId),
  );
  if (candidates.length === 0) {
    await burnPasswordCheck(password, deps.passwordParams);
    return [];
  }
  const matches: UserRow[] = [];
  for (const user of candidates) {
    if (await verifyPassword(password, user.passwordHash)) matches.push(user);
  }
  return matches;
}

/** POST /v1/auth/login: password login, rate limited per IP and per account. */
export async function login(
  deps: Deps,
  input: { email: string; password: string; tenantId?: string | undefined },
  client: ClientInfo,
): Promise<TokenPair & { user: UserRow }> {
  const email = normalizeEmail(input.email);
  await enforceLimit(deps, 'loginPerIp', client.ip);
  await enforceLimit(deps, 'loginPerAccount', email);

  const matches = await matchingAccounts(deps, email, input.password, input.tenantId);
  if (matches.length === 0) {
    deps.logger.info('login failed', { ip: client.ip });
    throw badCredentials();
  }
  if (matches.length > 1) {
    const tenants = await Promise.all(matches.map((u) => getTenant(deps.database.db, u.tenantId)));
    const names = tenants.map((t) => (t ? `${t.id} (${t.name})` : '')).join(', ');
    throw new ApiError('validation_failed', `this account exists in several tenants: ${names}`, {
      errors: [{ path: 'tenantId', message: 'required: pick the tenant to sign in to' }],
    });
  }
  const [user] = matches as [UserRow];

  return deps.database.db.transaction(async (tx) => {
    const tokens = await startSession(tx, deps, user, client);
    await updateUser(tx, user.tenantId, user.id, { lastLoginAt: deps.clock.now() });
    await recordAudit(tx, userActor(user, client), {
      action: 'auth.login',
      entityType: 'user',
      entityId: user.id,
    });
    return { ...tokens, user };
  });
}

/**
 * POST /v1/auth/refresh: rotates the refresh token. Presenting a token that was already
 * rotated means it leaked (or a client raced itself): the whole family is revoked.
 */
export async function refresh(deps: Deps, refreshToken: string, client: ClientInfo) {
  await enforceLimit(deps, 'refreshPerIp', client.ip);
  const db = deps.database.db;
  const now = deps.clock.now();
  const found = await findRefreshToken(db, hashSecret(refreshToken));
  if (!found) throw badRefresh();
  const { token, session } = found;
  if (session.revokedAt || session.expiresAt <= now || token.expiresAt <= now) throw badRefresh();

  const claimed =
    token.usedAt === null && (await claimRefreshToken(db, token.tenantId, token.id, now));
  if (!claimed) {
    await db.transaction(async (tx) => {
      if (await revokeSession(tx, session.tenantId, session.id, 'refresh_token_reuse')) {
        await recordAudit(
          tx,
          {
            tenantId: session.tenantId,
            type: 'system',
            id: null,
            roles: [],
            requestId: null,
            ip: client.ip,
          },
          {
            action: 'auth.session_revoked',
            entityType: 'session',
            entityId: session.id,
            after: { reason: 'refresh_token_reuse' },
          },
        );
      }
    });
    deps.logger.warn('refresh token reuse; session revoked', {
      sessionId: session.id,
      ip: client.ip,
    });
    throw badRefresh();
  }

  const user = await getLiveSessionUser(db, session.tenantId, session.userId, session.id, now);
  if (!user) throw badRefresh();
  return db.transaction((tx) => continueSession(tx, deps, user, session, token.id));
}

/** POST /v1/auth/logout: ends the session of the given refresh token or access token. */
export async function logout(
  deps: Deps,
  target: { tenantId: string; sessionId: string } | { refreshToken: string },
  client: ClientInfo,
): Promise<void> {
  const db = deps.database.db;
  let session: { tenantId: string; id: string; userId?: string };
  if ('refreshToken' in target) {
    const found = await findRefreshToken(db, hashSecret(target.refreshToken));
    if (!found) throw badRefresh();
    session = found.session;
  } else {
    session = { tenantId: target.tenantId, id: target.sessionId };
  }
  await db.transaction(async (tx) => {
    if (!(await revokeSession(tx, session.tenantId, session.id, 'logout'))) return;
    await recordAudit(
      tx,
      {
        tenantId: session.tenantId,
        type: 'system',
        id: null,
        roles: [],
        requestId: null,
        ip: client.ip,
      },
      { action: 'auth.logout', entityType: 'session', entityId: session.id },
    );
  });
}
