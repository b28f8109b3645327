import { notifyLinkChanged, schema } from '@tuike/db';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness, type Tenant } from '../helpers/harness';
import { storeLink } from '../helpers/links';

const BROWSER =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47';

let h: Harness;
let t: Tenant;
beforeAll(async () => {
  h = await createHarness();
  t = await h.signup();
});
afterAll(() => h.close());

function visit(code: string, headers: Record<string, string> = {}, method = 'GET') {
  return h.request(`/r/${code}`, {
    method,
    headers: { 'User-Agent': BROWSER, 'X-Forwarded-For': '203.0.113.7', ...headers },
  });
}

async function clicksOf(linkId: string) {
  await h.deps.clickRecorder.flush();
  return h.database.db.select().from(schema.clicks).where(eq(schema.clicks.linkId, linkId));
}

async function rollupOf(linkId: string) {
  const [row] = await h.database.db
    .select()
    .from(schema.clickRollups)
    .where(
      and(eq(schema.clickRollups.tenantId, t.tenantId), eq(schema.clickRollups.linkId, linkId)),
    );
  return row;
}

describe('GET /r/:code', () => {
  it('answers 302 to the stored destination with the click id appended and a visitor cookie', async () => {
    const link = await storeLink(h, t, {
      destination: 'https://shop.example.com/p/1?color=red#top',
    });
    const res = await visit(link.code);
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location') ?? '');
    expect(location.origin + location.pathname).toBe('https://shop.example.com/p/1');
    expect(location.searchParams.get('color')).toBe('red');
    expect(location.hash).toBe('#top');
    const clickId = location.searchParams.get('tk_clk') ?? '';
    expect(clickId).toMatch(/^clk_/);
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^tk_v=[0-9a-z]{26}; Max-Age=2592000; Path=\/; HttpOnly; SameSite=Lax$/);
    expect(res.headers.get('cache-control')).toBe('no-store');

    const [click] = await clicksOf(link.id);
    expect(click).toMatchObject({
      id: clickId,
      tenantId: t.tenantId,
      source: 'redirect',
      isBot: false,
    });
    expect(click?.ipHash).toMatch(/^[0-9a-f]{32}$/);
    expect(JSON.stringify(click)).not.toContain('203.0.113.7');
  });

  it('replaces a click-id parameter the destination already carries, keeping the rest', async () => {
    const link = await storeLink(h, t, {
      destination: 'https://shop.example.com/p?tk_clk=stale&x=1&y=a%20b#frag',
    });
    const location = new URL((await visit(link.code)).headers.get('location') ?? '');
    expect(location.searchParams.getAll('tk_clk')).toEqual([expect.stringMatching(/^clk_/)]);
    expect(location.searchParams.get('x')).toBe('1');
    expect(location.searchParams.get('y')).toBe('a b');
    expect(location.hash).toBe('#frag');
  });

  it('marks the cookie Secure behind https', async () => {
    const link = await storeLink(h, t, { destination: 'https://shop.example.com/' });
    const res = await visit(link.code, { 'X-Forwarded-Proto': 'https' });
    expect(res.headers.get('set-cookie')).toContain('; Secure');
  });

  it('answers a small 404 page, never a redirect, for unknown, disabled and expired codes', async () => {
    const disabled = await storeLink(h, t, {
      destination: 'https://shop.example.com/',
      status: 'disabled',
    });
    const expired = await storeLink(h, t, {
      destination: 'https://shop.example.com/',
      expiresAt: new Date(Date.now() - 1000),
    });
    for (const code of [
      'nosuchcode1',
      disabled.code,
      expired.code,
      '..%2f..',
      'a',
      'x'.repeat(64),
    ]) {
      const res = await visit(code);
      expect(res.status).toBe(404);
      expect(res.headers.get('location')).toBeNull();
      expect(await res.text()).toContain('链接无效');
    }
    expect(await clicksOf(disabled.id)).toHaveLength(0);
  });

  it('counts clicks, unique visitors, bots and suspicious clicks in the daily rollup', async () => {
    const link = await storeLink(h, t, { destination: 'https://shop.example.com/' });
    const first = await visit(link.code);
    const visitor = (first.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    await visit(link.code, { Cookie: visitor });
    await visit(link.code, { 'X-Forwarded-For': '198.51.100.9' });
    await visit(link.code, { 'User-Agent': 'Mozilla/5.0 (compatible; Googlebot/2.1)' });
    await visit(link.code, { 'User-Agent': 'facebookexternalhit/1.1' });
    await visit(link.code, { 'User-Agent': '' });

    const clicks = await clicksOf(link.id);
    expect(clicks).toHaveLength(6);
    expect(clicks.filter((c) => c.isBot)).toHaveLength(3);
    expect(await rollupOf(link.id)).toMatchObject({ clicks: 3, uniqueVisitors: 2, bots: 3 });
  });

  it('counts a returning visitor once a day, across batches and links', async () => {
    const link = await storeLink(h, t, { destination: 'https://shop.example.com/a' });
    const other = await storeLink(h, t, { destination: 'https://shop.example.com/b' });
    const first = await visit(link.code);
    const cookie = (first.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    await h.deps.clickRecorder.flush();

    // Later batches: the same visitor again on the same link, then on another link.
    await visit(link.code, { Cookie: cookie });
    await h.deps.clickRecorder.flush();
    await visit(link.code, { Cookie: cookie });
    await visit(other.code, { Cookie: cookie });
    await h.deps.clickRecorder.flush();

    expect(await rollupOf(link.id)).toMatchObject({ clicks: 3, uniqueVisitors: 1 });
    expect(await rollupOf(other.id)).toMatchObject({ clicks: 1, uniqueVisitors: 1 });
  });

  it('redirects HEAD requests without recording a click', async () => {
    const link = await storeLink(h, t, { destination: 'https://shop.example.com/' });
    const res = await visit(link.code, {}, 'HEAD');
    expect(res.status).toBe(302);
    expect(await clicksOf(link.id)).toHaveLength(0);
  });

  it('stores header text exactly, backslashes, tabs and Latin-1 included', async () => {
    const link = await storeLink(h, t, { destination: 'https://shop.example.com/' });
    const agent = `${BROWSER} \\N path\\to\tx \\t`;
    const referrer = 'https://café.example/a\\b?q=\\N';
    expect((await visit(link.code, { 'User-Agent': agent, Referer: referrer })).status).toBe(302);
    const [click] = await clicksOf(link.id);
    expect(click).toMatchObject({ userAgent: agent, referrer, isBot: false });
  });

  it('marks clicks past the per-IP-and-link limit as suspicious instead of refusing them', async () => {
    const link = await storeLink(h, t, { destination: 'https://shop.example.com/' });
    for (let i = 0; i < 35; i++) {
      expect((await visit(link.code, { 'X-Forwarded-For': '192.0.2.55' })).status).toBe(302);
    }
    const clicks = await clicksOf(link.id);
    expect(clicks.filter((c) => c.isSuspicious)).toHaveLength(5);
    expect(await rollupOf(link.id)).toMatchObject({ clicks: 35, suspicious: 5 });
  });

  it('sees a disabled link at once after the change notice', async () => {
    const link = await storeLink(h, t, { destination: 'https://shop.example.com/' });
    expect((await visit(link.code)).status).toBe(302);
    await h.database.db.transaction(async (tx) => {
      await tx.update(schema.links).set({ status: 'disabled' }).where(eq(schema.links.id, link.id));
      await notifyLinkChanged(tx, link.code);
    });
    const deadline = Date.now() + 1000;
    let status = 302;
    while (Date.now() < deadline && status === 302) {
      status = (await visit(link.code)).status;
      if (status === 302) await new Promise((r) => setTimeout(r, 20));
    }
    expect(status).toBe(404);
  });

  it('keeps the click-id parameter the tenant chose', async () => {
    const other = await h.signup();
    await h.database.db.execute(
      sql`update tenants set click_id_param = 'ref_click' where id = ${other.tenantId}`,
    );
    const link = await storeLink(h, other, { destination: 'https://shop.example.com/x' });
    const res = await visit(link.code);
    expect(new URL(res.headers.get('location') ?? '').searchParams.get('ref_click')).toMatch(
      /^clk_/,
    );
  });
});

describe('POST /t/visits', () => {
  it('records a mini-program visit by scene and answers its click id', async () => {
    const link = await storeLink(h, t, { destination: 'https://shop.example.com/' });
    const res = await h.request('/t/visits', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'User-Agent': BROWSER },
      body: JSON.stringify({ scene: link.code, visitorId: 'mp_visitor_0001' }),
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { clickId: string; visitorId: string };
    expect(body).toEqual({ clickId: expect.stringMatching(/^clk_/), visitorId: 'mp_visitor_0001' });
    const [click] = await clicksOf(link.id);
    expect(click).toMatchObject({
      id: body.clickId,
      source: 'visit',
      visitorId: 'mp_visitor_0001',
    });
  });

  it('answers 404 for an unknown scene and 400 naming a malformed one', async () => {
    const unknown = await h.request('/t/visits', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ scene: 'nosuchscene' }),
    });
    expect(unknown.status).toBe(404);
    const bad = await h.request('/t/visits', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ scene: '../../x' }),
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('"path":"scene"');
  });
});

