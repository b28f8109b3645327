import { RuleSetContentSchema } from '@tuike/core';
import { loadConversionFacts, loadPromoterFacts, type PromoterFactsQuery } from '@tuike/db';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness, type Tenant } from '../helpers/harness';
import { openShop, shopServerKey } from '../helpers/shop';

// What the rules engine and the promoter-side fraud signals read about the selling promoter,
// pinned on a small history: four coupon sales of 李娜's spread over a quarter and more, one of
// them partly refunded. Each figure keeps to its own window.

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const IP = '203.0.113.7';

let h: Harness;
let t: Tenant;
let apiKey: string;
let inviterId: string;
let sellerId: string;
let now: Date;
let ipHash: string;

async function post(path: string, body: unknown) {
  const res = await h.request(path, {
    method: 'POST',
    token: apiKey,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = (await res.json()) as { id: string; status: string };
  if (res.status !== 201) throw new Error(`${path}: ${res.status} ${JSON.stringify(answer)}`);
  return answer;
}

beforeAll(async () => {
  h = await createHarness();
  ({ tenant: t, inviterId, sellerId } = await openShop(h, 'Promoter facts'));
  apiKey = await shopServerKey(t);
  await t.owner.POST('/v1/coupons', { body: { code: 'LINA', promoterId: sellerId } });
  now = h.clock.now();
  const sale = (orderId: string, agoMs: number, amount: string, extra: object = {}) =>
    post('/v1/conversions', {
      orderId,
      amount,
      currency: 'CNY',
      couponCode: 'LINA',
      occurredAt: new Date(now.getTime() - agoMs).toISOString(),
      ...extra,
    });
  const sales = [
    await sale('PF-A', 10 * 60_000, '1000', { clientIp: IP, deviceId: 'dev-A' }),
    await sale('PF-B', 3 * DAY, '2000', { clientIp: IP }),
    await sale('PF-C', 40 * DAY, '3000', { clientIp: IP }),
    await sale('PF-D', 100 * DAY, '4000'),
  ];
  for (const s of sales) expect(s.status).toBe('approved');
  await post(`/v1/conversions/${sales[2]?.id}/refunds`, { refundId: 're_c', amount: '1000' });
  const [row] = await h.database.rows<{ ip_hash: string }>(
    sql`select ip_hash from conversions where tenant_id = ${t.tenantId} and order_id = 'PF-A'`,
  );
  ipHash = row?.ip_hash ?? '';
}, 60_000);

afterAll(async () => {
  await h?.close();
});

function query(overrides: Partial<PromoterFactsQuery> = {}): PromoterFactsQuery {
  return {
    tenantId: t.tenantId,
    promoterId: sellerId,
    at: now,
    depth: 2,
    periodStart: new Date(now.getTime() - 10 * DAY),
    lateClickHours: 72,
    trafficSince: new Date(now.getTime() - 30 * DAY),
    minClickSeconds: 5,
    ipHash,
    deviceId: 'dev-B',
    periodPaid: true,
    ...overrides,
  };
}

describe('promoter facts', () => {
  it('counts each figure over its own window', async () => {
    const facts = await loadPromoterFacts(h.database.db, query());
    expect(facts).toEqual({
      chain: [
        { id: sellerId, tierId: null, tierLevel: null },
        { id: inviterId, tierId: null, tierLevel: null },
      ],
      status: 'active',
      identityRefs: [],
      recent: { clicks: 0, conversions: 1 },
      baseline: { clicks: 0, conversions: 1 },
      delays: { conversions: 0, late: 0 },
      // The quarter's sales: 1000, 2000, 3000 (PF-D is older).
      typicalAmount: { median: 2000n, samples: 3 },
      // Sales older than a week inside the quarter: PF-C, refunded in part.
      refunds: { conversions: 1, refunded: 1 },
      // Since the period start: PF-A and PF-B.
      periodVolume: 3000n,
      // 10 % of every line written this period (all four were written now), less PF-C's clawback.
      periodPaid: { base: 900n },
      traffic: {
        conversions: 2,
        flaggedClicks: 0,
        datacenterIps: 0,
        fastConversions: 0,
        embeddedClicks: 0,
        selfReferrals: 0,
        repeatIps: 1,
        clicks: 0,
        // PF-A: the same address, another device, ten minutes ago.
        sameIpOtherDevicesLastHour: 1,
      },
    });
  });

  it('reads a traffic window longer than the quarter without widening the quarter’s figures', async () => {
    const facts = await loadPromoterFacts(
      h.database.db,
      query({ trafficSince: new Date(now.getTime() - 120 * DAY), depth: 1 }),
    );
    expect(facts.chain.map((c) => c.id)).toEqual([sellerId]);
    expect(facts.traffic).toMatchObject({ conversions: 4, repeatIps: 2 });
    expect(facts.typicalAmount).toEqual({ median: 2000n, samples: 3 });
    expect(facts.refunds).toEqual({ conversions: 1, refunded: 1 });
  });

  it('leaves the period’s payments out unless a rule capped per period asks for them', async () => {
    const facts = await loadPromoterFacts(h.database.db, query({ periodPaid: false }));
    expect(facts.periodPaid).toEqual({});
    expect(facts.periodVolume).toBe(3000n);
  });

  it('knows nothing of another tenant’s promoter', async () => {
    const other = await openShop(h, 'Someone else');
    const facts = await loadPromoterFacts(
      h.database.db,
      query({ tenantId: other.tenant.tenantId }),
    );
    expect(facts.chain).toEqual([]);
    expect(facts.status).toBeNull();
    expect(facts.periodPaid).toEqual({});
    expect(facts.traffic.conversions).toBe(0);
  });
});

describe('facts in one round trip', () => {
  const customer = (couponCode: string | null) => ({
    tenantId: t.tenantId,
    orderId: 'PF-NEW',
    at: now,
    windowDays: 30,
    amount: 1500n,
    customerRef: null,
    deviceId: 'dev-B',
    ipHash,
    clickId: null,
    clickTime: null,
    couponCode,
  });

  it('reads the likely promoter’s facts with the customer’s, the same as on their own', async () => {
    const { promoterId, ...promoter } = query();
    const both = await loadConversionFacts(h.database.db, customer('lina'), promoter);
    expect(both.likely?.promoterId).toBe(sellerId);
    expect(both.likely?.facts).toEqual(await loadPromoterFacts(h.database.db, query()));
    expect(both.customer.coupon).toEqual({ promoterId: sellerId, code: 'LINA' });
  });

  it('has no likely promoter for a sale with nothing to attribute', async () => {
    const { promoterId, ...promoter } = query();
    const both = await loadConversionFacts(h.database.db, customer(null), promoter);
    expect(both.likely).toBeNull();
    expect(both.customer.knownConversionId).toBeNull();
  });
});

describe('a rule capped per period', () => {
  it('pays up to the cap over the period’s sales, the facts reading what it paid', async () => {
    const shop = await openShop(h, 'Capped shop');
    const key = await shopServerKey(shop.tenant);
    const { owner } = shop.tenant;
    await owner.POST('/v1/coupons', { body: { code: 'CAPPED', promoterId: shop.sellerId } });
    const { data: ruleSet } = await owner.POST('/v1/rule-sets', {
      body: {
        name: 'Capped',
        content: RuleSetContentSchema.parse({
          currency: 'CNY',
          rules: [
            {
              id: 'base',
              name: '10 %, at most 150 a month',
              payout: { kind: 'percent', rate: '0.10' },
              caps: { perPromoterPeriod: '150' },
            },
          ],
        }),
      },
    });
    const published = await owner.POST('/v1/rule-sets/{id}/publish', {
      params: { path: { id: ruleSet?.id ?? '' } },
      body: {},
    });
    expect(published.response.status).toBe(200);
    const paid: string[] = [];
    for (const orderId of ['CAP-1', 'CAP-2', 'CAP-3']) {
      const res = await h.request('/v1/conversions', {
        method: 'POST',
        token: key,
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ orderId, amount: '1000', currency: 'CNY', couponCode: 'CAPPED' }),
      });
      expect(res.status).toBe(201);
      const { id } = (await res.json()) as { id: string };
      const detail = await h.request(`/v1/conversions/${id}`, { token: key });
      const body = (await detail.json()) as {
        commissions: { level: number; amount: { amount: string } }[];
      };
      paid.push(body.commissions.find((c) => c.level === 0)?.amount.amount ?? '0');
    }
    // 100, then the 50 left under the cap, then nothing.
    expect(paid).toEqual(['100', '50', '0']);
  });
});
