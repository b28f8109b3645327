import { writeFileSync } from 'node:fs';
import { RuleSetContentSchema, timeOfId } from '@tuike/core';
import { createTuikeClient, type TuikeClient } from '@tuike/sdk';
import type postgres from 'postgres';
import { ipOf, type SeededClick } from './conversions-orders';

// The tenant bench:conversions measures, made through the HTTP API as a merchant would: an
// owner, promoters in invite chains, their links, a published rule set, an API key, and real
// clicks through /r/:code.

const SHOP = 'shop.example.com';

/** Browsers Chinese shoppers arrive with (none of them a bot by isbot or our own list). */
const USER_AGENTS = [
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.49(0x18003137) NetType/WIFI Language/zh_CN',
  'Mozilla/5.0 (Linux; Android 14; 23127PN0CC Build/UKQ1.230804.001; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/122.0.6261.120 Mobile Safari/537.36 XWEB/1220099 MMWEBSDK/20240404 MicroMessenger/8.0.49.2600(0x28003133) WeChat/arm64 Weixin NetType/5G Language/zh_CN',
  'Mozilla/5.0 (Linux; Android 13; V2227A) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.144 Mobile Safari/537.36',
  'Mozilla/5.0 (Linux; Android 12; NOH-AN00; HMSCore 6.13.0.321) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/114.0.5735.196 HuaweiBrowser/14.0.5.302 Mobile Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0',
];

/**
 * 10 % to the seller and 2 % to the inviter, with what merchants add on top: a tiered rate for
 * high-volume promoters, a category rate, a new-customer bonus and a big-order bonus.
 */
const RULES = RuleSetContentSchema.parse({
  currency: 'CNY',
  rules: [
    {
      id: 'base',
      name: 'Seller 10 %, inviter 2 %',
      payout: { kind: 'percent', rate: '0.10' },
      upline: [{ rate: '0.02' }],
    },
    {
      id: 'volume-tiers',
      name: 'Monthly volume tiers',
      priority: 10,
      when: { field: 'promoter.periodVolume', op: 'gte', value: '5000000' },
      payout: {
        kind: 'tiered',
        by: 'period_volume',
        method: 'flat',
        brackets: [
          { from: '0', rate: '0.10' },
          { from: '5000000', rate: '0.12' },
          { from: '20000000', rate: '0.15' },
        ],
      },
      upline: [{ rate: '0.02' }],
      caps: { perOrder: '200000' },
    },
    {
      id: 'beauty',
      name: 'Beauty items +3 %',
      stacking: 'additive',
      when: { field: 'item.category', op: 'eq', value: 'beauty' },
      basis: { scope: 'items' },
      payout: { kind: 'percent', rate: '0.03' },
      upline: [{ share: '0.2' }],
    },
    {
      id: 'new-customer',
      name: 'New customer, from ¥100: +¥5',
      stacking: 'additive',
      when: {
        all: [
          { field: 'customer.isNew', op: 'eq', value: true },
          { field: 'order.amount', op: 'gte', value: '10000' },
        ],
      },
      payout: { kind: 'fixed', per: 'order', amount: '500' },
    },
    {
      id: 'big-order',
      name: 'Orders from ¥500: +¥10',
      stacking: 'additive',
      when: {
        all: [
          { field: 'order.amount', op: 'gte', value: '50000' },
          { field: 'item.category', op: 'in', value: ['electronics', 'home'] },
        ],
      },
      payout: { kind: 'fixed', per: 'order', amount: '1000' },
      caps: { perOrder: '1000' },
    },
  ],
});

export interface Seeded {
  tenantId: string;
  apiKey: string;
  promoters: number;
  links: string[];
  clicks: SeededClick[];
}

async function must<T>(
  what: string,
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  const { data, error, response } = await call;
  if (data === undefined) {
    throw new Error(`${what}: ${response.status} ${JSON.stringify(error)}`);
  }
  return data;
}

/**
 * Three generations of promoters (20 → 60 → 120): each promoter below the first has an
 * inviter, so a sale pays two levels.
 */
async function seedPromoters(owner: TuikeClient, total: number): Promise<string[]> {
  const ids: string[] = [];
  const roots = Math.round(total / 10);
  for (let k = 0; k < total; k++) {
    const uplineId =
      k < roots ? undefined : ids[k < roots * 4 ? k % roots : roots + (k % (roots * 3))];
    const promoter = await must(
      'create promoter',
      owner.POST('/v1/promoters', {
        body: {
          name: `推客 ${k}`,
          externalRef: `promoter-${k}`,
          ...(uplineId ? { uplineId } : {}),
        },
      }),
    );
    ids.push(promoter.id);
  }
  return ids;
}

