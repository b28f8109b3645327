import { BUILT_IN_ROLE_KEYS, PERMISSION_NAMES } from '@tuike/core';
import { listAudit } from '@tuike/db';
import type { TuikeClient } from '@tuike/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness, type Tenant } from '../helpers/harness';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

const PASSWORD = 'a long enough password';
let serial = 0;

async function rolesOf(t: Tenant): Promise<Record<string, string>> {
  const { data } = await t.owner.GET('/v1/roles');
  return Object.fromEntries((data?.data ?? []).map((r) => [r.builtIn ?? r.name, r.id]));
}

/** A signed-in user of `t` holding the given roles. */
async function addUser(t: Tenant, roleIds: string[]): Promise<{ id: string; client: TuikeClient }> {
  const email = `member${++serial}.${Date.now().toString(36)}@example.com`;
  const created = await t.owner.POST('/v1/users', { body: { email, password: PASSWORD, roleIds } });
  if (!created.data) throw new Error(`user not created: ${JSON.stringify(created.error)}`);
  const session = await h.client().POST('/v1/auth/login', {
    body: { email, password: PASSWORD, tenantId: t.tenantId },
    headers: { 'X-Forwarded-For': `10.40.${serial % 250}.1` },
  });
  if (!session.data) throw new Error(`login failed: ${JSON.stringify(session.error)}`);
  return { id: created.data.id, client: h.client(session.data.accessToken) };
}

const params = (id: string) => ({ params: { path: { id } } });

async function createRole(t: Tenant, name: string, permissions: string[]) {
  const res = await t.owner.POST('/v1/roles', {
    body: { name, permissions: permissions as (typeof PERMISSION_NAMES)[number][] },
  });
  if (!res.data) throw new Error(`role not created: ${JSON.stringify(res.error)}`);
  return res.data;
}

describe('roles - happy path', () => {
  it('lists the permission catalogue with descriptions', async () => {
    const t = await h.signup();
    const { data } = await t.owner.GET('/v1/permissions');
    expect(data?.data.map((p) => p.name)).toEqual(PERMISSION_NAMES);
    expect(data?.data.every((p) => p.description.length > 0)).toBe(true);
  });

  it('lists the built-in roles with their permissions and holders', async () => {
    const t = await h.signup();
    const { data } = await t.owner.GET('/v1/roles');
    expect(data?.data.map((r) => r.builtIn).sort()).toEqual([...BUILT_IN_ROLE_KEYS].sort());
    const owner = data?.data.find((r) => r.builtIn === 'owner');
    expect(owner?.holders).toBe(1);
    expect(owner?.permissions).toEqual([...PERMISSION_NAMES].sort());
    expect(data?.nextCursor).toBeNull();
  });

  it('a custom role grants exactly its permissions', async () => {
    const t = await h.signup();
    const role = await createRole(t, 'Viewer / 查看', ['users:read', 'tenant:read', 'users:read']);
    expect(role).toMatchObject({ builtIn: null, holders: 0, description: '' });
    expect(role.permissions).toEqual(['tenant:read', 'users:read']);

    const u = await addUser(t, [role.id]);
    const me = await u.client.GET('/v1/auth/me');
    expect(me.data?.permissions).toEqual(['tenant:read', 'users:read']);
    expect((await u.client.GET('/v1/tenant')).response.status).toBe(200);
    expect((await u.client.GET('/v1/users', {})).response.status).toBe(200);
    expect((await u.client.GET('/v1/roles')).response.status).toBe(403);
    const patch = await u.client.PATCH('/v1/tenant', { body: { name: 'Mine now' } });
    expect(patch.response.status).toBe(403);
    expect((await t.owner.GET('/v1/roles/{id}', params(role.id))).data?.holders).toBe(1);
  });

  it('a changed role takes effect at its holders’ next request', async () => {
    const t = await h.signup();
    const role = await createRole(t, 'Support', ['tenant:read']);
    const u = await addUser(t, [role.id]);
    expect((await u.client.GET('/v1/users', {})).response.status).toBe(403);

    const res = await t.owner.PATCH('/v1/roles/{id}', {
      ...params(role.id),
      body: { description: 'Answers questions', permissions: ['users:read'] },
    });
    expect(res.data).toMatchObject({ name: 'Support', permissions: ['users:read'], holders: 1 });
    expect((await u.client.GET('/v1/users', {})).response.status).toBe(200);
    expect((await u.client.GET('/v1/tenant')).response.status).toBe(403);

    const audit = await listAudit(h.database.db, t.tenantId, { entityId: role.id }, { limit: 5 });
    expect(audit.data.map((a) => a.action)).toEqual(['role.update', 'role.create']);
    expect(audit.data[0]?.before).toMatchObject({ permissions: ['tenant:read'] });
    expect(audit.data[0]?.after).toMatchObject({ permissions: ['users:read'] });
  });

  it('deletes a role only once nobody holds it', async () => {
    const t = await h.signup();
    const role = await createRole(t, 'Temp', ['tenant:read']);
    const u = await addUser(t, [role.id]);
    const held = await t.owner.DELETE('/v1/roles/{id}', params(role.id));
    expect(held.response.status).toBe(409);

    await t.owner.PATCH('/v1/users/{id}', { ...params(u.id), body: { roleIds: [] } });
    const del = await t.owner.DELETE('/v1/roles/{id}', params(role.id));
    expect(del.response.status).toBe(204);
    expect((await t.owner.GET('/v1/roles/{id}', params(role.id))).response.status).toBe(404);
    const audit = await listAudit(
      h.database.db,
      t.tenantId,
      { action: 'role.delete' },
      { limit: 5 },
    );
    expect(audit.data[0]?.before).toMatchObject({ id: role.id, name: 'Temp' });
  });
});

