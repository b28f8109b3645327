import { accountBalances } from '@tuike/db';
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness, type Tenant } from '../helpers/harness';
import { openShop } from '../helpers/shop';
import { snapshotDatabase } from '../helpers/snapshot';

const SECRET = 'whsec_test_5f1c0a9e2b7d4c3a8e6f1b2d';
const crypto = Stripe.createSubtleCryptoProvider();

let h: Harness;
let t: Tenant;
let clickId: string;
let sellerId: string;
let inviterId: string;

interface StripeEvent {
  id: string;
  object: 'event';
  type: string;
  livemode: boolean;
  created: number;
  api_version: string;
  data: { object: Record<string, unknown> };
}

let eventCounter = 0;
function stripeEvent(type: string, object: Record<string, unknown>, created: number): StripeEvent {
  eventCounter++;
  return {
    id: `evt_test_${eventCounter.toString().padStart(6, '0')}`,
    object: 'event',
    type,
    livemode: false,
    created,
    api_version: '2025-10-29.clover',
    data: { object },
  };
}

const nowSeconds = () => Math.floor(h.clock.now().getTime() / 1000);

async function signed(payload: string, options: { secret?: string; timestamp?: number } = {}) {
  return Stripe.webhooks.generateTestHeaderStringAsync({
    payload,
    secret: options.secret ?? SECRET,
    timestamp: options.timestamp ?? nowSeconds(),
    cryptoProvider: crypto,
  });
}

function deliver(body: string, signature: string | null, tenantId = t.tenantId) {
  return h.request(`/v1/stripe/webhooks/${tenantId}`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json; charset=utf-8',
      ...(signature === null ? {} : { 'Stripe-Signature': signature }),
    },
    body,
  });
}

async function send(event: StripeEvent) {
  const body = JSON.stringify(event);
  return deliver(body, await signed(body));
}

function checkout(order: string, amount: number, created: number) {
  return stripeEvent(
    'checkout.session.completed',
    {
      id: `cs_test_${order}`,
      object: 'checkout.session',
      mode: 'payment',
      payment_status: 'paid',
      payment_intent: `pi_test_${order}`,
      amount_total: amount,
      currency: 'cny',
      client_reference_id: clickId,
      customer_details: { email: `buyer.${order}@example.com` },
      metadata: {},
    },
    created,
  );
}

beforeAll(async () => {
  h = await createHarness();
  const shop = await openShop(h, 'Stripe shop');
  ({ tenant: t, inviterId, sellerId } = shop);
  const put = await h.request('/v1/tenant/stripe-webhook-secret', {
    method: 'PUT',
    token: t.accessToken,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ secret: SECRET }),
  });
  expect(put.status).toBe(204);
  const res = await h.request(`/r/${shop.linkCode}`, {
    headers: { 'X-Forwarded-For': '198.51.100.20', 'User-Agent': 'Mozilla/5.0 (iPhone) Safari' },
  });
  clickId = new URL(res.headers.get('Location') ?? '').searchParams.get('tk_clk') ?? '';
  await h.deps.clickRecorder.flush();
  // Sales come a while after the click (a sale seconds after it looks injected).
  h.clock.advance(12 * 60_000);
}, 60_000);

afterAll(async () => {
  await h?.close();
});

