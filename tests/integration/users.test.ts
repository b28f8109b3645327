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

/** Built-in role key (or custom role name) → role id. */
async function rolesOf(t: Tenant): Promise<Record<string, string>> {
  const { data } = await t.owner.GET('/v1/roles');
  return Object.fromEntries((data?.data ?? []).map((r) => [r.builtIn ?? r.name, r.id]));
}

async function login(t: Tenant, email: string, password = PASSWORD) {
  serial++;
  return h.client().POST('/v1/auth/login', {
    body: { email, password, tenantId: t.tenantId },
    headers: { 'X-Forwarded-For': `10.30.${serial % 250}.${serial % 7}` },
  });
}

interface Member {
  id: string;
  email: string;
  token: string;
  client: TuikeClient;
}

/** A user of `t` with the given roles, created by `by` (the owner by default), signed in. */
async function addUser(t: Tenant, roleIds: string[], by: TuikeClient = t.owner): Promise<Member> {
  const email = `user${++serial}.${Date.now().toString(36)}@example.com`;
  const created = await by.POST('/v1/users', { body: { email, password: PASSWORD, roleIds } });
  if (!created.data) throw new Error(`user not created: ${JSON.stringify(created.error)}`);
  const session = await login(t, email);
  if (!session.data) throw new Error(`login failed: ${JSON.stringify(session.error)}`);
  const token = session.data.accessToken;
  return { id: created.data.id, email, token, client: h.client(token) };
}

const params = (id: string) => ({ params: { path: { id } } });

describe('users - happy path', () => {
  it('creates a user with a normalised address and reads it back', async () => {
    const t = await h.signup();
    const roles = await rolesOf(t);
    const auditor = roles.auditor ?? '';
    const res = await t.owner.POST('/v1/users', {
      body: {
        email: '  Ann.Lee@Example.COM ',
        name: 'Ann',
        password: PASSWORD,
        roleIds: [auditor],
      },
    });
    expect(res.response.status).toBe(201);
    expect(res.data).toMatchObject({
      email: 'ann.lee@example.com',
      name: 'Ann',
      status: 'active',
      roleIds: [auditor],
      lastLoginAt: null,
    });
    const id = res.data?.id ?? '';
    const read = await t.owner.GET('/v1/users/{id}', params(id));
    expect(read.data).toEqual(res.data);

    const audit = await listAudit(h.database.db, t.tenantId, { entityId: id }, { limit: 10 });
    expect(audit.data.map((a) => a.action)).toEqual(['user.create']);
    expect(audit.data[0]?.after).toEqual({
      email: 'ann.lee@example.com',
      name: 'Ann',
      status: 'active',
      roleIds: [auditor],
    });
  });

  it('lists users with search, status and role filters, one page at a time', async () => {
    const t = await h.signup();
    const roles = await rolesOf(t);
    const a = await addUser(t, [roles.auditor ?? '']);
    const b = await addUser(t, [roles.operator ?? '']);
    await t.owner.PATCH('/v1/users/{id}', { ...params(b.id), body: { status: 'disabled' } });

    const all = await t.owner.GET('/v1/users', {});
    expect(all.data?.data.map((u) => u.id)).toEqual([b.id, a.id, t.ownerId]);
    const first = await t.owner.GET('/v1/users', { params: { query: { limit: 2 } } });
    expect(first.data?.data.map((u) => u.id)).toEqual([b.id, a.id]);
    const cursor = first.data?.nextCursor ?? '';
    const second = await t.owner.GET('/v1/users', { params: { query: { limit: 2, cursor } } });
    expect(second.data).toEqual({
      data: [expect.objectContaining({ id: t.ownerId })],
      nextCursor: null,
    });

    const query = async (q: Record<string, string>) =>
      (await t.owner.GET('/v1/users', { params: { query: q } })).data?.data.map((u) => u.id);
    expect(await query({ q: a.email.slice(0, 8).toUpperCase() })).toEqual([a.id]);
    expect(await query({ q: '%' })).toEqual([]);
    expect(await query({ status: 'disabled' })).toEqual([b.id]);
    expect(await query({ roleId: roles.owner ?? '' })).toEqual([t.ownerId]);
  });

  it('changes name and roles, and records before and after without secrets', async () => {
    const t = await h.signup();
    const roles = await rolesOf(t);
    const u = await addUser(t, [roles.auditor ?? '']);
    const res = await t.owner.PATCH('/v1/users/{id}', {
      ...params(u.id),
      body: {
        name: 'Bo',
        roleIds: [roles.operator ?? '', roles.finance ?? ''],
        password: 'new password 2',
      },
    });
    expect(res.response.status).toBe(200);
    expect(res.data?.name).toBe('Bo');
    expect(res.data?.roleIds).toEqual([roles.operator, roles.finance].sort());

    const audit = await listAudit(
      h.database.db,
      t.tenantId,
      { action: 'user.update' },
      { limit: 5 },
    );
    const row = audit.data[0];
    expect(row?.before).toMatchObject({ name: '', roleIds: [roles.auditor] });
    expect(row?.after).toMatchObject({ name: 'Bo', passwordChanged: true });
    expect(JSON.stringify(audit.data)).not.toContain('scrypt');
  });

  it('deletes a user: 204, then 404, and their token stops working', async () => {
    const t = await h.signup();
    const u = await addUser(t, [(await rolesOf(t)).auditor ?? '']);
    const del = await t.owner.DELETE('/v1/users/{id}', params(u.id));
    expect(del.response.status).toBe(204);
    expect((await t.owner.GET('/v1/users/{id}', params(u.id))).response.status).toBe(404);
    expect((await u.client.GET('/v1/users', {})).response.status).toBe(401);
    const audit = await listAudit(h.database.db, t.tenantId, { entityId: u.id }, { limit: 5 });
    const actions = audit.data.map((a) => a.action).filter((a) => a.startsWith('user.'));
    expect(actions).toEqual(['user.delete', 'user.create']);
  });
});

