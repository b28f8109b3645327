import { newId } from '@tuike/core';
import { getBuiltInRole, insertUser, listAudit, setUserRoles } from '@tuike/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../api/src/lib/password';
import { type SeededDemo, seedDemo } from '../../api/src/services/demo-seed';
import { createHarness, type Harness, type Tenant } from '../helpers/harness';
import { snapshotDatabase } from '../helpers/snapshot';

let h: Harness;
let seeded: SeededDemo | null;
beforeAll(async () => {
  h = await createHarness();
  // Before any sign-up: the seed only runs on an empty database.
  seeded = await seedDemo(h.deps);
});
afterAll(() => h.close());

const params = (id: string) => ({ params: { path: { id } } });

async function post(t: Tenant, path: string, body: unknown, method = 'POST') {
  const res = await h.request(path, {
    method,
    token: t.accessToken,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** A signed-in user of `t` holding one built-in role. */
async function tokenWithRole(t: Tenant, role: string): Promise<string> {
  const db = h.database.db;
  const email = `${role}.${Date.now().toString(36)}@example.com`;
  const password = 'a long enough password';
  const user = await insertUser(db, {
    tenantId: t.tenantId,
    id: newId('user'),
    email,
    passwordHash: await hashPassword(password, h.deps.passwordParams),
  });
  const roleRow = await getBuiltInRole(db, t.tenantId, role);
  await setUserRoles(db, t.tenantId, user.id, roleRow ? [roleRow.id] : []);
  const { data } = await h.client().POST('/v1/auth/login', {
    body: { email, password },
    headers: { 'X-Forwarded-For': '10.77.0.1' },
  });
  if (!data) throw new Error('login failed');
  return data.accessToken;
}

describe('tiers - happy path', () => {
  it('creates, lists in level order, reads, changes and removes a tier, auditing each', async () => {
    const t = await h.signup();
    const gold = await t.owner.POST('/v1/tiers', {
      body: { name: '黄金 Gold', level: 3, minPeriodVolume: '2000000', description: '月销两万' },
    });
    expect(gold.response.status).toBe(201);
    expect(gold.data).toMatchObject({
      name: '黄金 Gold',
      level: 3,
      minPeriodVolume: { amount: '2000000', currency: 'CNY' },
      description: '月销两万',
    });
    const bronze = await t.owner.POST('/v1/tiers', { body: { name: 'Bronze', level: 1 } });
    expect(bronze.data?.minPeriodVolume).toEqual({ amount: '0', currency: 'CNY' });
    const goldId = gold.data?.id ?? '';
    const bronzeId = bronze.data?.id ?? '';

    const list = await t.owner.GET('/v1/tiers');
    expect(list.data?.data.map((x) => x.level)).toEqual([1, 3]);
    expect(list.data?.nextCursor).toBeNull();

    const patched = await t.owner.PATCH('/v1/tiers/{id}', {
      ...params(goldId),
      body: { level: 2, minPeriodVolume: '1500000' },
    });
    expect(patched.data).toMatchObject({ id: goldId, level: 2, name: '黄金 Gold' });
    expect(patched.data?.minPeriodVolume.amount).toBe('1500000');

    const removed = await t.owner.DELETE('/v1/tiers/{id}', params(bronzeId));
    expect(removed.response.status).toBe(204);
    const gone = await t.owner.GET('/v1/tiers/{id}', params(bronzeId));
    expect(gone.response.status).toBe(404);

    const audit = await listAudit(h.database.db, t.tenantId, { entityType: 'tier' }, { limit: 10 });
    expect(audit.data.map((a) => a.action).sort()).toEqual([
      'tier.create',
      'tier.create',
      'tier.delete',
      'tier.update',
    ]);
    const update = audit.data.find((a) => a.action === 'tier.update');
    expect(update?.before).toMatchObject({ level: 3, minPeriodVolume: '2000000' });
    expect(update?.after).toMatchObject({ level: 2, minPeriodVolume: '1500000' });
  });

  it('pages through tiers by level', async () => {
    const t = await h.signup();
    for (const level of [5, 1, 3]) {
      await t.owner.POST('/v1/tiers', { body: { name: `L${level}`, level } });
    }
    const first = await t.owner.GET('/v1/tiers', { params: { query: { limit: 2 } } });
    expect(first.data?.data.map((x) => x.level)).toEqual([1, 3]);
    expect(first.data?.nextCursor).toBe('3');
    const second = await t.owner.GET('/v1/tiers', {
      params: { query: { limit: 2, cursor: first.data?.nextCursor ?? '' } },
    });
    expect(second.data?.data.map((x) => x.level)).toEqual([5]);
    expect(second.data?.nextCursor).toBeNull();
  });
});

describe('tiers - conflicts', () => {
  it('answers 409 naming the field for a duplicate name or level, on create and on change', async () => {
    const t = await h.signup();
    await t.owner.POST('/v1/tiers', { body: { name: 'Silver', level: 2 } });
    const other = await t.owner.POST('/v1/tiers', { body: { name: 'Gold', level: 3 } });

    const sameName = await post(t, '/v1/tiers', { name: 'Silver', level: 4 });
    expect(sameName.status).toBe(409);
    expect(sameName.body.errors).toEqual([{ path: 'name', message: expect.any(String) }]);
    const sameLevel = await post(t, '/v1/tiers', { name: 'Platinum', level: 2 });
    expect(sameLevel.status).toBe(409);
    expect(sameLevel.body.detail).toMatch(/^level: .*level 2/);

    const before = await snapshotDatabase(h.database);
    const rename = await post(t, `/v1/tiers/${other.data?.id}`, { name: 'Silver' }, 'PATCH');
    expect(rename.status).toBe(409);
    expect(await snapshotDatabase(h.database)).toEqual(before);
  });

  it('refuses to remove a tier promoters hold', async () => {
    const t = await h.signup();
    const tier = await t.owner.POST('/v1/tiers', { body: { name: 'Held', level: 1 } });
    const tierId = tier.data?.id ?? '';
    await t.owner.POST('/v1/promoters', { body: { name: '周杰', tierId } });

    const before = await snapshotDatabase(h.database);
    const res = await t.owner.DELETE('/v1/tiers/{id}', params(tierId));
    expect(res.response.status).toBe(409);
    expect(await snapshotDatabase(h.database)).toEqual(before);
  });
});

describe('tiers - validation', () => {
  it.each([
    [{ name: 'A', level: 0 }, 'level'],
    [{ name: 'A', level: 1001 }, 'level'],
    [{ name: 'A', level: 1.5 }, 'level'],
    [{ name: 'A', level: '2' }, 'level'],
    [{ name: '', level: 1 }, 'name'],
    [{ name: 'A', level: 1, minPeriodVolume: '-1' }, 'minPeriodVolume'],
    [{ name: 'A', level: 1, minPeriodVolume: '1.5' }, 'minPeriodVolume'],
    [{ name: 'A', level: 1, minPeriodVolume: '01' }, 'minPeriodVolume'],
    [{ name: 'A', level: 1, minPeriodVolume: 100 }, 'minPeriodVolume'],
    [{ name: 'A', level: 1, minPeriodVolume: '1e3' }, 'minPeriodVolume'],
    [{ name: 'A', level: 1, minPeriodVolume: '9999999999999999' }, 'minPeriodVolume'],
    [{ name: 'A', level: 1, tenantId: 'ten_x' }, '(body)'],
    [{ name: 'A', level: 1, id: 'tir_x' }, '(body)'],
  ])('refuses %j naming %s', async (body, path) => {
    const t = await h.signup();
    const res = await post(t, '/v1/tiers', body);
    expect(res.status).toBe(400);
    const paths = (res.body.errors as { path: string }[]).map((e) => e.path);
    expect(paths).toContain(path);
    const list = await t.owner.GET('/v1/tiers');
    expect(list.data?.data).toEqual([]);
  });

  it('answers 400 for a malformed id and for a bad cursor', async () => {
    const t = await h.signup();
    const res = await t.owner.GET('/v1/tiers/{id}', params('prm_01jd7s5m3q8x0f4k2v9w6tbz3c'));
    expect(res.response.status).toBe(400);
    const cursor = await h.request('/v1/tiers?cursor=abc', { token: t.accessToken });
    expect(cursor.status).toBe(400);
  });
});

describe('tiers - authorisation and tenancy', () => {
  it('answers 404 for another tenant’s tier and changes nothing', async () => {
    const a = await h.signup();
    const b = await h.signup();
    const tier = await a.owner.POST('/v1/tiers', { body: { name: 'Mine', level: 1 } });
    const id = tier.data?.id ?? '';

    const before = await snapshotDatabase(h.database);
    expect((await b.owner.GET('/v1/tiers/{id}', params(id))).response.status).toBe(404);
    const patch = await b.owner.PATCH('/v1/tiers/{id}', { ...params(id), body: { name: 'X' } });
    expect(patch.response.status).toBe(404);
    expect((await b.owner.DELETE('/v1/tiers/{id}', params(id))).response.status).toBe(404);
    expect((await b.owner.GET('/v1/tiers')).data?.data).toEqual([]);
    expect(await snapshotDatabase(h.database)).toEqual(before);
  });

  it('lets an auditor read tiers but not change them', async () => {
    const t = await h.signup();
    const auditor = h.client(await tokenWithRole(t, 'auditor'));
    expect((await auditor.GET('/v1/tiers')).response.status).toBe(200);
    const res = await auditor.POST('/v1/tiers', { body: { name: 'Nope', level: 1 } });
    expect(res.response.status).toBe(403);
  });
});

describe('demo seed', () => {
  it('gives the demo tenant three rising tiers and promoters in a three-level chain', async () => {
    expect(seeded).not.toBeNull();
    const login = await h.client().POST('/v1/auth/login', {
      body: { email: seeded?.email ?? '', password: seeded?.password ?? '' },
      headers: { 'X-Forwarded-For': '10.78.0.1' },
    });
    const owner = h.client(login.data?.accessToken ?? '');

    const tiers = (await owner.GET('/v1/tiers')).data?.data ?? [];
    expect(tiers.map((x) => x.level)).toEqual([1, 2, 3]);
    const volumes = tiers.map((x) => BigInt(x.minPeriodVolume.amount));
    expect(volumes[0] ?? 0n).toBeLessThan(volumes[1] ?? 0n);
    expect(volumes[1] ?? 0n).toBeLessThan(volumes[2] ?? 0n);

    const promoters = (await owner.GET('/v1/promoters')).data?.data ?? [];
    expect(promoters.length).toBeGreaterThanOrEqual(6);
    const byId = new Map(promoters.map((p) => [p.id, p]));
    for (const p of promoters) {
      const walked: string[] = [];
      for (let at = p.uplineId; at; at = byId.get(at)?.uplineId ?? null) walked.unshift(at);
      expect(p.ancestorIds).toEqual(walked);
    }
    expect(Math.max(...promoters.map((p) => p.depth))).toBe(2);
    expect(promoters.filter((p) => p.depth === 0).length).toBeGreaterThanOrEqual(2);
  });
});