describe('roles - validation', () => {
  it('names an unknown permission as permissions.N', async () => {
    const t = await h.signup();
    const res = await h.request('/v1/roles', {
      method: 'POST',
      token: t.accessToken,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'X', permissions: ['users:read', 'users:fly'] }),
    });
    expect(res.status).toBe(400);
    const problem = (await res.json()) as { errors: { path: string }[] };
    expect(problem.errors.map((e) => e.path)).toEqual(['permissions.1']);
  });

  it('refuses unknown keys, empty names and empty patches', async () => {
    const t = await h.signup();
    const post = (body: unknown) =>
      h.request('/v1/roles', {
        method: 'POST',
        token: t.accessToken,
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await post({ name: 'X', permissions: [], builtIn: 'owner' })).status).toBe(400);
    expect((await post({ name: ' ', permissions: [] })).status).toBe(400);
    const role = await createRole(t, 'Y', []);
    const empty = await t.owner.PATCH('/v1/roles/{id}', { ...params(role.id), body: {} });
    expect(empty.response.status).toBe(400);
    expect(Object.keys(await rolesOf(t))).toHaveLength(BUILT_IN_ROLE_KEYS.length + 1);
  });

  it('answers 409 for a taken name', async () => {
    const t = await h.signup();
    await createRole(t, 'Team', []);
    const again = await t.owner.POST('/v1/roles', { body: { name: 'Team', permissions: [] } });
    expect(again.response.status).toBe(409);
    const builtIn = await t.owner.POST('/v1/roles', {
      body: { name: 'Owner / 所有者', permissions: [] },
    });
    expect(builtIn.response.status).toBe(409);
  });

  it('refuses to change or delete a built-in role', async () => {
    const t = await h.signup();
    const roles = await rolesOf(t);
    const patch = await t.owner.PATCH('/v1/roles/{id}', {
      ...params(roles.auditor ?? ''),
      body: { permissions: ['users:manage'] },
    });
    const del = await t.owner.DELETE('/v1/roles/{id}', params(roles.admin ?? ''));
    expect([patch.response.status, del.response.status]).toEqual([409, 409]);
    const auditor = await t.owner.GET('/v1/roles/{id}', params(roles.auditor ?? ''));
    expect(auditor.data?.permissions).not.toContain('users:manage');
  });
});

describe('roles - authorisation', () => {
  it('an auditor reads roles but gets 403 on every write', async () => {
    const t = await h.signup();
    const roles = await rolesOf(t);
    const role = await createRole(t, 'Custom', ['tenant:read']);
    const a = await addUser(t, [roles.auditor ?? '']);
    expect((await a.client.GET('/v1/roles')).response.status).toBe(200);
    expect((await a.client.GET('/v1/permissions')).response.status).toBe(200);
    expect((await a.client.GET('/v1/roles/{id}', params(role.id))).response.status).toBe(200);

    const create = await a.client.POST('/v1/roles', { body: { name: 'Z', permissions: [] } });
    const patch = await a.client.PATCH('/v1/roles/{id}', {
      ...params(role.id),
      body: { name: 'Q' },
    });
    const del = await a.client.DELETE('/v1/roles/{id}', params(role.id));
    expect([create, patch, del].map((r) => r.response.status)).toEqual([403, 403, 403]);
    expect((await t.owner.GET('/v1/roles/{id}', params(role.id))).data?.name).toBe('Custom');
  });

  it('refuses a role granting permissions the caller lacks', async () => {
    const t = await h.signup();
    const roles = await rolesOf(t);
    const admin = await addUser(t, [roles.admin ?? '']);
    const create = await admin.client.POST('/v1/roles', {
      body: { name: 'Payer', permissions: ['payouts:approve'] },
    });
    expect(create.response.status).toBe(403);
    expect(create.error?.detail).toContain('payouts:approve');

    const mine = await admin.client.POST('/v1/roles', {
      body: { name: 'Helper', permissions: ['tiers:read'] },
    });
    expect(mine.response.status).toBe(201);
    const grow = await admin.client.PATCH('/v1/roles/{id}', {
      ...params(mine.data?.id ?? ''),
      body: { permissions: ['tiers:read', 'payouts:execute'] },
    });
    expect(grow.response.status).toBe(403);

    const ownerMade = await createRole(t, 'Treasurer', ['payouts:approve']);
    const shrink = await admin.client.DELETE('/v1/roles/{id}', params(ownerMade.id));
    expect(shrink.response.status).toBe(403);
    expect(Object.keys(await rolesOf(t))).toContain('Treasurer');
  });

  it('answers 404 for another tenant’s role and changes nothing', async () => {
    const a = await h.signup();
    const b = await h.signup();
    const role = await createRole(a, 'Private', ['tenant:read']);
    const read = await b.owner.GET('/v1/roles/{id}', params(role.id));
    const patch = await b.owner.PATCH('/v1/roles/{id}', {
      ...params(role.id),
      body: { permissions: ['users:manage'] },
    });
    const del = await b.owner.DELETE('/v1/roles/{id}', params(role.id));
    expect([read, patch, del].map((r) => r.response.status)).toEqual([404, 404, 404]);
    const after = await a.owner.GET('/v1/roles/{id}', params(role.id));
    expect(after.data).toMatchObject({ name: 'Private', permissions: ['tenant:read'] });
    expect(Object.keys(await rolesOf(b))).not.toContain('Private');
  });
});
