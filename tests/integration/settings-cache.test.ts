import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness, type Tenant } from '../helpers/harness';
import { openShop, shopServerKey } from '../helpers/shop';

// The settings a postback reads (API key, tenant row, published rule set) are kept in memory.
// These changes are made in SQL, as another process or an operator at psql would make them:
// the tables' triggers announce them, and the next requests here must see them within 1 s.

let h: Harness;
let t: Tenant;
let apiKey: string;
let linkCode: string;
let order = 0;

interface Posted {
  status: number;
  lines: number;
}

async function postback(clickId: string | null): Promise<Posted> {
  order++;
  const res = await h.request('/v1/conversions', {
    method: 'POST',
    token: apiKey,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      orderId: `SC-${order}`,
      amount: '10000',
      currency: 'CNY',
      ...(clickId ? { clickId } : {}),
      occurredAt: new Date(h.clock.now().getTime() + 60_000).toISOString(),
    }),
  });
  const body = (await res.json()) as { commissions?: unknown[] };
  return { status: res.status, lines: body.commissions?.length ?? 0 };
}

async function click(): Promise<string> {
  const res = await h.request(`/r/${linkCode}`, {
    headers: { 'X-Forwarded-For': '198.51.100.9', 'User-Agent': 'Mozilla/5.0 (iPhone) Safari' },
  });
  const clickId = new URL(res.headers.get('Location') ?? '').searchParams.get('tk_clk') ?? '';
  await h.deps.clickRecorder.flush();
  return clickId;
}

/** Polls `check` until it holds, for at most 1 s; returns how long it took. */
async function within1s(check: () => Promise<boolean>): Promise<number> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > 1_000) throw new Error('not seen within 1 s');
    await new Promise((r) => setTimeout(r, 20));
  }
  return Date.now() - start;
}

beforeAll(async () => {
  h = await createHarness();
  ({ tenant: t, linkCode } = await openShop(h, 'Settings cache'));
  apiKey = await shopServerKey(t);
}, 60_000);

afterAll(async () => {
  await h?.close();
});

describe('settings changed outside this process', () => {
  it('pays both levels while the tenant says two, then one level once SQL says one', async () => {
    expect(await postback(await click())).toEqual({ status: 201, lines: 2 });
    await h.database.db.execute(
      sql`update tenants set distribution_depth = 1 where id = ${t.tenantId}`,
    );
    await within1s(async () => (await postback(await click())).lines === 1);
  });

  it('stops paying once the published rule set is archived in SQL', async () => {
    expect((await postback(await click())).lines).toBeGreaterThan(0);
    await h.database.db.execute(
      sql`update rule_set_versions set status = 'archived'
          where tenant_id = ${t.tenantId} and status = 'published'`,
    );
    await within1s(async () => (await postback(await click())).lines === 0);
  });

  it('refuses an API key revoked in SQL', async () => {
    expect((await postback(null)).status).toBe(201);
    await h.database.db.execute(
      sql`update api_keys set revoked_at = now() where tenant_id = ${t.tenantId}`,
    );
    await within1s(async () => (await postback(null)).status === 401);
  });
});
