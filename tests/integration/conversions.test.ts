import { accountBalances } from '@tuike/db';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signPostback } from '../../api/src/services/postback-signature';
import { createHarness, type Harness, type Tenant } from '../helpers/harness';
import { openShop, shopServerKey } from '../helpers/shop';
import { snapshotDatabase } from '../helpers/snapshot';

let h: Harness;
let t: Tenant;
let apiKey: string;
let inviterId: string;
let sellerId: string;
let linkCode: string;

interface Money {
  amount: string;
}
interface Line {
  status: string;
  beneficiaryId: string;
  amount: Money;
  clawedBack: Money;
}
interface ConversionJson {
  id: string;
  promoterId: string | null;
  amount: Money;
  commissions: Line[];
  data: ConversionJson[];
  clawback: Money;
}
const json = async (res: Response) => (await res.json()) as ConversionJson;

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return h.request(path, {
    method: 'POST',
    token: apiKey,
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

/** A redirect through the short link, its click id from the Location, then flushed to the db. */
async function click(ip = '198.51.100.7'): Promise<string> {
  const res = await h.request(`/r/${linkCode}`, {
    headers: { 'X-Forwarded-For': ip, 'User-Agent': 'Mozilla/5.0 (iPhone) Safari/605.1' },
  });
  expect(res.status).toBe(302);
  const clickId = new URL(res.headers.get('Location') ?? '').searchParams.get('tk_clk');
  if (!clickId) throw new Error('no click id in the Location');
  await h.deps.clickRecorder.flush();
  return clickId;
}

/** Why the database refused the query (Drizzle wraps Postgres' error as its cause). */
async function refusal(query: Promise<unknown>): Promise<string> {
  return query.then(
    () => 'accepted',
    (err: Error & { cause?: Error }) => err.cause?.message ?? err.message,
  );
}

async function trialBalance(tenantId: string) {
  const rows = await accountBalances(h.database.db, tenantId);
  return rows.reduce((sum, r) => sum + r.balance, 0n);
}

beforeAll(async () => {
  h = await createHarness();
  ({ tenant: t, inviterId, sellerId, linkCode } = await openShop(h, 'Conversions'));
  apiKey = await shopServerKey(t);
}, 60_000);

afterAll(async () => {
  await h?.close();
});

describe('click → conversion → commissions → ledger', () => {
  it('attributes the sale by click id, pays the seller 10 % and the inviter 2 %, balanced', async () => {
    const clickId = await click();
    const res = await post('/v1/conversions', {
      orderId: 'SO-1',
      amount: '19900',
      currency: 'CNY',
      clickId,
      customerRef: 'Buyer@Example.com',
      clientIp: '198.51.100.7',
      occurredAt: new Date(h.clock.now().getTime() + 60_000).toISOString(),
    });
    expect(res.status).toBe(201);
    const body = await json(res);
    expect(body).toMatchObject({
      orderId: 'SO-1',
      status: 'approved',
      promoterId: sellerId,
      clickId,
      customerRef: 'buyer@example.com',
      attribution: { kind: 'click' },
      amount: { amount: '19900', currency: 'CNY' },
    });
    const lines = body.commissions.map((l) => [l.beneficiaryId, l.amount.amount]);
    expect(lines).toEqual([
      [sellerId, '1990'],
      [inviterId, '398'],
    ]);
    expect(await trialBalance(t.tenantId)).toBe(0n);
    const balances = await accountBalances(h.database.db, t.tenantId);
    expect(balances.find((b) => b.account === `promoter_pending:${sellerId}`)?.balance).toBe(
      -1990n,
    );
    expect(balances.find((b) => b.account === 'commission_expense')?.balance).toBe(2388n);
  });

  it('answers a repeated order with the stored conversion and writes nothing', async () => {
    const before = await snapshotDatabase(h.database);
    const res = await post('/v1/conversions', { orderId: 'SO-1', amount: '5', currency: 'CNY' });
    expect(res.status).toBe(200);
    expect((await json(res)).amount.amount).toBe('19900');
    expect(await snapshotDatabase(h.database)).toEqual(before);
  });

  it('binds the customer on the first conversion: a later order without a click stays theirs', async () => {
    const res = await post('/v1/conversions', {
      orderId: 'SO-2',
      amount: '10000',
      currency: 'CNY',
      customerRef: 'buyer@example.com',
    });
    expect(res.status).toBe(201);
    expect(await json(res)).toMatchObject({
      promoterId: sellerId,
      attribution: { kind: 'binding' },
    });
  });

  it('records an order with nothing to attribute as organic, with no commission', async () => {
    const res = await post('/v1/conversions', { orderId: 'SO-3', amount: '500', currency: 'CNY' });
    expect(res.status).toBe(201);
    const body = await json(res);
    expect(body).toMatchObject({ promoterId: null, attribution: { kind: 'organic' } });
    expect(body.commissions).toEqual([]);
  });

  it('claws back in proportion on partial refunds and nets to zero on the last', async () => {
    const list = await h.request('/v1/conversions?orderId=SO-1', { token: apiKey });
    const [conversion] = (await json(list)).data;
    if (!conversion) throw new Error('SO-1 not listed');
    const first = await post(`/v1/conversions/${conversion.id}/refunds`, {
      refundId: 're_1',
      amount: '9950',
    });
    expect(first.status).toBe(201);
    expect((await json(first)).clawback.amount).toBe('1194');
    const again = await post(`/v1/conversions/${conversion.id}/refunds`, {
      refundId: 're_1',
      amount: '9950',
    });
    expect(again.status).toBe(200);
    const tooMuch = await post(`/v1/conversions/${conversion.id}/refunds`, {
      refundId: 're_2',
      amount: '9951',
    });
    expect(tooMuch.status).toBe(422);
    const last = await post(`/v1/conversions/${conversion.id}/refunds`, {
      refundId: 're_2',
      amount: '9950',
    });
    expect(last.status).toBe(201);
    const detail = await json(
      await h.request(`/v1/conversions/${conversion.id}`, { token: apiKey }),
    );
    for (const line of detail.commissions) expect(line.clawedBack).toEqual(line.amount);
    const balances = await accountBalances(
      h.database.db,
      t.tenantId,
      `promoter_pending:${inviterId}`,
    );
    // SO-2 (bound, 10000) still pays the inviter 200; SO-1 is fully refunded.
    expect(balances[0]?.balance).toBe(-200n);
    expect(await trialBalance(t.tenantId)).toBe(0n);
  });

  it('refuses amounts with a fraction of a minor unit, naming the field, and writes nothing', async () => {
    const before = await snapshotDatabase(h.database);
    const res = await post('/v1/conversions', {
      orderId: 'SO-9',
      amount: '19.99',
      currency: 'CNY',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('Content-Type')).toContain('application/problem+json');
    expect(((await res.json()) as { errors: { path: string }[] }).errors[0]?.path).toBe('amount');
    expect(await snapshotDatabase(h.database)).toEqual(before);
  });
});

describe('coupons and bindings', () => {
  it('attributes a coupon order to its promoter, and an admin transfer moves later orders', async () => {
    const coupon = await t.owner.POST('/v1/coupons', {
      body: { code: 'Wang-10', promoterId: inviterId },
    });
    expect(coupon.response.status).toBe(201);
    expect(coupon.data?.code).toBe('WANG-10');
    const taken = await t.owner.POST('/v1/coupons', {
      body: { code: 'wang-10', promoterId: sellerId },
    });
    expect(taken.response.status).toBe(409);

    const first = await json(
      await post('/v1/conversions', {
        orderId: 'SO-CPN-1',
        amount: '5000',
        currency: 'CNY',
        couponCode: 'wang-10',
        customerRef: '+86 139 0000 0009',
      }),
    );
    expect(first).toMatchObject({ promoterId: inviterId, attribution: { kind: 'coupon' } });

    const moved = await h.request(`/v1/bindings/${encodeURIComponent('+86 139 0000 0009')}`, {
      method: 'PATCH',
      token: t.accessToken,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ promoterId: sellerId, reason: '客户要求更换专属推客' }),
    });
    expect(moved.status).toBe(200);
    expect(await moved.json()).toMatchObject({ promoterId: sellerId, source: 'transfer' });
    const audit = await t.owner.GET('/v1/audit-log', {
      params: { query: { action: 'binding.transfer' } },
    });
    expect(audit.data?.data).toHaveLength(1);

    const second = await json(
      await post('/v1/conversions', {
        orderId: 'SO-CPN-2',
        amount: '5100',
        currency: 'CNY',
        customerRef: '+86 139 0000 0009',
      }),
    );
    expect(second).toMatchObject({ promoterId: sellerId, attribution: { kind: 'binding' } });
  });
});

describe('review queue', () => {
  it('holds a sale seconds after its click, shows the promoter plain words, and lets a person decide', async () => {
    const clickId = await click('203.0.113.77');
    const held = await json(
      await post('/v1/conversions', {
        orderId: 'SO-FAST',
        amount: '20000',
        currency: 'CNY',
        clickId,
        occurredAt: new Date(h.clock.now().getTime() + 1_000).toISOString(),
      }),
    );
    expect(held).toMatchObject({ status: 'review' });
    expect(held.commissions.map((l) => l.status)).toEqual(['held', 'held']);
    expect(await trialBalance(t.tenantId)).toBe(0n);

    const queue = await t.owner.GET('/v1/reviews', { params: { query: {} } });
    expect(queue.data?.data.map((c) => c.id)).toContain(held.id);

    // The promoter sees the hold in plain words, never the score or the reason codes.
    const { data: session } = await h.client().POST('/v1/promoter-auth/wechat', {
      body: { tenantId: t.tenantId, code: 'dev:seller' },
    });
    // A promoter's token sees only its own sales, whatever promoterId it sends.
    const theirs = await h.request(`/v1/promoter/conversions?promoterId=${sellerId}`, {
      token: session?.accessToken,
    });
    expect(theirs.status).toBe(200);
    expect(((await theirs.json()) as { data: unknown[] }).data).toEqual([]);
    const own = await h.request(`/v1/promoter/conversions?promoterId=${sellerId}`, {
      token: t.accessToken,
    });
    const ownText = await own.text();
    expect(own.status).toBe(200);
    expect(ownText).toContain('审核');
    expect(ownText).not.toContain('click_injection');
    expect(ownText).not.toContain('score');

    const approved = await t.owner.POST('/v1/reviews/{id}/approve', {
      params: { path: { id: held.id } },
      body: { reason: '人工核实为真实订单' },
    });
    expect(approved.data).toMatchObject({ status: 'approved' });
    expect(approved.data?.commissions?.map((l) => l.status)).toEqual(['pending', 'pending']);
    const pending = await accountBalances(h.database.db, t.tenantId, `promoter_held:${sellerId}`);
    expect(pending.every((b) => b.balance === 0n)).toBe(true);

    const rejected = await t.owner.POST('/v1/reviews/{id}/reject', {
      params: { path: { id: held.id } },
      body: { reason: '客户确认未收到商品' },
    });
    expect(rejected.data?.commissions?.map((l) => l.status)).toEqual(['voided', 'voided']);
    const again = await t.owner.POST('/v1/reviews/{id}/approve', {
      params: { path: { id: held.id } },
      body: {},
    });
    expect(again.response.status).toBe(409);
    const audit = await t.owner.GET('/v1/audit-log', { params: { query: { entityId: held.id } } });
    expect(audit.data?.data.map((a) => a.action).sort()).toEqual([
      'review.approve',
      'review.reject',
    ]);
    expect(await trialBalance(t.tenantId)).toBe(0n);
  });
});

describe('signed postbacks', () => {
  it('accepts a body signed with the key’s secret and refuses tampered, stale or missing ones', async () => {
    const { data: key } = await t.owner.POST('/v1/api-keys', {
      body: { name: 'signed server', scopes: ['conversions:write'], requireSignature: true },
    });
    expect(key?.requireSignature).toBe(true);
    const secret = key?.signingSecret ?? '';
    const signedPost = (body: string, signature?: string) =>
      h.request('/v1/conversions', {
        method: 'POST',
        token: key?.secret,
        headers: {
          'Content-Type': 'application/json',
          ...(signature ? { 'Tuike-Signature': signature } : {}),
        },
        body,
      });
    const now = Math.floor(h.clock.now().getTime() / 1000);
    const body = '{ "orderId": "SO-SIGNED", "amount": "1200", "currency": "CNY" }';

    const before = await snapshotDatabase(h.database);
    for (const [name, res] of [
      ['missing', await signedPost(body)],
      ['tampered', await signedPost(body.replace('1200', '9200'), signPostback(secret, now, body))],
      ['stale', await signedPost(body, signPostback(secret, now - 301, body))],
      ['wrong secret', await signedPost(body, signPostback('tks_other', now, body))],
      ['malformed', await signedPost(body, 't=abc,v1=xyz')],
    ] as const) {
      expect(res.status, name).toBe(401);
    }
    // Only the key's last-use stamp (kept by authentication) may move.
    const { api_keys: _before, ...rest } = before;
    const { api_keys: _after, ...now2 } = await snapshotDatabase(h.database);
    expect(now2).toEqual(rest);

    const ok = await signedPost(body, signPostback(secret, now, body));
    expect(ok.status).toBe(201);
  });
});

describe('Idempotency-Key', () => {
  it('replays the first answer byte for byte and refuses the key with another body', async () => {
    const body = { orderId: 'SO-IK', amount: '3000', currency: 'CNY' };
    const first = await post('/v1/conversions', body, { 'Idempotency-Key': 'ik-1' });
    expect(first.status).toBe(201);
    const text = await first.text();
    const second = await post('/v1/conversions', body, { 'Idempotency-Key': 'ik-1' });
    expect(second.status).toBe(201);
    expect(second.headers.get('Idempotent-Replayed')).toBe('true');
    expect(await second.text()).toBe(text);
    const other = await post(
      '/v1/conversions',
      { ...body, amount: '3001' },
      { 'Idempotency-Key': 'ik-1' },
    );
    expect(other.status).toBe(422);
  });
});

describe('concurrency', () => {
  it('50 concurrent postbacks of one order make one conversion and one set of commissions', async () => {
    const clickId = await click('203.0.113.50');
    const body = {
      orderId: 'SO-RACE',
      amount: '8800',
      currency: 'CNY',
      clickId,
      occurredAt: new Date(h.clock.now().getTime() + 60_000).toISOString(),
    };
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => post('/v1/conversions', body)),
    );
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 200)).toHaveLength(49);
    const ids = new Set(await Promise.all(answers.map(async (r) => (await json(r)).id)));
    expect(ids.size).toBe(1);
    const [id] = [...ids];
    const detail = await json(await h.request(`/v1/conversions/${id}`, { token: apiKey }));
    expect(detail.commissions).toHaveLength(2);
    const rows = await h.database.rows<{ n: number }>(
      sql`select count(*)::int as n from journal_entries where conversion_id = ${id}`,
    );
    expect(rows[0]?.n).toBe(2);
    expect(await trialBalance(t.tenantId)).toBe(0n);
  });
});

