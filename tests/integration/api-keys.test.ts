import { newId } from '@tuike/core';
import { getBuiltInRole, insertRole, insertUser, listAudit, setUserRoles } from '@tuike/db';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../../api/src/lib/secrets';
import { startSession } from '../../api/src/services/sessions';
import { createHarness, type Harness, type Tenant } from '../helpers/harness';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

/** A signed-in member: a built-in role by key, or a custom role with these permissions. */
async function memberWith(tenantId: string, grant: string | string[]): Promise<string> {
  const db = h.database.db;
  const role =
    typeof grant === 'string'
      ? await getBuiltInRole(db, tenantId, grant)
      : await insertRole(db, { tenantId, id: newId('role'), name: newId('role') }, grant);
  if (!role) throw new Error(`no role ${String(grant)}`);
  const user = await insertUser(db, {
    tenantId,
    id: newId('user'),
    email: `${newId('user')}@example.com`,
    passwordHash: 'scrypt$unused',
  });
  await setUserRoles(db, tenantId, user.id, [role.id]);
  const tokens = await startSession(db, h.deps, user, { ip: '10.1.1.1', userAgent: undefined });
  return tokens.accessToken;
}

const statusOf = async (call: Promise<{ response: Response }>) => (await call).response.status;

async function createKey(t: Tenant, scopes: string[], name = 'shop server') {
  const res = await h.request('/v1/api-keys', {
    method: 'POST',
    token: t.accessToken,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name, scopes }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function createdKey(t: Tenant, scopes: string[], name?: string) {
  const { status, body } = await createKey(t, scopes, name);
  expect(status).toBe(201);
  return body as { id: string; secret: string; prefix: string; scopes: string[] };
}

describe('POST /v1/api-keys', () => {
  it('creates a key whose secret is shown once and stored only as a hash', async () => {
    const t = await h.signup();
    const { data, response } = await t.owner.POST('/v1/api-keys', {
      body: { name: 'Shop backend', scopes: ['conversions:write', 'promoters:read'] },
    });
    expect(response.status).toBe(201);
    if (!data) throw new Error('no body');
    expect(data.id).toMatch(/^key_/);
    expect(data.secret).toMatch(/^tk_[A-Za-z0-9_-]{43}$/);
    expect(data.secret.startsWith(data.prefix)).toBe(true);
    expect(data.prefix.length).toBeLessThan(16);
    expect(data.scopes).toEqual(['conversions:write', 'promoters:read']);
    expect(data.createdBy).toBe(t.ownerId);
    expect(data.revokedAt).toBeNull();

    const rows = await h.database.rows<{ key_hash: string }>(
      sql`select * from api_keys where id = ${data.id}`,
    );
    expect(rows[0]?.key_hash).toBe(hashSecret(data.secret));
    expect(JSON.stringify(rows)).not.toContain(data.secret);

    const read = await t.owner.GET('/v1/api-keys/{id}', { params: { path: { id: data.id } } });
    expect(read.response.status).toBe(200);
    expect(read.data).not.toHaveProperty('secret');
    expect(JSON.stringify(read.data)).not.toContain(hashSecret(data.secret));
    expect(JSON.stringify(read.data)).not.toContain(data.secret);
  });

  it('writes an audit row without the secret or its hash', async () => {
    const t = await h.signup();
    const key = await createdKey(t, ['links:read']);
    await t.owner.DELETE('/v1/api-keys/{id}', { params: { path: { id: key.id } } });

    const page = await listAudit(
      h.database.db,
      t.tenantId,
      { entityType: 'api_key', entityId: key.id },
      { limit: 10 },
    );
    expect(page.data.map((r) => r.action).sort()).toEqual(['api_key.create', 'api_key.revoke']);
    const text = JSON.stringify(page.data);
    expect(text).not.toContain(key.secret);
    expect(text).not.toContain(hashSecret(key.secret));
    expect(text).not.toMatch(/keyHash|key_hash/);
  });

  it('removes duplicate scopes', async () => {
    const t = await h.signup();
    const key = await createdKey(t, ['links:read', 'links:read']);
    expect(key.scopes).toEqual(['links:read']);
  });

  it('answers 400 naming scopes.N for a scope outside the API key list', async () => {
    const t = await h.signup();
    for (const scope of ['users:manage', 'api_keys:manage', 'nonsense', '']) {
      const { status, body } = await createKey(t, ['links:read', scope]);
      expect(status).toBe(400);
      expect(body.errors).toEqual([expect.objectContaining({ path: 'scopes.1' })]);
    }
  });

  it('answers 400 for unknown keys, server-owned fields and bad shapes', async () => {
    const t = await h.signup();
    const bodies = [
      { name: 'x', scopes: [] },
      { name: '', scopes: ['links:read'] },
      { scopes: ['links:read'] },
      { name: 'x', scopes: 'links:read' },
      { name: 'x', scopes: ['links:read'], tenantId: t.tenantId },
      { name: 'x', scopes: ['links:read'], secret: 'tk_chosen_by_the_client_000000' },
      { name: 'x', scopes: ['links:read'], revokedAt: null },
    ];
    for (const body of bodies) {
      const res = await h.request('/v1/api-keys', {
        method: 'POST',
        token: t.accessToken,
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    const list = await t.owner.GET('/v1/api-keys', { params: { query: {} } });
    expect(list.data?.data).toEqual([]);
  });

  it('answers 403 for scopes the caller does not hold, and creates nothing', async () => {
    const t = await h.signup();
    const token = await memberWith(t.tenantId, ['api_keys:manage', 'api_keys:read', 'links:read']);
    const member = h.client(token);

    const denied = await member.POST('/v1/api-keys', {
      body: { name: 'too much', scopes: ['links:read', 'links:write'] },
    });
    expect(denied.response.status).toBe(403);
    expect((await member.GET('/v1/api-keys', { params: { query: {} } })).data?.data).toEqual([]);

    const allowed = await member.POST('/v1/api-keys', {
      body: { name: 'enough', scopes: ['links:read'] },
    });
    expect(allowed.response.status).toBe(201);
  });
});

describe('GET /v1/api-keys', () => {
  it('pages newest first and filters by revoked', async () => {
    const t = await h.signup();
    const a = await createdKey(t, ['links:read'], 'a');
    const b = await createdKey(t, ['links:read'], 'b');
    const c = await createdKey(t, ['links:read'], 'c');
    await t.owner.DELETE('/v1/api-keys/{id}', { params: { path: { id: b.id } } });

    const first = await t.owner.GET('/v1/api-keys', { params: { query: { limit: 2 } } });
    expect(first.data?.data.map((k) => k.id)).toEqual([c.id, b.id]);
    const cursor = first.data?.nextCursor ?? undefined;
    expect(cursor).toBeTruthy();
    const second = await t.owner.GET('/v1/api-keys', { params: { query: { limit: 2, cursor } } });
    expect(second.data?.data.map((k) => k.id)).toEqual([a.id]);
    expect(second.data?.nextCursor).toBeNull();

    const revoked = await t.owner.GET('/v1/api-keys', { params: { query: { revoked: 'true' } } });
    expect(revoked.data?.data.map((k) => k.id)).toEqual([b.id]);
    const live = await t.owner.GET('/v1/api-keys', { params: { query: { revoked: 'false' } } });
    expect(live.data?.data.map((k) => k.id)).toEqual([c.id, a.id]);
    const text = JSON.stringify([first.data, second.data]);
    for (const key of [a, b, c]) expect(text).not.toContain(key.secret);
  });

  it('answers 400 for a bad filter or limit', async () => {
    const t = await h.signup();
    for (const query of ['revoked=yes', 'limit=0', 'limit=201', 'limit=x']) {
      const res = await h.request(`/v1/api-keys?${query}`, { token: t.accessToken });
      expect(res.status, query).toBe(400);
    }
  });
});

describe('DELETE /v1/api-keys/{id}', () => {
  it('revokes at once, idempotently, with one audit row', async () => {
    const t = await h.signup();
    const key = await createdKey(t, ['promoters:read']);
    expect((await h.request('/v1/auth/me', { token: key.secret })).status).not.toBe(401);

    const path = { params: { path: { id: key.id } } };
    expect((await t.owner.DELETE('/v1/api-keys/{id}', path)).response.status).toBe(204);
    expect((await h.request('/v1/auth/me', { token: key.secret })).status).toBe(401);
    expect((await h.request('/v1/tenant', { token: key.secret })).status).toBe(401);
    expect((await t.owner.DELETE('/v1/api-keys/{id}', path)).response.status).toBe(204);

    const read = await t.owner.GET('/v1/api-keys/{id}', path);
    expect(read.data?.revokedAt).toEqual(expect.any(String));
    const audit = await listAudit(
      h.database.db,
      t.tenantId,
      { action: 'api_key.revoke', entityId: key.id },
      { limit: 10 },
    );
    expect(audit.data).toHaveLength(1);
    expect(audit.data[0]?.actorId).toBe(t.ownerId);
  });

  it('answers 404 for an unknown key and 400 for a malformed id', async () => {
    const t = await h.signup();
    const unknown = await t.owner.DELETE('/v1/api-keys/{id}', {
      params: { path: { id: newId('apiKey') } },
    });
    expect(unknown.response.status).toBe(404);
    const malformed = await h.request('/v1/api-keys/prm_abc', {
      method: 'DELETE',
      token: t.accessToken,
    });
    expect(malformed.status).toBe(400);
  });
});

describe('API keys as credentials', () => {
  it('act with their scopes only', async () => {
    const t = await h.signup();
    const key = await createdKey(t, ['promoters:read']);
    expect((await h.request('/v1/tenant', { token: key.secret })).status).toBe(403);
    expect((await h.request('/v1/api-keys', { token: key.secret })).status).toBe(403);
    const me = await h.request('/v1/auth/me', { token: key.secret });
    expect(me.status).toBe(404);

    const read = await t.owner.GET('/v1/api-keys/{id}', { params: { path: { id: key.id } } });
    expect(read.data?.lastUsedAt).toEqual(expect.any(String));
  });

  it('answers 401 for an unknown or altered secret', async () => {
    const t = await h.signup();
    const key = await createdKey(t, ['promoters:read']);
    const altered = `${key.secret.slice(0, -1)}${key.secret.endsWith('A') ? 'B' : 'A'}`;
    for (const secret of [altered, 'tk_0000000000000000000000', key.secret.slice(3)]) {
      expect((await h.request('/v1/auth/me', { token: secret })).status).toBe(401);
    }
  });
});

describe('API key authorisation', () => {
  it('lets readers read but not change, and refuses roles without api_keys:read', async () => {
    const t = await h.signup();
    const key = await createdKey(t, ['links:read']);
    const auditor = h.client(await memberWith(t.tenantId, 'auditor'));
    const operator = h.client(await memberWith(t.tenantId, 'operator'));
    const path = { params: { path: { id: key.id } } };
    const list = { params: { query: {} } };
    const body = { body: { name: 'x', scopes: ['links:read' as const] } };

    expect(await statusOf(auditor.GET('/v1/api-keys', list))).toBe(200);
    expect(await statusOf(auditor.GET('/v1/api-keys/{id}', path))).toBe(200);
    expect(await statusOf(auditor.POST('/v1/api-keys', body))).toBe(403);
    expect(await statusOf(auditor.DELETE('/v1/api-keys/{id}', path))).toBe(403);
    expect(await statusOf(operator.GET('/v1/api-keys', list))).toBe(403);
    expect(await statusOf(operator.GET('/v1/api-keys/{id}', path))).toBe(403);
    expect((await h.request('/v1/api-keys')).status).toBe(401);

    expect((await t.owner.GET('/v1/api-keys/{id}', path)).data?.revokedAt).toBeNull();
    expect((await t.owner.GET('/v1/api-keys', list)).data?.data).toHaveLength(1);
  });

  it("answers 404 for another tenant's key and leaves it working", async () => {
    const a = await h.signup();
    const b = await h.signup();
    const key = await createdKey(a, ['promoters:read']);
    const path = { params: { path: { id: key.id } } };

    expect((await b.owner.GET('/v1/api-keys/{id}', path)).response.status).toBe(404);
    expect((await b.owner.DELETE('/v1/api-keys/{id}', path)).response.status).toBe(404);
    const list = await b.owner.GET('/v1/api-keys', { params: { query: {} } });
    expect(list.data?.data).toEqual([]);
    expect((await h.request('/v1/tenant', { token: key.secret })).status).toBe(403);
    expect((await a.owner.GET('/v1/api-keys/{id}', path)).data?.revokedAt).toBeNull();
  });
});