describe('users - sessions end when access is taken away', () => {
  it('a disabled user is refused at once with the token they already hold', async () => {
    const t = await h.signup();
    const u = await addUser(t, [(await rolesOf(t)).auditor ?? '']);
    expect((await u.client.GET('/v1/users', {})).response.status).toBe(200);

    await t.owner.PATCH('/v1/users/{id}', { ...params(u.id), body: { status: 'disabled' } });
    expect((await u.client.GET('/v1/users', {})).response.status).toBe(401);
    expect((await login(t, u.email)).response.status).toBe(401);

    await t.owner.PATCH('/v1/users/{id}', { ...params(u.id), body: { status: 'active' } });
    expect((await u.client.GET('/v1/users', {})).response.status).toBe(401);
    expect((await login(t, u.email)).response.status).toBe(200);
  });

  it('a new password ends the old sessions; the new password signs in', async () => {
    const t = await h.signup();
    const u = await addUser(t, [(await rolesOf(t)).auditor ?? '']);
    await t.owner.PATCH('/v1/users/{id}', {
      ...params(u.id),
      body: { password: 'the new password' },
    });
    expect((await u.client.GET('/v1/users', {})).response.status).toBe(401);
    expect((await login(t, u.email)).response.status).toBe(401);
    expect((await login(t, u.email, 'the new password')).response.status).toBe(200);
  });
});

describe('users - validation', () => {
  it('names the bad fields and refuses server-owned ones', async () => {
    const t = await h.signup();
    const bad = await h.request('/v1/users', {
      method: 'POST',
      token: t.accessToken,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: 'nope', password: 'short', roleIds: ['x'], tenantId: 'ten_1' }),
    });
    expect(bad.status).toBe(400);
    const problem = (await bad.json()) as { errors: { path: string }[] };
    expect([...new Set(problem.errors.map((e) => e.path))].sort()).toEqual([
      '(body)',
      'email',
      'password',
      'roleIds.0',
    ]);
  });

  it('refuses role ids that are unknown or belong to another tenant, naming roleIds.N', async () => {
    const t = await h.signup();
    const other = await h.signup();
    const mine = (await rolesOf(t)).auditor ?? '';
    const theirs = (await rolesOf(other)).auditor ?? '';
    for (const roleIds of [
      [mine, 'rol_00000000000000000000000000'],
      [mine, theirs],
    ]) {
      const res = await t.owner.POST('/v1/users', {
        body: { email: `v${++serial}@example.com`, password: PASSWORD, roleIds },
      });
      expect(res.response.status).toBe(400);
      expect(res.error?.errors?.[0]?.path).toBe('roleIds.1');
    }
    expect((await t.owner.GET('/v1/users', {})).data?.data).toHaveLength(1);
  });

  it('answers 409 for an address already used in the tenant, whatever its case', async () => {
    const t = await h.signup();
    const res = await t.owner.POST('/v1/users', {
      body: { email: t.email.toUpperCase(), password: PASSWORD, roleIds: [] },
    });
    expect(res.response.status).toBe(409);
    expect(res.error?.errors?.[0]?.path).toBe('email');
  });

  it('refuses an empty or unknown patch', async () => {
    const t = await h.signup();
    const empty = await t.owner.PATCH('/v1/users/{id}', { ...params(t.ownerId), body: {} });
    expect(empty.response.status).toBe(400);
    const status = await h.request(`/v1/users/${t.ownerId}`, {
      method: 'PATCH',
      token: t.accessToken,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ status: 'locked', email: 'x@example.com' }),
    });
    expect(status.status).toBe(400);
  });
});

