import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../helpers/harness';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

describe('POST /v1/tenants', () => {
  it('creates a tenant with CN defaults, built-in roles and a signed-in owner', async () => {
    const t = await h.signup('Acme 商城');
    const { data } = await t.owner.GET('/v1/tenant');
    expect(data).toMatchObject({
      id: t.tenantId,
      name: 'Acme 商城',
      settings: {
        currency: 'CNY',
        timeZone: 'Asia/Shanghai',
        distributionDepth: 2,
        complianceProfile: 'CN',
        allowedDomains: [],
        minWithdrawal: { amount: '1000', currency: 'CNY' },
      },
    });
    const me = await t.owner.GET('/v1/auth/me');
    expect(me.data?.roles).toEqual(['owner']);
    expect(me.data?.permissions).toContain('payouts:execute');
  });

  it('refuses sign-up when it is closed', async () => {
    const closed = await createHarness({ config: { openSignup: false } });
    try {
      const res = await closed.client().POST('/v1/tenants', {
        body: { name: 'X', owner: { email: 'x@example.com', password: 'long enough pw' } },
      });
      expect(res.response.status).toBe(403);
    } finally {
      await closed.close();
    }
  });

  it('names each bad field', async () => {
    const res = await h.request('/v1/tenants', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: '', owner: { email: 'nope', password: 'short' } }),
    });
    expect(res.status).toBe(400);
    const problem = (await res.json()) as { errors: { path: string }[] };
    expect(problem.errors.map((e) => e.path).sort()).toEqual([
      'name',
      'owner.email',
      'owner.password',
    ]);
  });
});

describe('PATCH /v1/tenant', () => {
  it('changes settings and records before and after in the audit log', async () => {
    const t = await h.signup();
    const res = await t.owner.PATCH('/v1/tenant', {
      body: {
        name: 'Renamed',
        settings: {
          allowedDomains: ['Shop.Example.com', '例子.中国'],
          lockPeriodDays: 7,
          minWithdrawal: { amount: '5000', currency: 'CNY' },
        },
      },
    });
    expect(res.response.status).toBe(200);
    expect(res.data?.settings.allowedDomains).toEqual([
      'shop.example.com',
      'xn--fsqu00a.xn--fiqs8s',
    ]);
    expect(res.data?.settings.lockPeriodDays).toBe(7);
    expect(res.data?.settings.minWithdrawal.amount).toBe('5000');
  });

  it.each([
    [{ settings: { distributionDepth: 3 } }, 'settings.distributionDepth'],
    [
      { settings: { distributionDepth: 4, complianceProfile: 'GLOBAL' } },
      'settings.distributionDepth',
    ],
    [{ settings: { timeZone: 'Mars/Base' } }, 'settings.timeZone'],
    [{ settings: { currency: 'XBT' } }, 'settings.currency'],
    [{ settings: { allowedDomains: ['https://evil.com/x'] } }, 'settings.allowedDomains.0'],
    [
      { settings: { minWithdrawal: { amount: '10.5', currency: 'CNY' } } },
      'settings.minWithdrawal.amount',
    ],
    [
      { settings: { minWithdrawal: { amount: '100', currency: 'USD' } } },
      'settings.minWithdrawal.currency',
    ],
    [{ settings: { currency: 'JPY' } }, 'settings.minWithdrawal'],
    [{ settings: { attributionWindowDays: 0 } }, 'settings.attributionWindowDays'],
    [{ settings: { webhookUrl: 'x' } }, 'settings'],
    [{ id: 'ten_x' }, '(body)'],
  ])('refuses %j naming %s', async (body, path) => {
    const t = await h.signup();
    const before = await t.owner.GET('/v1/tenant');
    const res = await h.request('/v1/tenant', {
      method: 'PATCH',
      token: t.accessToken,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(400);
    const problem = (await res.json()) as { errors: { path: string }[] };
    expect(problem.errors.map((e) => e.path)).toContain(path);
    const after = await t.owner.GET('/v1/tenant');
    expect(after.data).toEqual(before.data);
  });

  it('allows three levels under the GLOBAL profile', async () => {
    const t = await h.signup();
    const res = await t.owner.PATCH('/v1/tenant', {
      body: { settings: { complianceProfile: 'GLOBAL', distributionDepth: 3 } },
    });
    expect(res.data?.settings.distributionDepth).toBe(3);
  });
});

describe('operations endpoints', () => {
  it('GET /healthz and /readyz answer 200', async () => {
    expect((await h.request('/healthz')).status).toBe(200);
    const ready = await h.request('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ checks: { database: 'ok' } });
  });

  it('GET /readyz answers 503 when a dependency fails', async () => {
    h.deps.readiness.push({ name: 'redis', ping: () => Promise.reject(new Error('down')) });
    try {
      const res = await h.request('/readyz');
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ checks: { database: 'ok', redis: 'failing' } });
    } finally {
      h.deps.readiness.pop();
    }
  });

  it('GET /metrics is hidden without the configured token', async () => {
    expect((await h.request('/metrics')).status).toBe(404);
  });

  it('sends secure headers and a request id on every answer', async () => {
    const res = await h.request('/v1/nothing-here');
    expect(res.status).toBe(404);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-request-id')).toMatch(/^req_/);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
  });

  it('refuses bodies over the limit with 413', async () => {
    const res = await h.request('/v1/auth/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: 'a@b.co', password: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(res.status).toBe(413);
  });
});
