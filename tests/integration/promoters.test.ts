import { INVITE_CODE_ALPHABET } from '@tuike/core';
import { listAudit, schema } from '@tuike/db';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness, type Tenant } from '../helpers/harness';
import { snapshotDatabase } from '../helpers/snapshot';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

const params = (id: string) => ({ params: { path: { id } } });
const WELL_FORMED_PROMOTER = 'prm_01jd7s5m3q8x0f4k2v9w6tbz3c';
const WELL_FORMED_TIER = 'tir_01jd7s5m3q8x0f4k2v9w6tbz3c';

interface Sent {
  status: number;
  body: { detail?: string; errors?: { path: string }[]; [key: string]: unknown };
}

async function send(t: Tenant, method: string, path: string, body?: unknown): Promise<Sent> {
  const res = await h.request(path, {
    method,
    token: t.accessToken,
    headers: { 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Sent['body'] };
}

const pathsOf = (sent: Sent) => (sent.body.errors ?? []).map((e) => e.path);

async function create(t: Tenant, body: { name: string; uplineId?: string; [k: string]: unknown }) {
  const res = await send(t, 'POST', '/v1/promoters', body);
  if (res.status !== 201) throw new Error(`create failed: ${JSON.stringify(res.body)}`);
  return res.body as { id: string; inviteCode: string; ancestorIds: string[] };
}

const move = (t: Tenant, id: string, uplineId: string | null) =>
  send(t, 'PATCH', `/v1/promoters/${id}`, { uplineId });

/**
 * Every promoter's stored path must equal the path walked up its upline_id links: an
 * independent recomputation that also proves there is no cycle.
 */
async function expectTreeConsistent(tenantId: string): Promise<Map<string, string[]>> {
  const p = schema.promoters;
  const rows = await h.database.db
    .select({ id: p.id, uplineId: p.uplineId, ancestorIds: p.ancestorIds })
    .from(p)
    .where(eq(p.tenantId, tenantId));
  const upline = new Map(rows.map((r) => [r.id, r.uplineId]));
  const walked = new Map<string, string[]>();
  for (const row of rows) {
    const path: string[] = [];
    for (let at = row.uplineId; at !== null; at = upline.get(at) ?? null) {
      if (path.includes(at) || at === row.id) throw new Error(`cycle through ${at}`);
      path.unshift(at);
    }
    expect(row.ancestorIds, `path of ${row.id}`).toEqual(path);
    walked.set(row.id, path);
  }
  return walked;
}

describe('promoters - create and read', () => {
  it('creates roots and invitees by upline id or invite code, with paths and counts', async () => {
    const t = await h.signup();
    const tier = await t.owner.POST('/v1/tiers', { body: { name: '白银', level: 2 } });
    const root = await t.owner.POST('/v1/promoters', {
      body: {
        name: '王芳',
        email: 'wang@example.com',
        phone: '+86 138 0000 0001',
        externalRef: 'member-1',
        tierId: tier.data?.id,
      },
    });
    expect(root.response.status).toBe(201);
    expect(root.data).toMatchObject({
      name: '王芳',
      status: 'active',
      uplineId: null,
      ancestorIds: [],
      depth: 0,
      downlineCount: 0,
      tier: { id: tier.data?.id, name: '白银', level: 2 },
    });
    const code = root.data?.inviteCode ?? '';
    expect(code).toHaveLength(8);
    expect([...code].every((ch) => INVITE_CODE_ALPHABET.includes(ch))).toBe(true);

    const rootId = root.data?.id ?? '';
    const child = await create(t, { name: '李娜', uplineId: rootId, inviteCode: 'lina01' });
    expect(child.inviteCode).toBe('LINA01');
    const grandchild = await create(t, { name: '张伟', invitedBy: 'lina01' });

    const read = await t.owner.GET('/v1/promoters/{id}', params(grandchild.id));
    expect(read.data).toMatchObject({
      uplineId: child.id,
      ancestorIds: [rootId, child.id],
      depth: 2,
      tier: null,
      tierId: null,
    });
    const rootAgain = await t.owner.GET('/v1/promoters/{id}', params(rootId));
    expect(rootAgain.data?.downlineCount).toBe(1);

    const audit = await listAudit(
      h.database.db,
      t.tenantId,
      { action: 'promoter.create' },
      {
        limit: 10,
      },
    );
    expect(audit.data).toHaveLength(3);
  });
});

describe('promoters - list', () => {
  it('searches and filters, and pages without gaps or repeats', async () => {
    const t = await h.signup();
    const gold = await t.owner.POST('/v1/tiers', { body: { name: 'Gold', level: 3 } });
    const boss = await create(t, { name: '陈静', email: 'chen@shop.cn', externalRef: 'vip-9' });
    await create(t, { name: '刘洋', phone: '13912345678', uplineId: boss.id });
    await create(t, { name: '赵磊', tierId: gold.data?.id, uplineId: boss.id });
    const frozen = await create(t, { name: 'Frozen 100%' });
    await send(t, 'PATCH', `/v1/promoters/${frozen.id}`, { status: 'frozen' });

    const names = async (query: Record<string, string | number>) => {
      const { data } = await t.owner.GET('/v1/promoters', { params: { query } });
      return (data?.data ?? []).map((p) => p.name).sort();
    };
    expect(await names({ q: '静' })).toEqual(['陈静']);
    expect(await names({ q: 'SHOP.CN' })).toEqual(['陈静']);
    expect(await names({ q: '9123' })).toEqual(['刘洋']);
    expect(await names({ q: 'vip-9' })).toEqual(['陈静']);
    expect(await names({ q: boss.inviteCode.toLowerCase() })).toEqual(['陈静']);
    expect(await names({ q: '%' })).toEqual(['Frozen 100%']);
    expect(await names({ status: 'frozen' })).toEqual(['Frozen 100%']);
    expect(await names({ tierId: gold.data?.id ?? '' })).toEqual(['赵磊']);
    expect(await names({ uplineId: boss.id })).toEqual(['刘洋', '赵磊']);

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const query: { limit: number; cursor?: string } = { limit: 3 };
      if (cursor) query.cursor = cursor;
      const { data } = await t.owner.GET('/v1/promoters', { params: { query } });
      seen.push(...(data?.data ?? []).map((p) => p.id));
      cursor = data?.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toHaveLength(4);
    expect([...seen].sort().reverse()).toEqual(seen);
  });
});

describe('promoters - change', () => {
  it('changes fields, clears optional ones and audits before and after', async () => {
    const t = await h.signup();
    const tier = await t.owner.POST('/v1/tiers', { body: { name: 'T', level: 1 } });
    const p = await create(t, { name: 'Old', email: 'old@example.com', tierId: tier.data?.id });
    const res = await t.owner.PATCH('/v1/promoters/{id}', {
      ...params(p.id),
      body: { name: 'New', email: null, tierId: null, status: 'frozen' },
    });
    expect(res.data).toMatchObject({ name: 'New', email: null, tier: null, status: 'frozen' });
    const audit = await listAudit(
      h.database.db,
      t.tenantId,
      { action: 'promoter.update' },
      {
        limit: 5,
      },
    );
    expect(audit.data[0]?.before).toMatchObject({ name: 'Old', email: 'old@example.com' });
    expect(audit.data[0]?.after).toMatchObject({ name: 'New', email: null, status: 'frozen' });
  });
});

describe('promoters - validation', () => {
  it.each([
    [{ name: '甲', id: WELL_FORMED_PROMOTER }, '(body)'],
    [{ name: '甲', tenantId: 'ten_x' }, '(body)'],
    [{ name: '甲', ancestorIds: [] }, '(body)'],
    [{ name: '甲', status: 'active' }, '(body)'],
    [{ name: '甲', nickname: 'x' }, '(body)'],
    [{ name: '' }, 'name'],
    [{ name: '甲', email: 'not-an-email' }, 'email'],
    [{ name: '甲', phone: 'call me' }, 'phone'],
    [{ name: '甲', inviteCode: 'AB' }, 'inviteCode'],
    [{ name: '甲', inviteCode: 'AB CD!' }, 'inviteCode'],
    [{ name: '甲', uplineId: 'usr_01jd7s5m3q8x0f4k2v9w6tbz3c' }, 'uplineId'],
    [{ name: '甲', tierId: 42 }, 'tierId'],
    [{ name: '甲', uplineId: WELL_FORMED_PROMOTER }, 'uplineId'],
    [{ name: '甲', tierId: WELL_FORMED_TIER }, 'tierId'],
    [{ name: '甲', invitedBy: 'NOSUCHCODE' }, 'invitedBy'],
    [{ name: '甲', uplineId: WELL_FORMED_PROMOTER, invitedBy: 'ABCDEFGH' }, 'invitedBy'],
  ])('POST refuses %j naming %s and creates nothing', async (body, path) => {
    const t = await h.signup();
    const res = await send(t, 'POST', '/v1/promoters', body);
    expect(res.status).toBe(400);
    expect(pathsOf(res)).toContain(path);
    const { data } = await t.owner.GET('/v1/promoters');
    expect(data?.data).toEqual([]);
  });

  it.each([
    [{ ancestorIds: [] }, '(body)'],
    [{ status: 'deleted' }, 'status'],
    [{ uplineId: 'prm_!' }, 'uplineId'],
    [{ uplineId: WELL_FORMED_PROMOTER }, 'uplineId'],
    [{ tierId: WELL_FORMED_TIER }, 'tierId'],
  ])('PATCH refuses %j naming %s and changes nothing', async (body, path) => {
    const t = await h.signup();
    const p = await create(t, { name: '乙' });
    const before = await snapshotDatabase(h.database);
    const res = await send(t, 'PATCH', `/v1/promoters/${p.id}`, body);
    expect(res.status).toBe(400);
    expect(pathsOf(res)).toContain(path);
    expect(await snapshotDatabase(h.database)).toEqual(before);
  });

  it('answers 409 naming a taken invite code or external reference', async () => {
    const t = await h.signup();
    await create(t, { name: 'A', inviteCode: 'TAKEN123', externalRef: 'ext-1' });
    const b = await create(t, { name: 'B' });
    const code = await send(t, 'POST', '/v1/promoters', { name: 'C', inviteCode: 'taken123' });
    expect(code.status).toBe(409);
    expect(pathsOf(code)).toEqual(['inviteCode']);
    const ref = await send(t, 'PATCH', `/v1/promoters/${b.id}`, { externalRef: 'ext-1' });
    expect(ref.status).toBe(409);
    expect(pathsOf(ref)).toEqual(['externalRef']);
  });
});

describe('promoters - moving in the tree', () => {
  it('refuses the promoter itself or its own downline as upline, changing nothing', async () => {
    const t = await h.signup();
    const a = await create(t, { name: 'A' });
    const b = await create(t, { name: 'B', uplineId: a.id });
    const c = await create(t, { name: 'C', uplineId: b.id });

    const before = await snapshotDatabase(h.database);
    const self = await move(t, a.id, a.id);
    expect(self.status).toBe(400);
    expect(pathsOf(self)).toEqual(['uplineId']);
    for (const below of [b.id, c.id]) {
      const res = await move(t, a.id, below);
      expect(res.status).toBe(409);
      expect(pathsOf(res)).toEqual(['uplineId']);
      expect(res.body.detail).toMatch(/^uplineId: .*cycle/);
    }
    expect(await snapshotDatabase(h.database)).toEqual(before);
  });

  it('moves a whole subtree and rewrites every descendant path, auditing the move', async () => {
    const t = await h.signup();
    const r1 = await create(t, { name: 'R1' });
    const r2 = await create(t, { name: 'R2' });
    const x = await create(t, { name: 'X', uplineId: r1.id });
    const y = await create(t, { name: 'Y', uplineId: x.id });
    const z = await create(t, { name: 'Z', uplineId: y.id });
    const w = await create(t, { name: 'W', uplineId: x.id });

    expect((await move(t, x.id, r2.id)).status).toBe(200);
    const paths = await expectTreeConsistent(t.tenantId);
    expect(paths.get(z.id)).toEqual([r2.id, x.id, y.id]);
    expect(paths.get(w.id)).toEqual([r2.id, x.id]);

    const toRoot = await move(t, y.id, null);
    expect(toRoot.body).toMatchObject({ uplineId: null, ancestorIds: [], depth: 0 });
    expect((await expectTreeConsistent(t.tenantId)).get(z.id)).toEqual([y.id]);

    const audit = await listAudit(
      h.database.db,
      t.tenantId,
      { action: 'promoter.move' },
      {
        limit: 5,
      },
    );
    expect(audit.data.map((a) => [a.entityId, a.before, a.after])).toEqual([
      [
        y.id,
        { uplineId: x.id, ancestorIds: [r2.id, x.id] },
        expect.objectContaining({ uplineId: null, descendantsMoved: 1 }),
      ],
      [
        x.id,
        { uplineId: r1.id, ancestorIds: [r1.id] },
        expect.objectContaining({ uplineId: r2.id, descendantsMoved: 3 }),
      ],
    ]);
  });

  it('keeps every path right over many random moves', async () => {
    const t = await h.signup();
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const ids: string[] = [];
    for (let i = 0; i < 16; i++) {
      const uplineId = i > 0 && random(4) > 0 ? ids[random(i)] : undefined;
      ids.push((await create(t, { name: `P${i}`, ...(uplineId ? { uplineId } : {}) })).id);
    }
    for (let i = 0; i < 30; i++) {
      const id = ids[random(ids.length)] ?? '';
      const target = random(5) === 0 ? null : (ids[random(ids.length)] ?? null);
      const res = await move(t, id, target);
      expect([200, 400, 409]).toContain(res.status);
      await expectTreeConsistent(t.tenantId);
    }
  });

  it('never lets two crossing moves make a cycle', async () => {
    const t = await h.signup();
    const pairs = await Promise.all(
      Array.from({ length: 6 }, async (_, i) => [
        await create(t, { name: `A${i}` }),
        await create(t, { name: `B${i}` }),
      ]),
    );
    const outcomes = await Promise.all(
      pairs.map(async ([a, b]) => {
        const results = await Promise.all([
          move(t, a?.id ?? '', b?.id ?? ''),
          move(t, b?.id ?? '', a?.id ?? ''),
        ]);
        return results.map((r) => r.status).sort();
      }),
    );
    for (const statuses of outcomes) expect(statuses).toEqual([200, 409]);
    await expectTreeConsistent(t.tenantId);
  });
});

describe('promoters - downline', () => {
  it('lists the downline level by level, with depth limits and pages', async () => {
    const t = await h.signup();
    const root = await create(t, { name: 'Root' });
    const c1 = await create(t, { name: 'C1', uplineId: root.id });
    const c2 = await create(t, { name: 'C2', uplineId: root.id });
    const g1 = await create(t, { name: 'G1', uplineId: c1.id });
    const g2 = await create(t, { name: 'G2', uplineId: c2.id });
    const x = await create(t, { name: 'X', uplineId: g1.id });
    await create(t, { name: 'Outsider' });

    const full = await t.owner.GET('/v1/promoters/{id}/downline', params(root.id));
    const members = full.data?.data ?? [];
    expect(members.map((m) => [m.level, m.id])).toEqual([
      ...[c1.id, c2.id].sort().map((id) => [1, id]),
      ...[g1.id, g2.id].sort().map((id) => [2, id]),
      [3, x.id],
    ]);
    expect(members.find((m) => m.id === x.id)?.uplineId).toBe(g1.id);
    expect(full.data?.nextCursor).toBeNull();

    const near = await t.owner.GET('/v1/promoters/{id}/downline', {
      params: { path: { id: root.id }, query: { maxDepth: 1 } },
    });
    expect(near.data?.data.map((m) => m.level)).toEqual([1, 1]);

    const paged: string[] = [];
    let cursor: string | undefined;
    do {
      const query: { limit: number; cursor?: string } = { limit: 2 };
      if (cursor) query.cursor = cursor;
      const page = await t.owner.GET('/v1/promoters/{id}/downline', {
        params: { path: { id: root.id }, query },
      });
      paged.push(...(page.data?.data ?? []).map((m) => m.id));
      cursor = page.data?.nextCursor ?? undefined;
    } while (cursor);
    expect(paged).toEqual(members.map((m) => m.id));

    const fromC1 = await t.owner.GET('/v1/promoters/{id}/downline', params(c1.id));
    expect(fromC1.data?.data.map((m) => [m.level, m.id])).toEqual([
      [1, g1.id],
      [2, x.id],
    ]);
  });

  it('answers 400 for a bad cursor or depth', async () => {
    const t = await h.signup();
    const p = await create(t, { name: 'P' });
    for (const query of ['cursor=nonsense', 'cursor=0.prm_abc', 'maxDepth=0', 'maxDepth=65']) {
      const res = await send(t, 'GET', `/v1/promoters/${p.id}/downline?${query}`);
      expect(res.status, query).toBe(400);
    }
  });
});

describe('promoters - tenancy', () => {
  it('answers 404 for another tenant’s promoter and 400 for it as an upline', async () => {
    const a = await h.signup();
    const b = await h.signup();
    const theirs = await create(a, { name: 'Theirs' });
    const tier = await a.owner.POST('/v1/tiers', { body: { name: 'A tier', level: 1 } });
    const mine = await create(b, { name: 'Mine' });

    const before = await snapshotDatabase(h.database);
    expect((await send(b, 'GET', `/v1/promoters/${theirs.id}`)).status).toBe(404);
    expect((await send(b, 'PATCH', `/v1/promoters/${theirs.id}`, { name: 'x' })).status).toBe(404);
    expect((await move(b, theirs.id, null)).status).toBe(404);
    expect((await send(b, 'GET', `/v1/promoters/${theirs.id}/downline`)).status).toBe(404);
    const asUpline = await move(b, mine.id, theirs.id);
    expect(asUpline.status).toBe(400);
    expect(pathsOf(asUpline)).toEqual(['uplineId']);
    const asTier = await send(b, 'PATCH', `/v1/promoters/${mine.id}`, { tierId: tier.data?.id });
    expect(asTier.status).toBe(400);
    expect(pathsOf(asTier)).toEqual(['tierId']);
    const asInviter = await send(b, 'POST', '/v1/promoters', {
      name: 'New',
      invitedBy: theirs.inviteCode,
    });
    expect(asInviter.status).toBe(400);
    const listed = await b.owner.GET('/v1/promoters', { params: { query: { q: 'Theirs' } } });
    expect(listed.data?.data).toEqual([]);
    expect(await snapshotDatabase(h.database)).toEqual(before);
  });
});
