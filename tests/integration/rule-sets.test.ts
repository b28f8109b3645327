import { newId } from '@tuike/core';
import { getBuiltInRole, insertUser, listAudit, schema, setUserRoles } from '@tuike/db';
import { and, eq } from 'drizzle-orm';
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

type Json = Record<string, unknown> & { errors?: { path: string; message: string }[] };

async function call(token: string, method: string, path: string, body?: unknown) {
  const res = await h.request(path, {
    method,
    token,
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } }),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as Json };
}

/** A signed-in user of `t` holding one built-in role. */
async function tokenWithRole(t: Tenant, role: string): Promise<string> {
  const db = h.database.db;
  const email = `${role}.${Math.random().toString(36).slice(2)}@example.com`;
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
    headers: { 'X-Forwarded-For': '10.78.0.1' },
  });
  if (!data) throw new Error('login failed');
  return data.accessToken;
}

const DEMO = {
  currency: 'CNY',
  rules: [
    {
      id: 'base',
      name: 'Base',
      payout: { kind: 'percent', rate: '0.1' },
      upline: [{ rate: '0.02' }],
    },
  ],
};
const chainOrder = (amount: string) => ({
  amount,
  chain: [{ id: 'p_seller' }, { id: 'p_inviter' }],
});

async function newRuleSet(t: Tenant, content: unknown = DEMO, name = `Rules ${Math.random()}`) {
  const res = await call(t.accessToken, 'POST', '/v1/rule-sets', { name, content });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

describe('rule sets - drafts, publishing, versions', () => {
  it('creates, validates, publishes and lists versions, auditing each step', async () => {
    const t = await h.signup();
    const created = await call(t.accessToken, 'POST', '/v1/rule-sets', { name: '默认佣金' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: '默认佣金',
      publishedVersion: null,
      workingVersion: 1,
    });
    const id = created.body.id as string;

    const draft = await call(t.accessToken, 'PUT', `/v1/rule-sets/${id}/draft`, { content: DEMO });
    expect(draft.status).toBe(200);
    expect(draft.body).toMatchObject({ version: 1, status: 'draft', contentHash: null });
    expect((draft.body.content as { rules: unknown[] }).rules[0]).toMatchObject({
      priority: 0,
      stacking: 'exclusive',
      recurring: { mode: 'first_payment' },
    });

    const valid = await call(t.accessToken, 'POST', `/v1/rule-sets/${id}/validate`, {});
    expect(valid.body).toEqual({ valid: true, version: 1, errors: [], breaches: [] });

    const published = await call(t.accessToken, 'POST', `/v1/rule-sets/${id}/publish`, {
      note: 'go',
    });
    expect(published.status).toBe(200);
    expect(published.body).toMatchObject({
      version: 1,
      status: 'published',
      submittedBy: t.ownerId,
    });
    expect(published.body.contentHash).toMatch(/^[0-9a-f]{64}$/);

    const read = await call(t.accessToken, 'GET', `/v1/rule-sets/${id}`);
    expect(read.body).toMatchObject({ publishedVersion: 1, workingVersion: null });
    const list = await call(t.accessToken, 'GET', '/v1/rule-sets');
    expect((list.body.data as { id: string }[]).map((r) => r.id)).toEqual([id]);

    const audit = await listAudit(h.database.db, t.tenantId, { entityId: id }, { limit: 10 });
    expect(audit.data.map((a) => a.action).reverse()).toEqual([
      'rule_set.create',
      'rule_set.draft_save',
      'rule_set.publish',
    ]);
    expect(audit.data[0]?.after).toMatchObject({ version: 1, note: 'go' });
  });

  it('archives the previous version, diffs, rolls back as a new version, and archives', async () => {
    const t = await h.signup();
    const id = await newRuleSet(t);
    await call(t.accessToken, 'POST', `/v1/rule-sets/${id}/publish`, {});
    const v1 = (await call(t.accessToken, 'GET', `/v1/rule-sets/${id}/versions`)).body
      .data as Json[];
    const hash1 = v1[0]?.contentHash;

    const changed = structuredClone(DEMO);
    changed.rules[0] = {
      ...DEMO.rules[0],
      payout: { kind: 'percent', rate: '0.12' },
    } as (typeof DEMO.rules)[0];
    await call(t.accessToken, 'PUT', `/v1/rule-sets/${id}/draft`, { content: changed });
    const diff = await call(t.accessToken, 'GET', `/v1/rule-sets/${id}/diff`);
    expect(diff.body).toMatchObject({
      from: 1,
      to: 2,
      added: [],
      removed: [],
      changed: [
        { ruleId: 'base', changes: [{ path: 'payout.rate', before: '0.1', after: '0.12' }] },
      ],
    });
    await call(t.accessToken, 'POST', `/v1/rule-sets/${id}/publish`, {});

    const rollback = await call(t.accessToken, 'POST', `/v1/rule-sets/${id}/rollback`, {
      version: 1,
    });
    expect(rollback.status).toBe(200);
    expect(rollback.body).toMatchObject({ version: 3, status: 'published', contentHash: hash1 });
    const versions = (await call(t.accessToken, 'GET', `/v1/rule-sets/${id}/versions?limit=2`))
      .body;
    expect((versions.data as Json[]).map((v) => [v.version, v.status])).toEqual([
      [3, 'published'],
      [2, 'archived'],
    ]);
    expect(versions.nextCursor).toBe('2');
    const older = await call(t.accessToken, 'GET', `/v1/rule-sets/${id}/versions?cursor=2`);
    expect((older.body.data as Json[]).map((v) => v.version)).toEqual([1]);

    const archived = await call(t.accessToken, 'POST', `/v1/rule-sets/${id}/archive`, {});
    expect(archived.body).toMatchObject({ version: 3, status: 'archived' });
    const again = await call(t.accessToken, 'POST', `/v1/rule-sets/${id}/archive`, {});
    expect(again.status).toBe(409);
  });

  it('refuses a rollback to a draft or over a draft, and a publish without a draft', async () => {
    const t = await h.signup();
    const id = await newRuleSet(t);
    expect(
      (await call(t.accessToken, 'POST', `/v1/rule-sets/${id}/rollback`, { version: 1 })).status,
    ).toBe(409);
    await call(t.accessToken, 'POST', `/v1/rule-sets/${id}/publish`, {});
    expect((await call(t.accessToken, 'POST', `/v1/rule-sets/${id}/publish`, {})).status).toBe(409);
    await call(t.accessToken, 'PUT', `/v1/rule-sets/${id}/draft`, { content: DEMO });
    const over = await call(t.accessToken, 'POST', `/v1/rule-sets/${id}/rollback`, { version: 1 });
    expect(over.status).toBe(409);
    expect(over.body.detail).toContain('has a draft (version 2)');
    expect((await call(t.accessToken, 'DELETE', `/v1/rule-sets/${id}/draft`)).status).toBe(204);
    expect(
      (await call(t.accessToken, 'POST', `/v1/rule-sets/${id}/rollback`, { version: 9 })).status,
    ).toBe(404);
  });

  it('keeps published content frozen in the database itself', async () => {
    const t = await h.signup();
    const id = await newRuleSet(t);
    await call(t.accessToken, 'POST', `/v1/rule-sets/${id}/publish`, {});
    const v = schema.ruleSetVersions;
    await expect(
      h.database.db
        .update(v)
        .set({ content: { currency: 'CNY', rules: [] } })
        .where(and(eq(v.tenantId, t.tenantId), eq(v.ruleSetId, id))),
    ).rejects.toThrow();
  });
});

describe('rule sets - compliance guard', () => {
  const rule = (extra: Record<string, unknown>) => ({
    currency: 'CNY',
    rules: [{ id: 'r', name: 'R', payout: { kind: 'percent', rate: '0.1' }, ...extra }],
  });

  it.each([
    [
      'two uplines under the CN profile',
      rule({ upline: [{ rate: '0.02' }, { rate: '0.01' }] }),
      'the CN compliance profile allows the promoter and at most one inviter',
    ],
    [
      'uplines paid for recruitment alone',
      rule({ payout: { kind: 'percent', rate: '0' }, upline: [{ rate: '0.05' }] }),
      'pays for recruitment alone',
    ],
    [
      'more than the maximum share',
      rule({ payout: { kind: 'percent', rate: '0.6' } }),
      "the tenant's maximum share is 50 %",
    ],
  ])(
    'refuses to publish %s, listing the breach and changing nothing',
    async (_label, content, message) => {
      const t = await h.signup();
      const id = await newRuleSet(t, content);
      const before = await snapshotDatabase(h.database);
      const res = await call(t.accessToken, 'POST', `/v1/rule-sets/${id}/publish`, {});
      expect(res.status).toBe(422);
      expect(res.body.errors?.some((e) => e.message.includes(message))).toBe(true);
      expect(res.body.detail).toContain(message);
      expect(await snapshotDatabase(h.database)).toEqual(before);

      const check = await call(t.accessToken, 'POST', `/v1/rule-sets/${id}/validate`, {});
      expect(check.body.valid).toBe(false);
    },
  );

  it('validates given content without saving it, naming schema errors by path', async () => {
    const t = await h.signup();
    const id = await newRuleSet(t);
    const bad = rule({ when: { field: 'customer.isNew', op: 'gt', value: true } });
    const res = await call(t.accessToken, 'POST', `/v1/rule-sets/${id}/validate`, { content: bad });
    expect(res.body).toMatchObject({
      valid: false,
      version: null,
      errors: [{ path: 'rules.0.when.op', message: 'customer.isNew accepts only eq' }],
    });
  });

  it('refuses invalid content on save with 400 naming the field', async () => {
    const t = await h.signup();
    const id = await newRuleSet(t);
    const res = await call(t.accessToken, 'PUT', `/v1/rule-sets/${id}/draft`, {
      content: rule({ caps: { perItem: '100' } }),
    });
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.path).toBe('content.rules.0.caps.perItem');
  });
});

