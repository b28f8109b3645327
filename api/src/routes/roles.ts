import { z } from '@hono/zod-openapi';
import { BUILT_IN_ROLE_KEYS, PERMISSION_NAMES, PERMISSIONS } from '@tuike/core';
import { type AppContext, actorOf, principalOf } from '../context';
import {
  createRouter,
  defineRoute,
  idOf,
  idParams,
  jsonBody,
  listOf,
  ok,
  Timestamp,
} from '../lib/openapi';
import {
  type Caller,
  createRole,
  getRoleView,
  listRoleViews,
  patchRole,
  type RoleView,
  removeRole,
} from '../services/roles';
import { Name } from './schemas';

/** The caller of a change: audit actor, user id and held permissions. */
export function callerOf(c: AppContext): Caller {
  const p = principalOf(c);
  return {
    actor: actorOf(c),
    userId: p.kind === 'user' ? p.userId : null,
    permissions: p.permissions,
  };
}

/** Any key an object has: PATCH with nothing to change is refused. */
export const hasSomeKey = (o: object) => Object.keys(o).length > 0;
export const NOTHING_TO_CHANGE = 'give at least one field to change / 至少提供一个要修改的字段';

const PermissionName = z.enum(PERMISSION_NAMES, {
  error: 'is not a permission in the catalogue; see GET /v1/permissions',
});

const RoleFields = z.strictObject({
  name: Name.max(100),
  description: z.string().trim().max(500).optional(),
  permissions: z.array(PermissionName).max(100),
});

export const RoleSchema = z
  .object({
    id: idOf('role'),
    name: z.string(),
    description: z.string(),
    builtIn: z
      .enum(BUILT_IN_ROLE_KEYS as [string, ...string[]])
      .nullable()
      .openapi({ description: 'The built-in role this is; null for a custom role' }),
    permissions: z.array(z.string()),
    holders: z.number().int().openapi({ description: 'How many users hold the role' }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi('Role');

function roleJson(r: RoleView): z.infer<typeof RoleSchema> {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    builtIn: r.builtIn,
    permissions: r.permissions,
    holders: r.holders,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

const PermissionSchema = z
  .object({ name: z.string(), description: z.string() })
  .openapi('PermissionInfo');

const catalogueRoute = defineRoute({
  method: 'get',
  path: '/v1/permissions',
  tag: 'Roles',
  summary: 'The permission catalogue / 权限列表',
  permission: 'roles:read',
  route: { responses: { 200: ok(z.object({ data: z.array(PermissionSchema) })) } },
});

const listRoute = defineRoute({
  method: 'get',
  path: '/v1/roles',
  tag: 'Roles',
  summary: 'List roles, built-in ones first / 角色列表',
  permission: 'roles:read',
  route: { responses: { 200: ok(listOf(RoleSchema)) } },
});

const createRoute = defineRoute({
  method: 'post',
  path: '/v1/roles',
  tag: 'Roles',
  summary: 'Create a custom role / 创建自定义角色',
  permission: 'roles:manage',
  route: {
    request: { body: jsonBody(RoleFields) },
    responses: { 201: ok(RoleSchema, 'Created') },
  },
});

const readRoute = defineRoute({
  method: 'get',
  path: '/v1/roles/{id}',
  tag: 'Roles',
  summary: 'Read a role / 查看角色',
  permission: 'roles:read',
  route: { request: { params: idParams('role') }, responses: { 200: ok(RoleSchema) } },
});

const updateRoute = defineRoute({
  method: 'patch',
  path: '/v1/roles/{id}',
  tag: 'Roles',
  summary: 'Change a custom role / 修改自定义角色',
  permission: 'roles:manage',
  route: {
    request: {
      params: idParams('role'),
      body: jsonBody(RoleFields.partial().refine(hasSomeKey, NOTHING_TO_CHANGE)),
    },
    responses: { 200: ok(RoleSchema) },
  },
});

const deleteRoute = defineRoute({
  method: 'delete',
  path: '/v1/roles/{id}',
  tag: 'Roles',
  summary: 'Delete a custom role nobody holds / 删除自定义角色',
  permission: 'roles:manage',
  route: {
    request: { params: idParams('role') },
    responses: { 204: { description: 'Deleted' } },
  },
});

export const roleRoutes = createRouter()
  // GET /v1/permissions: every permission a role can grant, with what it allows.
  .openapi(catalogueRoute, (c) => {
    const data = PERMISSION_NAMES.map((name) => ({ name, description: PERMISSIONS[name] }));
    return c.json({ data }, 200);
  })
  // GET /v1/roles: the tenant's roles (a short list, never more than one page).
  .openapi(listRoute, async (c) => {
    const roles = await listRoleViews(c.get('deps'), principalOf(c).tenantId);
    return c.json({ data: roles.map(roleJson), nextCursor: null }, 200);
  })
  // POST /v1/roles: a custom role granting no more than the caller holds.
  .openapi(createRoute, async (c) => {
    const role = await createRole(c.get('deps'), callerOf(c), c.req.valid('json'));
    return c.json(roleJson(role), 201);
  })
  // GET /v1/roles/{id}
  .openapi(readRoute, async (c) => {
    const { id } = c.req.valid('param');
    const role = await getRoleView(c.get('deps'), principalOf(c).tenantId, id);
    return c.json(roleJson(role), 200);
  })
  // PATCH /v1/roles/{id}: rename, describe or regrant a custom role.
  .openapi(updateRoute, async (c) => {
    const { id } = c.req.valid('param');
    const role = await patchRole(c.get('deps'), callerOf(c), id, c.req.valid('json'));
    return c.json(roleJson(role), 200);
  })
  // DELETE /v1/roles/{id}
  .openapi(deleteRoute, async (c) => {
    const { id } = c.req.valid('param');
    await removeRole(c.get('deps'), callerOf(c), id);
    return c.body(null, 204);
  });