describe('the database guards the ledger', () => {
  it('refuses UPDATE and DELETE of journal entries and postings', async () => {
    await expect(
      h.database.db.execute(sql`update postings set amount = amount + 1`),
    ).rejects.toThrow();
    await expect(h.database.db.execute(sql`delete from journal_entries`)).rejects.toThrow();
  });

  it('refuses an unbalanced entry, an entry without postings, and a posting added later', async () => {
    const entry = (id: string) =>
      sql`insert into journal_entries (tenant_id, id, purpose, source_type, source_id, currency)
          values (${t.tenantId}, ${id}, 'accrual', 'commission', ${id}, 'CNY')`;
    const leg = (id: string, seq: number, amount: number, currency = 'CNY') =>
      sql`(${t.tenantId}, ${id}, ${seq}, ${`promoter_pending:prm_${seq}`}, ${currency}, ${amount})`;
    const legs = (...rows: ReturnType<typeof leg>[]) =>
      sql`insert into postings (tenant_id, entry_id, seq, account, currency, amount)
          values ${sql.join(rows, sql`, `)}`;
    const write = (id: string, ...rows: ReturnType<typeof leg>[]) =>
      sql`with e as (${entry(id)} returning id) ${legs(...rows)}`;

    expect(
      await refusal(
        h.database.db.execute(
          write('jre_test_uneven', leg('jre_test_uneven', 0, 100), leg('jre_test_uneven', 1, -99)),
        ),
      ),
    ).toMatch(/unbalanced: 2 posting\(s\), sum 1/);
    expect(
      await refusal(
        h.database.db.execute(
          write(
            'jre_test_mixed',
            leg('jre_test_mixed', 0, 100),
            leg('jre_test_mixed', 1, -100, 'USD'),
          ),
        ),
      ),
    ).toMatch(/1 in another currency/);
    expect(await refusal(h.database.db.execute(entry('jre_test_bare')))).toMatch(
      /unbalanced: 0 posting/,
    );
    // An entry and its postings in two statements: the entry alone is refused, and the
    // transaction leaves nothing.
    expect(
      await refusal(
        h.database.db.transaction(async (tx) => {
          await tx.execute(entry('jre_test_in_tx'));
          await tx.execute(legs(leg('jre_test_in_tx', 0, 100), leg('jre_test_in_tx', 1, -99)));
        }),
      ),
    ).toMatch(/unbalanced/);

    // Postings of an entry that does not exist, or of another tenant's entry, are refused.
    expect(
      await refusal(
        h.database.db.execute(
          legs(leg('jre_test_nowhere', 0, 100), leg('jre_test_nowhere', 1, -100)),
        ),
      ),
    ).toMatch(/unknown journal entry jre_test_nowhere/);

    // A balanced entry is taken; a posting added to it afterwards would unbalance it.
    await h.database.db.execute(
      write('jre_test_ok', leg('jre_test_ok', 0, 100), leg('jre_test_ok', 1, -100)),
    );
    expect(await refusal(h.database.db.execute(legs(leg('jre_test_ok', 2, 5))))).toMatch(
      /jre_test_ok is unbalanced: 3 posting/,
    );
    const [kept] = await h.database.rows<{ entries: number; legs: number }>(
      sql`select (select count(*)::int from journal_entries where id like 'jre_test_%') as entries,
                 (select count(*)::int from postings where entry_id like 'jre_test_%') as legs`,
    );
    expect(kept).toEqual({ entries: 1, legs: 2 });
    const stranger = sql`insert into postings (tenant_id, entry_id, seq, account, currency, amount)
      values ('ten_someone_else', 'jre_test_ok', 0, 'a', 'CNY', 1),
             ('ten_someone_else', 'jre_test_ok', 1, 'b', 'CNY', -1)`;
    expect(await refusal(h.database.db.execute(stranger))).toMatch(/unknown journal entry/);
  });
});