describe('rule sets - maker-checker and permissions', () => {
  it('needs a second person to approve when the tenant turns maker-checker on', async () => {
    const t = await h.signup();
    const patched = await call(t.accessToken, 'PATCH', '/v1/tenant', {
      settings: { makerChecker: true },
    });
    expect(patched.body.settings).toMatchObject({
      makerChecker: true,
      roundingMode: 'down',
      maxCommissionShareBps: 5000,
    });
    const id = await newRuleSet(t);

    const submitted = await call(t.accessToken, 'POST', `/v1/rule-sets/${id}/publish`, {});
    expect(submitted.body).toMatchObject({ status: 'pending_approval', submittedBy: t.ownerId });
    const self = await call(t.accessToken, 'POST', `/v1/rule-sets/${id}/approve`, {});
    expect(self.status).toBe(403);
    expect(self.body.detail).toContain('a second person must approve');

    const checker = await tokenWithRole(t, 'admin');
    const rejected = await call(checker, 'POST', `/v1/rule-sets/${id}/reject`, { note: 'rate?' });
    expect(rejected.body).toMatchObject({ status: 'draft', submittedBy: null });
    await call(t.accessToken, 'POST', `/v1/rule-sets/${id}/publish`, {});
    const approved = await call(checker, 'POST', `/v1/rule-sets/${id}/approve`, {});
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'published', submittedBy: t.ownerId });
    expect(approved.body.approvedBy).not.toBe(t.ownerId);

    const audit = await listAudit(h.database.db, t.tenantId, { entityId: id }, { limit: 20 });
    expect(audit.data.map((a) => a.action).reverse()).toEqual([
      'rule_set.create',
      'rule_set.submit',
      'rule_set.reject',
      'rule_set.submit',
      'rule_set.approve',
      'rule_set.publish',
    ]);
  });

  it('sends a version waiting for approval back to draft when it is edited', async () => {
    const t = await h.signup();
    await call(t.accessToken, 'PATCH', '/v1/tenant', { settings: { makerChecker: true } });
    const id = await newRuleSet(t);
    await call(t.accessToken, 'POST', `/v1/rule-sets/${id}/publish`, {});
    const edited = await call(t.accessToken, 'PUT', `/v1/rule-sets/${id}/draft`, { content: DEMO });
    expect(edited.body).toMatchObject({ version: 1, status: 'draft', submittedBy: null });
  });

  it('lets an operator edit drafts but not publish', async () => {
    const t = await h.signup();
    const operator = await tokenWithRole(t, 'operator');
    const created = await call(operator, 'POST', '/v1/rule-sets', { name: 'ops', content: DEMO });
    expect(created.status).toBe(201);
    const res = await call(operator, 'POST', `/v1/rule-sets/${created.body.id}/publish`, {});
    expect(res.status).toBe(403);
  });

  it("answers 404 for another tenant's rule set", async () => {
    const a = await h.signup();
    const b = await h.signup();
    const id = await newRuleSet(a);
    expect((await call(b.accessToken, 'GET', `/v1/rule-sets/${id}`)).status).toBe(404);
    expect(
      (
        await call(b.accessToken, 'POST', `/v1/rule-sets/${id}/simulate`, {
          orders: [chainOrder('100')],
        })
      ).status,
    ).toBe(404);
  });
});