describe('users - authorisation', () => {
  it('an auditor reads users but gets 403 on every write, which changes nothing', async () => {
    const t = await h.signup();
    const roles = await rolesOf(t);
    const a = await addUser(t, [roles.auditor ?? '']);
    expect((await a.client.GET('/v1/users', {})).response.status).toBe(200);
    expect((await a.client.GET('/v1/users/{id}', params(t.ownerId))).response.status).toBe(200);

    const create = await a.client.POST('/v1/users', {
      body: { email: 'sneaky@example.com', password: PASSWORD, roleIds: [] },
    });
    const patch = await a.client.PATCH('/v1/users/{id}', { ...params(a.id), body: { name: 'Me' } });
    const del = await a.client.DELETE('/v1/users/{id}', params(t.ownerId));
    expect([create, patch, del].map((r) => r.response.status)).toEqual([403, 403, 403]);
    expect((await t.owner.GET('/v1/users', {})).data?.data).toHaveLength(2);
    expect((await t.owner.GET('/v1/users/{id}', params(a.id))).data?.name).toBe('');
    expect((await h.client().GET('/v1/users', {})).response.status).toBe(401);
  });

  it('refuses to grant a role with permissions the caller lacks', async () => {
    const t = await h.signup();
    const roles = await rolesOf(t);
    const admin = await addUser(t, [roles.admin ?? '']);
    const owner = roles.owner ?? '';

    const create = await admin.client.POST('/v1/users', {
      body: { email: 'boss@example.com', password: PASSWORD, roleIds: [owner] },
    });
    expect(create.response.status).toBe(403);
    expect(create.error?.detail).toContain(owner);
    const self = await admin.client.PATCH('/v1/users/{id}', {
      ...params(admin.id),
      body: { roleIds: [roles.admin ?? '', owner] },
    });
    expect(self.response.status).toBe(403);
    const finance = await admin.client.POST('/v1/users', {
      body: { email: 'money@example.com', password: PASSWORD, roleIds: [roles.finance ?? ''] },
    });
    expect(finance.response.status).toBe(403);

    const operator = await admin.client.POST('/v1/users', {
      body: { email: 'ops@example.com', password: PASSWORD, roleIds: [roles.operator ?? ''] },
    });
    expect(operator.response.status).toBe(201);
    expect((await t.owner.GET('/v1/users/{id}', params(admin.id))).data?.roleIds).toEqual([
      roles.admin,
    ]);
  });

  it('refuses changes to a user who holds permissions the caller lacks', async () => {
    const t = await h.signup();
    const admin = await addUser(t, [(await rolesOf(t)).admin ?? '']);
    const pw = await admin.client.PATCH('/v1/users/{id}', {
      ...params(t.ownerId),
      body: { password: 'taken over now' },
    });
    const del = await admin.client.DELETE('/v1/users/{id}', params(t.ownerId));
    expect([pw.response.status, del.response.status]).toEqual([403, 403]);
    expect((await login(t, t.email, t.password)).response.status).toBe(200);
  });

  it('protects the last active owner and the caller’s own account', async () => {
    const t = await h.signup();
    const roles = await rolesOf(t);
    const owner = roles.owner ?? '';
    const me = params(t.ownerId);
    const disable = await t.owner.PATCH('/v1/users/{id}', { ...me, body: { status: 'disabled' } });
    const demote = await t.owner.PATCH('/v1/users/{id}', {
      ...me,
      body: { roleIds: [roles.admin ?? ''] },
    });
    const del = await t.owner.DELETE('/v1/users/{id}', me);
    expect([disable, demote, del].map((r) => r.response.status)).toEqual([409, 409, 409]);

    const second = await addUser(t, [owner]);
    const demoteFirst = await second.client.PATCH('/v1/users/{id}', {
      ...me,
      body: { roleIds: [roles.admin ?? ''] },
    });
    expect(demoteFirst.response.status).toBe(200);
    const demoteSelf = await second.client.PATCH('/v1/users/{id}', {
      ...params(second.id),
      body: { roleIds: [roles.admin ?? ''] },
    });
    expect(demoteSelf.response.status).toBe(409);
    expect(
      (
        await second.client.GET('/v1/users', { params: { query: { roleId: owner } } })
      ).data?.data.map((u) => u.id),
    ).toEqual([second.id]);
  });

  it('answers 404 for another tenant’s user and changes nothing', async () => {
    const a = await h.signup();
    const b = await h.signup();
    const victim = params(a.ownerId);
    const read = await b.owner.GET('/v1/users/{id}', victim);
    const patch = await b.owner.PATCH('/v1/users/{id}', {
      ...victim,
      body: { status: 'disabled' },
    });
    const del = await b.owner.DELETE('/v1/users/{id}', victim);
    expect([read, patch, del].map((r) => r.response.status)).toEqual([404, 404, 404]);
    const after = await a.owner.GET('/v1/users/{id}', victim);
    expect(after.data?.status).toBe('active');
    expect((await a.owner.GET('/v1/users', {})).response.status).toBe(200);
    expect((await b.owner.GET('/v1/users', {})).data?.data.map((u) => u.id)).toEqual([b.ownerId]);
  });
});
