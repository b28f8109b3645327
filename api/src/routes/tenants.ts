import { z } from '@hono/zod-openapi';
import { actorOf, principalOf } from '../context';
import { ApiError } from '../lib/errors';
import { createRouter, defineRoute, jsonBody, ok } from '../lib/openapi';
import { enforceLimit } from '../services/rate-limits';
import { createTenant, getTenantOrThrow, patchTenant } from '../services/tenants';
import {
  Email,
  Name,
  Password,
  TenantSchema,
  TenantSettingsInput,
  TokenPairSchema,
  tenantJson,
  UserSchema,
  userJson,
} from './schemas';

const createRoute = defineRoute({
  method: 'post',
  path: '/v1/tenants',
  tag: 'Tenants',
  summary: 'Create a tenant with its owner (open sign-up) / 创建商户',
  permission: 'public',
  route: {
    request: {
      body: jsonBody(
        z.strictObject({
          name: Name,
          owner: z.strictObject({ email: Email, password: Password, name: Name.optional() }),
          settings: TenantSettingsInput.optional(),
        }),
      ),
    },
    responses: {
      201: ok(
        z.object({ tenant: TenantSchema, owner: UserSchema, tokens: TokenPairSchema }),
        'Created',
      ),
    },
  },
});

const readRoute = defineRoute({
  method: 'get',
  path: '/v1/tenant',
  tag: 'Tenants',
  summary: 'The tenant of the caller / 当前商户',
  permission: 'tenant:read',
  route: { responses: { 200: ok(TenantSchema) } },
});

const updateRoute = defineRoute({
  method: 'patch',
  path: '/v1/tenant',
  tag: 'Tenants',
  summary: 'Change the tenant name or settings / 修改商户设置',
  permission: 'tenant:write',
  route: {
    request: {
      body: jsonBody(
        z.strictObject({ name: Name.optional(), settings: TenantSettingsInput.optional() }),
      ),
    },
    responses: { 200: ok(TenantSchema) },
  },
});

export const tenantRoutes = createRouter()
  // POST /v1/tenants: sign-up; answers the tenant, its owner and the owner's tokens.
  .openapi(createRoute, async (c) => {
    const body = c.req.valid('json');
    const deps = c.get('deps');
    if (!deps.config.openSignup) {
      throw new ApiError('forbidden', 'sign-up is closed on this server / 本服务器未开放注册');
    }
    const client = { ip: c.get('ip'), userAgent: c.req.header('user-agent') };
    await enforceLimit(deps, 'signupPerIp', client.ip);
    const created = await createTenant(deps, body, client);
    return c.json(
      {
        tenant: tenantJson(created.tenant),
        owner: userJson(created.owner, [created.ownerRoleId]),
        tokens: created.tokens,
      },
      201,
    );
  })
  // GET /v1/tenant
  .openapi(readRoute, async (c) => {
    const tenant = await getTenantOrThrow(c.get('deps'), principalOf(c).tenantId);
    return c.json(tenantJson(tenant), 200);
  })
  // PATCH /v1/tenant
  .openapi(updateRoute, async (c) => {
    const tenant = await patchTenant(c.get('deps'), actorOf(c), c.req.valid('json'));
    return c.json(tenantJson(tenant), 200);
  });
