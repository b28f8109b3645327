import { newId } from '@tuike/core';
import { getBuiltInRole, insertUser, setUserRoles } from '@tuike/db';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSession } from '../../api/src/services/sessions';
import { createHarness, type Harness, type Tenant } from '../helpers/harness';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

/** A signed-in member of the tenant holding one built-in role. */
async function memberAs(tenantId: string, builtIn: string): Promise<string> {
  const db = h.database.db;
  const role = await getBuiltInRole(db, tenantId, builtIn);
  if (!role) throw new Error(`no built-in role ${builtIn}`);
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

async function auditLog(t: Tenant, query: Record<string, string> = {}) {
  const res = await h.request(`/v1/audit-log?${new URLSearchParams(query)}`, {
    token: t.accessToken,
  });
  return { status: res.status, body: (await res.json()) as AuditPage };
}

interface AuditPage {
  data: {
    id: string;
    at: string;
    actor: { type: string; id: string | null; roles: string[] };
    action: string;
    entity: { type: string; id: string };
    before: unknown;
    after: unknown;
    requestId: string | null;
    ip: string | null;
  }[];
  nextCursor: string | null;
  errors?: { path: string }[];
}

async function renameTenant(t: Tenant, name: string, ip: string) {
  const { response } = await t.owner.PATCH('/v1/tenant', {
    body: { name },
    headers: { 'X-Forwarded-For': ip },
  });
  expect(response.status).toBe(200);
  return response.headers.get('x-request-id');
}

describe('GET /v1/audit-log', () => {
  it('records who changed what, with before, after, request id and IP', async () => {
    const t = await h.signup('Before');
    const requestId = await renameTenant(t, 'After', '203.0.113.7');

    const { status, body } = await auditLog(t, { action: 'tenant.update' });
    expect(status).toBe(200);
    expect(body.data).toHaveLength(1);
    const [entry] = body.data;
    expect(entry).toEqual({
      id: expect.stringMatching(/^aud_/),
      at: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
      actor: { type: 'user', id: t.ownerId, roles: ['owner'] },
      action: 'tenant.update',
      entity: { type: 'tenant', id: t.tenantId },
      before: expect.objectContaining({ name: 'Before' }),
      after: expect.objectContaining({ name: 'After' }),
      requestId,
      ip: '203.0.113.7',
    });
  });

  it('lists newest first and pages with the cursor', async () => {
    const t = await h.signup();
    for (const name of ['one', 'two', 'three']) await renameTenant(t, name, '10.0.0.1');

    const all = await auditLog(t);
    const ids = all.body.data.map((e) => e.id);
    expect(ids.length).toBeGreaterThanOrEqual(5);
    expect([...ids].sort().reverse()).toEqual(ids);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: Record<string, string> = { limit: '2', ...(cursor ? { cursor } : {}) };
      const page = await auditLog(t, query);
      seen.push(...page.body.data.map((e) => e.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(ids);
  });

  it('filters by actor, action, entity and time', async () => {
    const t = await h.signup();
    await renameTenant(t, 'renamed', '10.0.0.2');
    const start = new Date(Date.now() - 60_000).toISOString();
    const later = new Date(Date.now() + 60_000).toISOString();

    const actions = async (query: Record<string, string>) =>
      (await auditLog(t, query)).body.data.map((e) => e.action).sort();

    expect(await actions({ entityType: 'tenant' })).toEqual(['tenant.create', 'tenant.update']);
    expect(await actions({ entityType: 'user', entityId: t.ownerId })).toEqual(['user.create']);
    expect(await actions({ actorId: t.ownerId, action: 'tenant.create' })).toEqual([
      'tenant.create',
    ]);
    expect(await actions({ actorId: newId('user') })).toEqual([]);
    expect(await actions({ entityId: t.tenantId, from: start, to: later })).toEqual([
      'tenant.create',
      'tenant.update',
    ]);
    expect(await actions({ from: later })).toEqual([]);
    expect(await actions({ to: start })).toEqual([]);
    // 8 hours before `later` in UTC: the offset counts.
    expect(await actions({ to: later.replace('Z', '+08:00') })).toEqual([]);
  });

  it('answers 400 naming the field for a bad date-time or limit', async () => {
    const t = await h.signup();
    const cases: [Record<string, string>, string][] = [
      [{ from: 'yesterday' }, 'from'],
      [{ to: '2026-13-01T00:00:00Z' }, 'to'],
      [{ from: '2026-12-03' }, 'from'],
      [{ from: '2026-12-03T08:00:00Z', to: '2026-12-02T08:00:00Z' }, 'to'],
      [{ limit: '500' }, 'limit'],
    ];
    for (const [query, field] of cases) {
      const { status, body } = await auditLog(t, query);
      expect(status, JSON.stringify(query)).toBe(400);
      expect(body.errors?.map((e) => e.path)).toEqual([`query.${field}`]);
    }
  });

  it("never shows another tenant's entries", async () => {
    const a = await h.signup();
    const b = await h.signup();
    await renameTenant(a, 'secret plans', '10.0.0.3');

    const { body } = await auditLog(b);
    expect(body.data.length).toBeGreaterThan(0);
    expect(JSON.stringify(body)).not.toContain(a.tenantId);
    expect((await auditLog(b, { entityId: a.tenantId })).body.data).toEqual([]);
    expect((await auditLog(b, { actorId: a.ownerId })).body.data).toEqual([]);
  });

  it('needs audit:read', async () => {
    const t = await h.signup();
    const auditor = await memberAs(t.tenantId, 'auditor');
    const operator = await memberAs(t.tenantId, 'operator');
    const key = await t.owner.POST('/v1/api-keys', {
      body: { name: 'server', scopes: ['conversions:read'] },
    });

    expect((await h.request('/v1/audit-log', { token: auditor })).status).toBe(200);
    expect((await h.request('/v1/audit-log', { token: operator })).status).toBe(403);
    expect((await h.request('/v1/audit-log', { token: key.data?.secret })).status).toBe(403);
    expect((await h.request('/v1/audit-log')).status).toBe(401);
  });
});

describe('audit_log table', () => {
  it('refuses UPDATE, DELETE and TRUNCATE at the database level', async () => {
    const t = await h.signup();
    const db = h.database.db;
    const count = async () =>
      (
        await h.database.rows<{ n: number }>(
          sql`select count(*)::int as n from audit_log where tenant_id = ${t.tenantId}`,
        )
      )[0]?.n;
    const before = await count();
    expect(before).toBeGreaterThan(0);

    await expect(
      db.execute(sql`update audit_log set action = 'forged' where tenant_id = ${t.tenantId}`),
    ).rejects.toThrow();
    await expect(
      db.execute(sql`delete from audit_log where tenant_id = ${t.tenantId}`),
    ).rejects.toThrow();
    await expect(db.execute(sql`truncate audit_log`)).rejects.toThrow();

    expect(await count()).toBe(before);
    const forged = await h.database.rows(
      sql`select 1 from audit_log where tenant_id = ${t.tenantId} and action = 'forged'`,
    );
    expect(forged).toEqual([]);
  });
});