async function seedLinks(owner: TuikeClient, promoterIds: string[]): Promise<string[]> {
  const codes: string[] = [];
  for (const [k, promoterId] of promoterIds.entries()) {
    const link = await must(
      'create link',
      owner.POST('/v1/links', {
        body: {
          promoterId,
          destination: `https://${SHOP}/products/${k % 40}?utm_source=tuike`,
          campaign: k % 3 === 0 ? 'spring' : undefined,
        },
      }),
    );
    codes.push(link.code);
  }
  return codes;
}

/**
 * Clicks through the real redirect, `concurrency` at a time. A few links get most clicks, as in
 * life; each click comes from its own address and browser, without a visitor cookie.
 */
async function seedClicks(
  baseUrl: string,
  codes: string[],
  count: number,
  concurrency: number,
): Promise<SeededClick[]> {
  const clicks: SeededClick[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const n = next++;
      const skew = ((n * 2654435761) % 1000) / 1000;
      const code = codes[Math.floor(skew * skew * codes.length)] ?? codes[0];
      const ip = ipOf(1_000_000 + n);
      const userAgent = USER_AGENTS[n % USER_AGENTS.length] ?? '';
      const res = await fetch(`${baseUrl}/r/${code}`, {
        redirect: 'manual',
        headers: { 'X-Forwarded-For': ip, 'User-Agent': userAgent },
      });
      if (res.status !== 302) throw new Error(`click ${n}: /r/${code} answered ${res.status}`);
      const location = res.headers.get('location') ?? '';
      const id = new URL(location).searchParams.get('tk_clk');
      const visitorId = /tk_v=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1];
      if (!id || !visitorId) throw new Error(`click ${n}: no click id or visitor cookie`);
      clicks[n] = { id, ip, userAgent, visitorId, clickedAt: timeOfId('click', id) ?? Date.now() };
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return clicks;
}

export async function seedTenant(
  baseUrl: string,
  options: { promoters: number; clicks: number },
): Promise<Seeded> {
  const anonymous = createTuikeClient({ baseUrl });
  const signup = await must(
    'sign up',
    anonymous.POST('/v1/tenants', {
      body: {
        name: 'Bench shop 基准商城',
        owner: { email: 'owner@bench.example.com', password: 'bench password 123' },
      },
      // The sign-up limit per address lives in Redis across runs: each run signs up from its
      // own address in the benchmarking range (198.18.0.0/15).
      headers: { 'X-Forwarded-For': `198.18.${process.pid % 256}.${Date.now() % 250}` },
    }),
  );
  const owner = createTuikeClient({ baseUrl, token: signup.tokens.accessToken });
  await must(
    'allow the shop domain',
    owner.PATCH('/v1/tenant', { body: { settings: { allowedDomains: [SHOP] } } }),
  );

  const promoterIds = await seedPromoters(owner, options.promoters);
  const links = await seedLinks(owner, promoterIds);
  const clicks = await seedClicks(baseUrl, links, options.clicks, 16);

  const ruleSet = await must(
    'create rule set',
    owner.POST('/v1/rule-sets', { body: { name: 'Bench rules', content: RULES } }),
  );
  await must(
    'publish rule set',
    owner.POST('/v1/rule-sets/{id}/publish', { params: { path: { id: ruleSet.id } }, body: {} }),
  );
  const key = await must(
    'create API key',
    owner.POST('/v1/api-keys', {
      body: { name: 'shop server', scopes: ['conversions:write', 'conversions:read'] },
    }),
  );
  return {
    tenantId: signup.tenant.id,
    apiKey: key.secret,
    promoters: promoterIds.length,
    links,
    clicks,
  };
}

/**
 * A seeded tenant ready for postback load: its clicks are in the database (the server writes
 * them in batches), a minute has passed since the newest (orders are paid a minute or more
 * after their click, and never in the future), and the clicks are written to `fixtures` for
 * the load process. `say` hears what takes time.
 */
export async function seedForLoad(
  baseUrl: string,
  sql: postgres.Sql,
  options: { promoters: number; clicks: number; fixtures: string; say?: (line: string) => void },
): Promise<Seeded> {
  const say = options.say ?? (() => {});
  const started = Date.now();
  const seeded = await seedTenant(baseUrl, options);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const [row] = await sql<{ n: number }[]>`
      select count(*)::int as n from clicks where tenant_id = ${seeded.tenantId}`;
    if ((row?.n ?? 0) >= seeded.clicks.length) break;
    if (Date.now() > deadline) throw new Error('timed out waiting for the clicks to be stored');
    await new Promise((r) => setTimeout(r, 250));
  }
  say(
    `seeded ${seeded.promoters} promoters, ${seeded.links.length} links, ` +
      `${seeded.clicks.length} clicks in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  const wait = Math.max(...seeded.clicks.map((c) => c.clickedAt)) + 61_000 - Date.now();
  if (wait > 0) {
    say(`waiting ${(wait / 1000).toFixed(0)} s so every order comes a minute after its click`);
    await new Promise((r) => setTimeout(r, wait));
  }
  writeFileSync(options.fixtures, JSON.stringify(seeded.clicks));
  return seeded;
}