describe('Stripe webhook signatures', () => {
  it('stores the secret encrypted and never shows it', async () => {
    const rows = await h.database.rows<{ secret: string }>(
      sql`select stripe_webhook_secret as secret from tenants where id = ${t.tenantId}`,
    );
    expect(rows[0]?.secret).toMatch(/^v1\./);
    expect(rows[0]?.secret).not.toContain('whsec');
    const tenant = await (await h.request('/v1/tenant', { token: t.accessToken })).text();
    expect(tenant).not.toContain('whsec');
    expect(tenant).toContain('"stripeWebhookConfigured":true');
  });

  const event = () => checkout('sig', 10_000, nowSeconds());

  it.each([
    [
      'a tampered body',
      async (body: string) => ({
        body: body.replace('10000', '99999'),
        signature: await signed(body),
      }),
    ],
    [
      'a wrong secret',
      async (body: string) => ({
        body,
        signature: await signed(body, { secret: 'whsec_not_the_right_secret_at_all' }),
      }),
    ],
    [
      'a stale timestamp',
      async (body: string) => ({
        body,
        signature: await signed(body, { timestamp: nowSeconds() - 301 }),
      }),
    ],
    [
      'a future timestamp',
      async (body: string) => ({
        body,
        signature: await signed(body, { timestamp: nowSeconds() + 301 }),
      }),
    ],
    ['a missing header', async (body: string) => ({ body, signature: null })],
    [
      'a re-serialised body',
      async (body: string) => ({
        body: JSON.stringify(JSON.parse(body), null, 2),
        signature: await signed(body),
      }),
    ],
  ])('refuses %s with 400 and writes nothing', async (_name, make) => {
    const body = JSON.stringify(event());
    const before = await snapshotDatabase(h.database);
    const attempt = await make(body);
    const res = await deliver(attempt.body, attempt.signature);
    expect(res.status).toBe(400);
    expect(res.headers.get('Content-Type')).toContain('application/problem+json');
    expect(await snapshotDatabase(h.database)).toEqual(before);
  });

  it('answers 404 for a tenant without a secret, or another tenant', async () => {
    const other = await h.signup('No Stripe');
    const body = JSON.stringify(event());
    expect((await deliver(body, await signed(body), other.tenantId)).status).toBe(404);
  });

  it('processes a genuine retry of an old event once', async () => {
    const old = checkout('retry', 5_000, nowSeconds() - 3 * 86_400);
    const first = await send(old);
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ duplicate: false, status: 'processed' });
    const again = await send(old);
    expect(await again.json()).toMatchObject({ duplicate: true, status: 'processed' });
    const rows = await h.database.rows<{ n: number }>(
      sql`select count(*)::int as n from conversions where order_id = 'stripe:cs_test_retry'`,
    );
    expect(rows[0]?.n).toBe(1);
  });
});

interface Plan {
  amount: number;
  refunds: number[];
  dispute: 'none' | 'won' | 'lost';
}

/**
 * Commission the rules leave on an order: 12 % in all (10 % + 2 %, rounded down once for the
 * order), kept in proportion to what was not refunded, gone if a dispute was lost.
 */
function oracle(plan: Plan): bigint {
  const amount = BigInt(plan.amount);
  const accrued = (amount * 12n) / 100n;
  if (plan.dispute === 'lost') return 0n;
  const refunded = BigInt(plan.refunds.reduce((a, b) => a + b, 0));
  return (accrued * (amount - refunded)) / amount;
}