describe('rule sets - simulate and backtest', () => {
  it('evaluates orders for a promoter of the tenant, with the chain read from the database', async () => {
    const t = await h.signup();
    const inviter = await t.owner.POST('/v1/promoters', { body: { name: '王芳' } });
    const seller = await t.owner.POST('/v1/promoters', {
      body: { name: '李娜', uplineId: inviter.data?.id ?? '' },
    });
    const id = await newRuleSet(t);
    const res = await call(t.accessToken, 'POST', `/v1/rule-sets/${id}/simulate`, {
      orders: [{ id: 'order-1', amount: '19999', promoterId: seller.data?.id }],
    });
    expect(res.status).toBe(200);
    const [result] = res.body.results as Json[];
    // 199.99 × 10 % = 19.999 and × 2 % = 3.9998: 23.9988 rounds down to 23.99, split by
    // largest remainder: 19.99 and 4.00.
    expect(result).toMatchObject({
      orderId: 'order-1',
      total: { amount: '2399', currency: 'CNY' },
      lines: [
        {
          beneficiaryId: seller.data?.id,
          level: 0,
          amount: { amount: '1999', currency: 'CNY' },
          ruleId: 'base',
          ruleSetVersion: 1,
        },
        { beneficiaryId: inviter.data?.id, level: 1, amount: { amount: '400', currency: 'CNY' } },
      ],
    });
    const explanation = result?.explanation as { text: string[] } | undefined;
    const text = explanation?.text.join('\n') ?? '';
    expect(text).toContain('promoter: 199.99 CNY × 10 % = 19.999 CNY');
    expect(text).toContain('exclusive rule "base" won');
  });

  it('names an unknown promoter and refuses orders naming both or neither', async () => {
    const t = await h.signup();
    const id = await newRuleSet(t);
    const unknown = await call(t.accessToken, 'POST', `/v1/rule-sets/${id}/simulate`, {
      orders: [{ amount: '100', promoterId: newId('promoter') }],
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors?.[0]?.path).toBe('orders.0.promoterId');
    const neither = await call(t.accessToken, 'POST', `/v1/rule-sets/${id}/simulate`, {
      orders: [{ amount: '100' }],
    });
    expect(neither.status).toBe(400);
  });

  it('simulates a given version with made-up promoters and the tenant rounding rule', async () => {
    const t = await h.signup();
    await call(t.accessToken, 'PATCH', '/v1/tenant', { settings: { roundingMode: 'half_up' } });
    const id = await newRuleSet(t);
    const res = await call(t.accessToken, 'POST', `/v1/rule-sets/${id}/simulate`, {
      version: 1,
      trace: false,
      orders: [chainOrder('19999')],
    });
    // 23.9988 rounds half up to 24.00: 20.00 and 4.00.
    expect((res.body.results as Json[])[0]?.total).toEqual({ amount: '2400', currency: 'CNY' });
  });

  it('backtests with no recorded conversions yet', async () => {
    const t = await h.signup();
    const id = await newRuleSet(t);
    await call(t.accessToken, 'POST', `/v1/rule-sets/${id}/publish`, {});
    await call(t.accessToken, 'PUT', `/v1/rule-sets/${id}/draft`, { content: DEMO });
    const res = await call(t.accessToken, 'POST', `/v1/rule-sets/${id}/backtest`, {
      from: '2026-01-01T00:00:00Z',
      to: '2026-02-01T00:00:00Z',
    });
    expect(res.body).toEqual({
      ruleSetId: id,
      from: '2026-01-01T00:00:00.000Z',
      to: '2026-02-01T00:00:00.000Z',
      conversions: 0,
      draftVersion: 2,
      publishedVersion: 1,
      totals: [],
      promoters: [],
    });
    const backwards = await call(t.accessToken, 'POST', `/v1/rule-sets/${id}/backtest`, {
      from: '2026-02-01T00:00:00Z',
      to: '2026-01-01T00:00:00Z',
    });
    expect(backwards.status).toBe(400);
  });
});

describe('demo tenant', () => {
  it('has a published rule set paying the promoter 10 % and the inviter 2 %', async () => {
    if (!seeded) throw new Error('the demo was not seeded');
    const login = await h.client().POST('/v1/auth/login', {
      body: { email: seeded.email, password: seeded.password ?? '' },
      headers: { 'X-Forwarded-For': '10.78.1.1' },
    });
    const token = login.data?.accessToken ?? '';
    const sets = (await call(token, 'GET', '/v1/rule-sets')).body.data as Json[];
    expect(sets).toHaveLength(1);
    expect(sets[0]).toMatchObject({ publishedVersion: 1, workingVersion: null });

    const promoters = await h
      .client(token)
      .GET('/v1/promoters', { params: { query: { q: '张伟' } } });
    const zhang = promoters.data?.data.find((p) => p.name === '张伟');
    const res = await call(token, 'POST', `/v1/rule-sets/${sets[0]?.id}/simulate`, {
      orders: [{ amount: '10000', promoterId: zhang?.id }],
    });
    const lines = (
      res.body.results as { lines: { level: number; amount: { amount: string } }[] }[]
    )[0]?.lines;
    expect(lines?.map((l) => [l.level, l.amount.amount])).toEqual([
      [0, '1000'],
      [1, '200'],
    ]);
  });
});