describe('attribution against the likely promoter read ahead', () => {
  it('reads the facts of the promoter attribution picks when it is not the one read ahead', async () => {
    // First click wins here, while the facts read ahead are those of the visitor's last click.
    const shop = await openShop(h, 'First click');
    const { owner } = shop.tenant;
    await owner.PATCH('/v1/tenant', { body: { settings: { attributionModel: 'first_click' } } });
    const { data: inviterLink } = await owner.POST('/v1/links', {
      body: { promoterId: shop.inviterId, destination: 'https://shop.example.com/p/2' },
    });
    const visit = async (code: string, cookie?: string) => {
      const res = await h.request(`/r/${code}`, {
        headers: {
          'X-Forwarded-For': '198.51.100.77',
          'User-Agent': 'Mozilla/5.0 (iPhone) Safari/605.1',
          ...(cookie ? { Cookie: cookie } : {}),
        },
      });
      expect(res.status).toBe(302);
      return (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    };
    const cookie = await visit(inviterLink?.code ?? '');
    h.clock.advance(60_000);
    await visit(shop.linkCode, cookie);
    await h.deps.clickRecorder.flush();
    h.clock.advance(60_000);

    const key = await shopServerKey(shop.tenant);
    const res = await h.request('/v1/conversions', {
      method: 'POST',
      token: key,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        orderId: 'FC-1',
        amount: '10000',
        currency: 'CNY',
        deviceId: cookie.split('=')[1],
      }),
    });
    expect(res.status).toBe(201);
    const created = await json(res);
    expect(created.promoterId).toBe(shop.inviterId);
    const detail = await json(await h.request(`/v1/conversions/${created.id}`, { token: key }));
    // 王芳 sold it herself: 10 % to her, and she has no inviter.
    expect(detail.commissions.map((c) => [c.beneficiaryId, c.amount.amount])).toEqual([
      [shop.inviterId, '1000'],
    ]);
  });
});
