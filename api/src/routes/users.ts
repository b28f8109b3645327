import { z } from '@hono/zod-openapi';
import { principalOf } from '../context';
import {
  createRouter,
  defineRoute,
  idOf,
  idParams,
  jsonBody,
  ListQuery,
  listOf,
  ok,
} from '../lib/openapi';
import {
  createUser,
  getUserView,
  listUserViews,
  patchUser,
  removeUser,
  type UserView,
} from '../services/users';
import { callerOf, hasSomeKey, NOTHING_TO_CHANGE } from './roles';
import { Email, Name, Password, UserSchema, userJson } from './schemas';

const UserStatus = z.enum(['active', 'disabled']);
const RoleIds = z.array(idOf('role')).max(20);

const viewJson = (v: UserView) => userJson(v.user, v.roleIds);

const listRoute = defineRoute({
  method: 'get',
  path: '/v1/users',
  tag: 'Users',
  summary: 'List users, newest first / 用户列表',
  permission: 'users:read',
  route: {
    request: {
      query: ListQuery.extend({
        q: z
          .string()
          .trim()
          .min(1)
          .max(200)
          .optional()
          .openapi({ description: 'Part of the e-mail address or name' }),
        status: UserStatus.optional(),
        roleId: idOf('role').optional(),
      }),
    },
    responses: { 200: ok(listOf(UserSchema)) },
  },
});

const createRoute = defineRoute({
  method: 'post',
  path: '/v1/users',
  tag: 'Users',
  summary: 'Create a user / 创建用户',
  permission: 'users:manage',
  route: {
    request: {
      body: jsonBody(
        z.strictObject({
          email: Email,
          name: Name.optional(),
          password: Password,
          roleIds: RoleIds,
        }),
      ),
    },
    responses: { 201: ok(UserSchema, 'Created') },
  },
});

const readRoute = defineRoute({
  method: 'get',
  path: '/v1/users/{id}',
  tag: 'Users',
  summary: 'Read a user / 查看用户',
  permission: 'users:read',
  route: { request: { params: idParams('user') }, responses: { 200: ok(UserSchema) } },
});

const updateRoute = defineRoute({
  method: 'patch',
  path: '/v1/users/{id}',
  tag: 'Users',
  summary: 'Change a user: name, status, roles or password / 修改用户',
  permission: 'users:manage',
  route: {
    request: {
      params: idParams('user'),
      body: jsonBody(
        z
          .strictObject({
            name: Name.optional(),
            status: UserStatus.optional(),
            roleIds: RoleIds.optional(),
            password: Password.optional(),
          })
          .refine(hasSomeKey, NOTHING_TO_CHANGE),
      ),
    },
    responses: { 200: ok(UserSchema) },
  },
});

const deleteRoute = defineRoute({
  method: 'delete',
  path: '/v1/users/{id}',
  tag: 'Users',
  summary: 'Delete a user and end their sessions / 删除用户',
  permission: 'users:manage',
  route: {
    request: { params: idParams('user') },
    responses: { 204: { description: 'Deleted' } },
  },
});

export const userRoutes = createRouter()
  // GET /v1/users: search by e-mail or name, filter by status or role.
  .openapi(listRoute, async (c) => {
    const { limit, cursor, ...filter } = c.req.valid('query');
    const page = await listUserViews(c.get('deps'), principalOf(c).tenantId, filter, {
      limit,
      after: cursor,
    });
    return c.json({ data: page.data.map(viewJson), nextCursor: page.nextCursor }, 200);
  })
  // POST /v1/users: a user with roles the caller may grant.
  .openapi(createRoute, async (c) => {
    const view = await createUser(c.get('deps'), callerOf(c), c.req.valid('json'));
    return c.json(viewJson(view), 201);
  })
  // GET /v1/users/{id}
  .openapi(readRoute, async (c) => {
    const { id } = c.req.valid('param');
    const view = await getUserView(c.get('deps'), principalOf(c).tenantId, id);
    return c.json(viewJson(view), 200);
  })
  // PATCH /v1/users/{id}: disabling or a new password signs the user out everywhere.
  .openapi(updateRoute, async (c) => {
    const { id } = c.req.valid('param');
    const view = await patchUser(c.get('deps'), callerOf(c), id, c.req.valid('json'));
    return c.json(viewJson(view), 200);
  })
  // DELETE /v1/users/{id}
  .openapi(deleteRoute, async (c) => {
    const { id } = c.req.valid('param');
    await removeUser(c.get('deps'), callerOf(c), id);
    return c.body(null, 204);
  });