describe('GET /v1/links/{id}/stats and /v1/promoters/{id}/stats', () => {
  it('answer daily counts from the rollups, to admins and to the promoter', async () => {
    const link = await storeLink(h, t, { destination: 'https://shop.example.com/' });
    await visit(link.code);
    await visit(link.code, { 'X-Forwarded-For': '198.51.100.10' });
    await visit(link.code, { 'User-Agent': 'Googlebot/2.1' });
    await h.deps.clickRecorder.flush();

    const linkStats = await t.owner.GET('/v1/links/{id}/stats', {
      params: { path: { id: link.id } },
    });
    expect(linkStats.data?.totals).toEqual({
      clicks: 2,
      uniqueVisitors: 2,
      bots: 1,
      suspicious: 0,
    });
    expect(linkStats.data?.days).toHaveLength(1);
    expect(linkStats.data?.timeZone).toBe('Asia/Shanghai');

    const promoterStats = await t.owner.GET('/v1/promoters/{id}/stats', {
      params: { path: { id: link.promoterId } },
    });
    expect(promoterStats.data?.totals.clicks).toBe(2);
  });

  it('refuses bad ranges by name and hides other tenants’ links', async () => {
    const link = await storeLink(h, t, { destination: 'https://shop.example.com/' });
    const reversed = await t.owner.GET('/v1/links/{id}/stats', {
      params: { path: { id: link.id }, query: { from: '2026-12-02', to: '2026-12-01' } },
    });
    expect(reversed.response.status).toBe(400);
    const other = await h.signup();
    const foreign = await other.owner.GET('/v1/links/{id}/stats', {
      params: { path: { id: link.id } },
    });
    expect(foreign.response.status).toBe(404);
  });
});