describe('replay storm', () => {
  it('applies 100 orders of shuffled, thrice-delivered events from 8 senders exactly once', async () => {
    const seed = Number(process.env.STORM_SEED ?? Date.now() % 1_000_000);
    console.info(`stripe replay storm: seed ${seed} (replay with STORM_SEED=${seed})`);
    const plans = fc.sample(
      fc
        .record({
          amount: fc.integer({ min: 100, max: 500_000 }),
          cuts: fc.array(fc.integer({ min: 1, max: 100 }), { maxLength: 3 }),
          full: fc.boolean(),
          dispute: fc.constantFrom('none', 'none', 'won', 'lost'),
        })
        .map(({ amount, cuts, full, dispute }): Plan => {
          // Partial refunds that add up to at most the charge; sometimes the last completes it.
          const refunds: number[] = [];
          let left = amount;
          for (const cut of cuts) {
            const part = Math.max(1, Math.floor((left * cut) / 300));
            if (part > left) break;
            refunds.push(part);
            left -= part;
          }
          const last = refunds.length - 1;
          if (full && last >= 0 && left > 0) refunds[last] = (refunds[last] ?? 0) + left;
          return { amount, refunds, dispute: dispute as Plan['dispute'] };
        }),
      { numRuns: 100, seed },
    );

    const base = nowSeconds() - 100;
    const events: StripeEvent[] = [];
    plans.forEach((plan, i) => {
      const order = `storm${i}`;
      events.push(checkout(order, plan.amount, base));
      let cumulative = 0;
      const listed: Record<string, unknown>[] = [];
      plan.refunds.forEach((amount, k) => {
        cumulative += amount;
        listed.push({
          id: `re_test_${order}_${k}`,
          amount,
          created: base + 10 + k,
          status: 'succeeded',
        });
        events.push(
          stripeEvent(
            'charge.refunded',
            {
              id: `ch_test_${order}`,
              object: 'charge',
              payment_intent: `pi_test_${order}`,
              amount: plan.amount,
              amount_refunded: cumulative,
              refunds: { object: 'list', data: [...listed].reverse() },
            },
            base + 10 + k,
          ),
        );
      });
      if (plan.dispute !== 'none') {
        const dispute = {
          id: `dp_test_${order}`,
          object: 'dispute',
          charge: `ch_test_${order}`,
          payment_intent: `pi_test_${order}`,
          amount: plan.amount,
        };
        events.push(
          stripeEvent(
            'charge.dispute.created',
            { ...dispute, status: 'needs_response' },
            base + 20,
          ),
          stripeEvent('charge.dispute.closed', { ...dispute, status: plan.dispute }, base + 30),
        );
      }
    });

    const deliveries =
      fc.sample(
        fc.shuffledSubarray([...events, ...events, ...events], {
          minLength: events.length * 3,
        }),
        { numRuns: 1, seed },
      )[0] ?? [];
    expect(deliveries).toHaveLength(events.length * 3);

    const statuses: number[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < deliveries.length) {
          const event = deliveries[next++];
          if (event) statuses.push((await send(event)).status);
        }
      }),
    );
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(statuses.every((s) => s === 200)).toBe(true);

    const stuck = await h.database.rows<{ status: string; n: number }>(
      sql`select status, count(*)::int as n from stripe_events
          where tenant_id = ${t.tenantId} and status not in ('processed', 'ignored') group by status`,
    );
    expect(stuck).toEqual([]);

    const orders = await h.database.rows<{
      order_id: string;
      status: string;
      accruals: number;
      lines: number;
      kept: string;
    }>(sql`
      select c.order_id, c.status,
        (select count(*)::int from journal_entries e
           where e.conversion_id = c.id and e.purpose = 'accrual') as accruals,
        (select count(*)::int from commissions m where m.conversion_id = c.id) as lines,
        (select coalesce(-sum(p.amount), 0)::text from postings p
           join journal_entries e on e.tenant_id = p.tenant_id and e.id = p.entry_id
           where e.conversion_id = c.id
             and (p.account like 'promoter_pending:%' or p.account like 'promoter_held:%')) as kept
      from conversions c where c.tenant_id = ${t.tenantId} and c.order_id like 'stripe:cs_test_storm%'`);
    expect(orders).toHaveLength(100);
    const byStatus = new Map<string, number>();
    for (const o of orders) byStatus.set(o.status, (byStatus.get(o.status) ?? 0) + 1);
    console.info(
      `stripe replay storm: ${events.length} events × 3 = ${deliveries.length} deliveries;`,
      [...byStatus].map(([k, n]) => `${k} ${n}`).join(', '),
    );
    expect(byStatus.get('approved') ?? 0).toBeGreaterThan(50);
    const byOrder = new Map(orders.map((o) => [o.order_id, o]));
    plans.forEach((plan, i) => {
      const row = byOrder.get(`stripe:cs_test_storm${i}`);
      expect(row, `order ${i}`).toBeDefined();
      if (!row) return;
      if (row.status === 'rejected') {
        expect(row.accruals).toBe(0);
        return;
      }
      expect(row.accruals, `one accrual per line, order ${i}`).toBe(row.lines);
      expect(BigInt(row.kept), `order ${i}: ${JSON.stringify(plan)}`).toBe(oracle(plan));
    });

    const balances = await accountBalances(h.database.db, t.tenantId);
    expect(balances.reduce((sum, b) => sum + b.balance, 0n)).toBe(0n);
    expect(sellerId).not.toBe(inviterId);
  }, 300_000);
});
