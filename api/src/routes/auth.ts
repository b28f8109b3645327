import { z } from '@hono/zod-openapi';
import { getUser, getUserRoleIds } from '@tuike/db';
import { type AppContext, principalOf } from '../context';
import { notFound } from '../lib/errors';
import { createRouter, defineRoute, idOf, jsonBody, ok } from '../lib/openapi';
import { authenticate } from '../middleware/auth';
import { login, logout, refresh } from '../services/auth';
import { Email, TokenPairSchema, UserSchema, userJson } from './schemas';

const clientOf = (c: AppContext) => ({ ip: c.get('ip'), userAgent: c.req.header('user-agent') });

const RefreshToken = z.string().min(10).max(200);

const loginRoute = defineRoute({
  method: 'post',
  path: '/v1/auth/login',
  tag: 'Auth',
  summary: 'Sign in with e-mail and password / 登录',
  permission: 'public',
  route: {
    request: {
      body: jsonBody(
        z.strictObject({
          email: Email,
          password: z.string().min(1).max(256),
          tenantId: idOf('tenant').optional().openapi({
            description: 'Needed only when the address has accounts in several tenants',
          }),
        }),
      ),
    },
    responses: {
      200: ok(
        TokenPairSchema.extend({
          user: UserSchema.pick({ id: true, email: true, name: true }).extend({
            tenantId: z.string(),
          }),
        }),
      ),
    },
  },
});

const refreshRoute = defineRoute({
  method: 'post',
  path: '/v1/auth/refresh',
  tag: 'Auth',
  summary: 'Rotate the refresh token / 刷新令牌',
  permission: 'public',
  route: {
    request: { body: jsonBody(z.strictObject({ refreshToken: RefreshToken })) },
    responses: { 200: ok(TokenPairSchema) },
  },
});

const logoutRoute = defineRoute({
  method: 'post',
  path: '/v1/auth/logout',
  tag: 'Auth',
  summary: 'End the session of an access or refresh token / 退出登录',
  permission: 'public',
  route: {
    request: {
      body: {
        required: false,
        content: {
          'application/json': { schema: z.strictObject({ refreshToken: RefreshToken.optional() }) },
        },
      },
    },
    responses: { 204: { description: 'The session is ended' } },
  },
});

const meRoute = defineRoute({
  method: 'get',
  path: '/v1/auth/me',
  tag: 'Auth',
  summary: 'The signed-in user and their permissions / 当前用户',
  permission: null,
  route: {
    responses: {
      200: ok(
        z.object({
          user: UserSchema,
          tenantId: z.string(),
          roles: z.array(z.string()),
          permissions: z.array(z.string()),
        }),
      ),
    },
  },
});

export const authRoutes = createRouter()
  // POST /v1/auth/login: e-mail + password → access and refresh tokens.
  .openapi(loginRoute, async (c) => {
    const body = c.req.valid('json');
    const { user, ...tokens } = await login(c.get('deps'), body, clientOf(c));
    return c.json(
      {
        ...tokens,
        user: { id: user.id, email: user.email, name: user.name, tenantId: user.tenantId },
      },
      200,
    );
  })
  // POST /v1/auth/refresh: one-time refresh token → a new pair.
  .openapi(refreshRoute, async (c) => {
    const { refreshToken } = c.req.valid('json');
    return c.json(await refresh(c.get('deps'), refreshToken, clientOf(c)), 200);
  })
  // POST /v1/auth/logout: revoke the session (by bearer access token or refresh token).
  .openapi(logoutRoute, async (c) => {
    const body = c.req.header('content-type') ? c.req.valid('json') : {};
    const deps = c.get('deps');
    if (body.refreshToken) {
      await logout(deps, { refreshToken: body.refreshToken }, clientOf(c));
    } else {
      const principal = await authenticate(c);
      if (principal.kind === 'user') {
        await logout(
          deps,
          { tenantId: principal.tenantId, sessionId: principal.sessionId },
          clientOf(c),
        );
      }
    }
    return c.body(null, 204);
  })
  // GET /v1/auth/me: who am I, and what may I do.
  .openapi(meRoute, async (c) => {
    const p = principalOf(c);
    if (p.kind !== 'user') throw notFound('user', 'of an API key');
    const db = c.get('deps').database.db;
    const user = await getUser(db, p.tenantId, p.userId);
    if (!user) throw notFound('user', p.userId);
    const roleIds = (await getUserRoleIds(db, p.tenantId, [user.id])).get(user.id) ?? [];
    return c.json(
      {
        user: userJson(user, roleIds),
        tenantId: p.tenantId,
        roles: p.roles,
        permissions: [...p.permissions].sort(),
      },
      200,
    );
  });
