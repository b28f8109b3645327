import { LINK_CHANGED_CHANNEL, listAudit } from '@tuike/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness, type Tenant } from '../helpers/harness';
import { snapshotDatabase } from '../helpers/snapshot';

let h: Harness;
let t: Tenant;
let promoterA: Signed;
let promoterB: Signed;

const SHOP = 'shop.example.com';
const PNG_SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];

interface Signed {
  id: string;
  token: string;
}

interface Link {
  id: string;
  code: string;
  url: string;
  promoterId: string;
  destination: string;
  utm: Record<string, string> | null;
  status: string;
  expiresAt: string | null;
  createdBy: string | null;
  campaign: string | null;
}

interface Sent<T = Link> {
  status: number;
  body: T & { detail?: string; errors?: { path: string }[] };
}

async function send<T = Link>(
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<Sent<T>> {
  const res = await h.request(path, {
    method,
    token,
    headers: { 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Sent<T>['body'] };
}

const pathsOf = (sent: Sent<unknown>) => (sent.body.errors ?? []).map((e) => e.path);

async function allowDomains(tenant: Tenant, allowedDomains: string[]) {
  const res = await send(tenant.accessToken, 'PATCH', '/v1/tenant', {
    settings: { allowedDomains },
  });
  expect(res.status).toBe(200);
}

async function signInPromoter(tenant: Tenant, name: string): Promise<Signed> {
  const res = await h.request('/v1/promoter-auth/wechat', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': '10.78.0.1' },
    body: JSON.stringify({ tenantId: tenant.tenantId, code: `dev:${name}` }),
  });
  const body = (await res.json()) as { accessToken: string; promoterId: string };
  return { id: body.promoterId, token: body.accessToken };
}

async function create(token: string, body: Record<string, unknown>): Promise<Link> {
  const res = await send(token, 'POST', '/v1/links', body);
  if (res.status !== 201) throw new Error(`create failed: ${JSON.stringify(res.body)}`);
  return res.body;
}

beforeAll(async () => {
  h = await createHarness();
  t = await h.signup();
  await allowDomains(t, [SHOP]);
  promoterA = await signInPromoter(t, 'link-a');
  promoterB = await signInPromoter(t, 'link-b');
});
afterAll(() => h.close());

describe('POST /v1/links', () => {
  it('creates a link for a promoter with a short URL and UTM set on the destination', async () => {
    const res = await send(t.accessToken, 'POST', '/v1/links', {
      promoterId: promoterA.id,
      destination: 'https://SHOP.example.com:443/p/1?color=red#buy',
      campaign: 'double-11',
      utm: { source: 'wechat', campaign: '双十一' },
    });
    expect(res.status).toBe(201);
    const link = res.body;
    expect(link.id).toMatch(/^lnk_/);
    expect(link.code).toMatch(/^[23456789abcdefghjkmnpqrstuvwxyz]{8}$/);
    expect(link.url).toBe(`${h.deps.config.publicUrl}/r/${link.code}`);
    expect(link).toMatchObject({
      promoterId: promoterA.id,
      status: 'active',
      createdBy: t.ownerId,
    });
    const dest = new URL(link.destination);
    expect(dest.host).toBe(SHOP);
    expect(Object.fromEntries(dest.searchParams)).toEqual({
      color: 'red',
      utm_source: 'wechat',
      utm_campaign: '双十一',
    });
    expect(dest.hash).toBe('#buy');
    expect(link.utm).toEqual({ source: 'wechat', campaign: '双十一' });

    const read = await send(t.accessToken, 'GET', `/v1/links/${link.id}`);
    expect(read.body).toEqual(link);
    const audit = await listAudit(h.database.db, t.tenantId, { entityId: link.id }, { limit: 5 });
    expect(audit.data.map((a) => a.action)).toEqual(['link.create']);
  });

  it('lets a promoter token create links for itself only', async () => {
    const own = await create(promoterA.token, { destination: `https://m.${SHOP}/` });
    expect(own).toMatchObject({ promoterId: promoterA.id, createdBy: promoterA.id });
    await create(promoterA.token, { promoterId: promoterA.id, destination: `https://${SHOP}/` });

    const forB = await send(promoterA.token, 'POST', '/v1/links', {
      promoterId: promoterB.id,
      destination: `https://${SHOP}/`,
    });
    expect(forB.status).toBe(403);
    expect(pathsOf(forB)).toEqual(['promoterId']);
  });

  it.each([
    [{ destination: `https://${SHOP}/` }, 'promoterId', 400],
    [
      { promoterId: 'prm_01jd7s5m3q8x0f4k2v9w6tbz3c', destination: `https://${SHOP}/` },
      'promoterId',
      400,
    ],
    [{ promoterId: 'P', destination: `https://${SHOP}/` }, 'promoterId', 400],
    [{ promoterId: 'A' }, 'destination', 400],
    [{ promoterId: 'A', destination: `https://${SHOP}@evil.com/` }, 'destination', 400],
    [{ promoterId: 'A', destination: `http://${SHOP}/` }, 'destination', 400],
    [{ promoterId: 'A', destination: '//evil.com' }, 'destination', 400],
    [{ promoterId: 'A', destination: `https://${SHOP}.evil.com/` }, 'destination', 400],
    [{ promoterId: 'A', destination: `https://${SHOP}/`, alias: 'a b' }, 'alias', 400],
    [{ promoterId: 'A', destination: `https://${SHOP}/`, alias: 'Admin' }, 'alias', 400],
    [{ promoterId: 'A', destination: `https://${SHOP}/`, utm: { medium: '' } }, 'utm.medium', 400],
    [{ promoterId: 'A', destination: `https://${SHOP}/`, utm: { x: 'y' } }, 'utm', 400],
    [{ promoterId: 'A', destination: `https://${SHOP}/`, status: 'active' }, '(body)', 400],
    [{ promoterId: 'A', destination: `https://${SHOP}/`, code: 'mine1234' }, '(body)', 400],
    [{ promoterId: 'A', destination: `https://${SHOP}/`, expiresAt: 'tomorrow' }, 'expiresAt', 400],
    [
      { promoterId: 'A', destination: `https://${SHOP}/`, expiresAt: '2001-01-01T00:00:00Z' },
      'expiresAt',
      400,
    ],
  ])('refuses %j naming %s, changing nothing', async (body, field, status) => {
    const given = (body as { promoterId?: string }).promoterId;
    const filled = {
      ...body,
      ...(given ? { promoterId: given === 'A' ? promoterA.id : given } : {}),
    };
    const before = await snapshotDatabase(h.database);
    const res = await send(t.accessToken, 'POST', '/v1/links', filled);
    expect(res.status).toBe(status);
    expect(pathsOf(res)).toContain(field);
    expect(await snapshotDatabase(h.database)).toEqual(before);
  });

  it("refuses another tenant's promoter and a tenant without allowed domains", async () => {
    const other = await h.signup();
    const theirs = await signInPromoter(other, 'link-other');
    const res = await send(t.accessToken, 'POST', '/v1/links', {
      promoterId: theirs.id,
      destination: `https://${SHOP}/`,
    });
    expect([res.status, pathsOf(res)]).toEqual([400, ['promoterId']]);

    const noDomains = await send(other.accessToken, 'POST', '/v1/links', {
      promoterId: theirs.id,
      destination: `https://${SHOP}/`,
    });
    expect(noDomains.status).toBe(400);
    expect(noDomains.body.detail).toContain('allowed domains');
  });

  it('gives a frozen promoter no new link (409)', async () => {
    const frozen = await signInPromoter(t, 'link-frozen');
    await send(t.accessToken, 'PATCH', `/v1/promoters/${frozen.id}`, { status: 'frozen' });
    const res = await send(t.accessToken, 'POST', '/v1/links', {
      promoterId: frozen.id,
      destination: `https://${SHOP}/`,
    });
    expect([res.status, pathsOf(res)]).toEqual([409, ['promoterId']]);
  });
});

describe('POST /v1/links - aliases', () => {
  it('uses an alias as the code and refuses it again, in any case and in any tenant', async () => {
    const link = await create(t.accessToken, {
      promoterId: promoterA.id,
      destination: `https://${SHOP}/`,
      alias: 'sale-2026',
    });
    expect(link.code).toBe('sale-2026');
    expect(link.url).toMatch(/\/r\/sale-2026$/);

    const other = await h.signup();
    await allowDomains(other, [SHOP]);
    const theirs = await signInPromoter(other, 'alias-other');
    for (const [token, promoterId] of [
      [t.accessToken, promoterA.id],
      [t.accessToken, promoterA.id],
      [other.accessToken, theirs.id],
    ] as const) {
      for (const alias of ['sale-2026', 'SALE-2026', 'Sale-2026']) {
        const res = await send(token, 'POST', '/v1/links', {
          promoterId,
          destination: `https://${SHOP}/`,
          alias,
        });
        expect([alias, res.status, pathsOf(res)]).toEqual([alias, 409, ['alias']]);
      }
    }
  });

  it('refuses an alias that differs only by case from a generated code', async () => {
    const link = await create(t.accessToken, {
      promoterId: promoterA.id,
      destination: `https://${SHOP}/`,
    });
    const res = await send(t.accessToken, 'POST', '/v1/links', {
      promoterId: promoterA.id,
      destination: `https://${SHOP}/`,
      alias: link.code.toUpperCase(),
    });
    expect([res.status, pathsOf(res)]).toEqual([409, ['alias']]);
  });

  it.each(['docs', 'HEALTHZ', 'openapi', 'metrics', 'login', 'static'])(
    'refuses the reserved word %s',
    async (alias) => {
      const res = await send(t.accessToken, 'POST', '/v1/links', {
        promoterId: promoterA.id,
        destination: `https://${SHOP}/`,
        alias,
      });
      expect([res.status, pathsOf(res)]).toEqual([400, ['alias']]);
    },
  );
});

describe('GET /v1/links', () => {
  it('filters by promoter, status, campaign and text, and pages by cursor', async () => {
    const p = await signInPromoter(t, 'link-lister');
    const made: Link[] = [];
    for (const campaign of ['spring', 'spring', 'autumn']) {
      made.push(
        await create(t.accessToken, {
          promoterId: p.id,
          destination: `https://${SHOP}/${campaign}`,
          campaign,
        }),
      );
    }
    await send(t.accessToken, 'PATCH', `/v1/links/${made[0]?.id}`, { status: 'disabled' });
    const ids = async (query: string) =>
      (
        await send<{ data: Link[] }>(t.accessToken, 'GET', `/v1/links?promoterId=${p.id}&${query}`)
      ).body.data.map((l) => l.id);

    expect(await ids('')).toEqual(made.map((l) => l.id).reverse());
    expect(await ids('status=disabled')).toEqual([made[0]?.id]);
    expect(await ids('campaign=spring')).toEqual([made[1]?.id, made[0]?.id]);
    expect(await ids('q=autumn')).toEqual([made[2]?.id]);
    expect(await ids(`q=${made[1]?.code}`)).toEqual([made[1]?.id]);

    const first = await send<{ data: Link[]; nextCursor: string | null }>(
      t.accessToken,
      'GET',
      `/v1/links?promoterId=${p.id}&limit=2`,
    );
    expect(first.body.data).toHaveLength(2);
    const next = await send<{ data: Link[]; nextCursor: string | null }>(
      t.accessToken,
      'GET',
      `/v1/links?promoterId=${p.id}&limit=2&cursor=${first.body.nextCursor}`,
    );
    expect(next.body.data.map((l) => l.id)).toEqual([made[0]?.id]);
    expect(next.body.nextCursor).toBeNull();
  });
});

describe('PATCH /v1/links/{id}', () => {
  it('changes fields, re-applies UTM, audits, and announces the change to redirect caches', async () => {
    const link = await create(t.accessToken, {
      promoterId: promoterA.id,
      destination: `https://${SHOP}/a?x=1`,
      utm: { source: 'poster', medium: 'print' },
    });
    const notices: string[] = [];
    const unlisten = await h.database.listen(LINK_CHANGED_CHANNEL, (code) => notices.push(code));

    const utmOnly = await send(t.accessToken, 'PATCH', `/v1/links/${link.id}`, {
      utm: { source: 'video' },
    });
    expect(utmOnly.status).toBe(200);
    expect(utmOnly.body.destination).toBe(`https://${SHOP}/a?x=1&utm_source=video`);

    const moved = await send(t.accessToken, 'PATCH', `/v1/links/${link.id}`, {
      destination: `https://m.${SHOP}/b`,
      campaign: null,
      expiresAt: '2099-01-01T00:00:00Z',
    });
    expect(moved.body).toMatchObject({
      destination: `https://m.${SHOP}/b?utm_source=video`,
      campaign: null,
      expiresAt: '2099-01-01T00:00:00.000Z',
      code: link.code,
    });
    const cleared = await send(t.accessToken, 'PATCH', `/v1/links/${link.id}`, {
      utm: null,
      expiresAt: null,
      status: 'disabled',
    });
    expect(cleared.body).toMatchObject({
      destination: `https://m.${SHOP}/b`,
      utm: null,
      expiresAt: null,
      status: 'disabled',
    });

    await expect.poll(() => notices.length).toBeGreaterThanOrEqual(3);
    expect(new Set(notices)).toEqual(new Set([link.code]));
    await unlisten();
    const audit = await listAudit(
      h.database.db,
      t.tenantId,
      { entityId: link.id, action: 'link.update' },
      { limit: 5 },
    );
    expect(audit.data).toHaveLength(3);
    expect(audit.data[2]?.before).toMatchObject({
      destination: `https://${SHOP}/a?x=1&utm_source=poster&utm_medium=print`,
    });
  });

  it('refuses a bad destination or a past expiry, naming the field and changing nothing', async () => {
    const link = await create(t.accessToken, {
      promoterId: promoterA.id,
      destination: `https://${SHOP}/`,
    });
    const before = await snapshotDatabase(h.database);
    for (const [body, field] of [
      [{ destination: 'https://evil.com/' }, 'destination'],
      [{ expiresAt: '2001-01-01T00:00:00Z' }, 'expiresAt'],
      [{ status: 'deleted' }, 'status'],
      [{ code: 'newcode1' }, '(body)'],
      [{ promoterId: promoterB.id }, '(body)'],
    ] as const) {
      const res = await send(t.accessToken, 'PATCH', `/v1/links/${link.id}`, body);
      expect([res.status, pathsOf(res)]).toEqual([400, [field]]);
    }
    expect(await snapshotDatabase(h.database)).toEqual(before);
  });

  it('lets a promoter disable its link but only the merchant re-enable it', async () => {
    const link = await create(promoterA.token, { destination: `https://${SHOP}/` });
    const off = await send(promoterA.token, 'PATCH', `/v1/links/${link.id}`, {
      status: 'disabled',
    });
    expect(off.body.status).toBe('disabled');
    const on = await send(promoterA.token, 'PATCH', `/v1/links/${link.id}`, { status: 'active' });
    expect([on.status, pathsOf(on)]).toEqual([403, ['status']]);
    const byOwner = await send(t.accessToken, 'PATCH', `/v1/links/${link.id}`, {
      status: 'active',
    });
    expect(byOwner.body.status).toBe('active');
  });
});

describe('links - isolation', () => {
  it("answers 404 to a promoter for another promoter's link and lists only its own", async () => {
    const theirs = await create(promoterB.token, { destination: `https://${SHOP}/b` });
    const before = await snapshotDatabase(h.database);
    for (const [method, path, body] of [
      ['GET', `/v1/links/${theirs.id}`, undefined],
      ['PATCH', `/v1/links/${theirs.id}`, { status: 'disabled' }],
      ['GET', `/v1/links/${theirs.id}/qr`, undefined],
      ['GET', `/v1/links/${theirs.id}/wxacode`, undefined],
    ] as const) {
      const res = await h.request(path, {
        method,
        token: promoterA.token,
        ...(body
          ? { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } }
          : {}),
      });
      expect([method, path, res.status]).toEqual([method, path, 404]);
    }
    expect(await snapshotDatabase(h.database)).toEqual(before);

    const mine = await send<{ data: Link[] }>(promoterA.token, 'GET', '/v1/links?limit=200');
    expect(mine.body.data.length).toBeGreaterThan(0);
    expect(mine.body.data.every((l) => l.promoterId === promoterA.id)).toBe(true);
    const asked = await send<{ data: Link[] }>(
      promoterA.token,
      'GET',
      `/v1/links?promoterId=${promoterB.id}`,
    );
    expect(asked.body.data).toEqual([]);
  });

  it('answers 404 to another tenant for every link route and changes nothing', async () => {
    const link = await create(t.accessToken, {
      promoterId: promoterA.id,
      destination: `https://${SHOP}/`,
    });
    const other = await h.signup();
    const outsider = await signInPromoter(other, 'outsider');
    const before = await snapshotDatabase(h.database);
    for (const token of [other.accessToken, outsider.token]) {
      for (const [method, suffix, body] of [
        ['GET', '', undefined],
        ['PATCH', '', { destination: 'https://evil.com/' }],
        ['PATCH', '', { status: 'disabled' }],
        ['GET', '/qr', undefined],
        ['GET', '/qr?format=svg', undefined],
        ['GET', '/wxacode', undefined],
      ] as const) {
        const res = await h.request(`/v1/links/${link.id}${suffix}`, {
          method,
          token,
          ...(body
            ? { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } }
            : {}),
        });
        expect([method, suffix, res.status]).toEqual([method, suffix, 404]);
      }
      const list = await h.request('/v1/links', { token });
      expect(await list.text()).not.toContain(link.id);
    }
    expect(await snapshotDatabase(h.database)).toEqual(before);
  });
});

describe('link images', () => {
  it('draws the short URL as a PNG or SVG QR code', async () => {
    const link = await create(promoterA.token, { destination: `https://${SHOP}/` });
    const png = await h.request(`/v1/links/${link.id}/qr?size=256`, { token: promoterA.token });
    expect(png.status).toBe(200);
    expect(png.headers.get('content-type')).toBe('image/png');
    expect(Array.from(new Uint8Array(await png.arrayBuffer()).slice(0, 8))).toEqual(PNG_SIGNATURE);

    const svg = await h.request(`/v1/links/${link.id}/qr?format=svg`, { token: t.accessToken });
    expect(svg.headers.get('content-type')).toContain('image/svg+xml');
    expect((await svg.text()).trim()).toMatch(/^<svg[\s>][\s\S]*<\/svg>$/);

    const tooBig = await h.request(`/v1/links/${link.id}/qr?size=99999`, { token: t.accessToken });
    expect(tooBig.status).toBe(400);
  });

  it('makes a mini-program code whose scene is the link code', async () => {
    const link = await create(promoterA.token, { destination: `https://${SHOP}/` });
    const calls: unknown[] = [];
    const real = h.deps.wechat.getUnlimitedQrCode;
    h.deps.wechat.getUnlimitedQrCode = (input) => {
      calls.push(input);
      return real(input);
    };
    try {
      const res = await h.request(`/v1/links/${link.id}/wxacode`, { token: promoterA.token });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/png');
      expect(Array.from(new Uint8Array(await res.arrayBuffer()).slice(0, 8))).toEqual(
        PNG_SIGNATURE,
      );
    } finally {
      h.deps.wechat.getUnlimitedQrCode = real;
    }
    expect(calls).toEqual([{ scene: link.code, page: 'pages/landing/index' }]);
  });
});
