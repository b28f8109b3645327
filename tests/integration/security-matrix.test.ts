import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness, type Tenant } from '../helpers/harness';
import { snapshotDatabase } from '../helpers/snapshot';

// Walks every operation of the OpenAPI document, so a new route is covered the day it lands:
// a route this file cannot fill in (unknown path parameter, no sample body) fails the suite.

interface Operation {
  method: string;
  path: string;
  permission: string | null;
  hasBody: boolean;
}

interface Fixtures {
  userId: string;
  roleId: string;
  apiKeyId: string;
  tierId: string;
  promoterId: string;
  linkId: string;
  ruleSetId: string;
  conversionId: string;
  customerRef: string;
}

let h: Harness;
let a: Tenant;
let b: Tenant;
let fx: Fixtures;
let auditorToken: string;
let operations: Operation[];

const PATH_IDS: [RegExp, keyof Fixtures][] = [
  [/^\/v1\/users\/\{id\}/, 'userId'],
  [/^\/v1\/roles\/\{id\}/, 'roleId'],
  [/^\/v1\/api-keys\/\{id\}/, 'apiKeyId'],
  [/^\/v1\/tiers\/\{id\}/, 'tierId'],
  [/^\/v1\/promoters\/\{id\}/, 'promoterId'],
  [/^\/v1\/links\/\{id\}/, 'linkId'],
  [/^\/v1\/rule-sets\/\{id\}/, 'ruleSetId'],
  [/^\/v1\/conversions\/\{id\}/, 'conversionId'],
  [/^\/v1\/reviews\/\{id\}/, 'conversionId'],
];

/** A body each write route accepts, so that only the check under test can refuse it. */
const VALID_BODIES: Record<string, () => unknown> = {
  'POST /v1/auth/login': () => ({ email: 'nobody@example.com', password: 'not the password' }),
  'POST /v1/auth/refresh': () => ({ refreshToken: 'rt_not_a_real_token_at_all' }),
  'POST /v1/auth/logout': () => ({}),
  'POST /t/visits': () => ({ scene: 'nosuchcode' }),
  'POST /v1/promoter-auth/wechat': () => ({
    tenantId: 'ten_0000000000000000000000nope',
    code: 'dev:matrix',
  }),
  'POST /v1/tenants': () => ({
    name: 'Matrix',
    owner: { email: 'matrix@example.com', password: 'long enough password' },
  }),
  'PATCH /v1/tenant': () => ({ name: 'Changed' }),
  'POST /v1/users': () => ({
    email: 'new.user@example.com',
    password: 'long enough password',
    roleIds: [],
  }),
  'PATCH /v1/users/{id}': () => ({ name: 'Changed' }),
  'POST /v1/roles': () => ({ name: 'Another role', permissions: ['promoters:read'] }),
  'PATCH /v1/roles/{id}': () => ({ name: 'Changed role' }),
  'POST /v1/api-keys': () => ({ name: 'another key', scopes: ['promoters:read'] }),
  'POST /v1/tiers': () => ({ name: 'Platinum', level: 9 }),
  'PATCH /v1/tiers/{id}': () => ({ name: 'Changed tier' }),
  'POST /v1/promoters': () => ({ name: '李四' }),
  'PATCH /v1/promoters/{id}': () => ({ name: '王五' }),
  'POST /v1/links': () => ({ promoterId: fx.promoterId, destination: 'https://shop.a.example/' }),
  'PATCH /v1/links/{id}': () => ({ campaign: 'changed' }),
  'POST /v1/rule-sets': () => ({ name: 'Another rule set' }),
  'PATCH /v1/rule-sets/{id}': () => ({ description: 'changed' }),
  'PUT /v1/rule-sets/{id}/draft': () => ({ content: { currency: 'CNY', rules: [] } }),
  'POST /v1/rule-sets/{id}/validate': () => ({}),
  'POST /v1/rule-sets/{id}/publish': () => ({}),
  'POST /v1/rule-sets/{id}/approve': () => ({}),
  'POST /v1/rule-sets/{id}/reject': () => ({}),
  'POST /v1/rule-sets/{id}/archive': () => ({}),
  'POST /v1/rule-sets/{id}/rollback': () => ({ version: 1 }),
  'POST /v1/rule-sets/{id}/simulate': () => ({
    orders: [{ amount: '10000', chain: [{ id: 'p1' }] }],
  }),
  'PUT /v1/tenant/stripe-webhook-secret': () => ({ secret: 'whsec_matrix_secret_value' }),
  'POST /v1/stripe/events/replay': () => ({
    from: '2026-01-01T00:00:00Z',
    to: '2026-02-01T00:00:00Z',
  }),
  'PATCH /v1/bindings/{customerRef}': () => ({ promoterId: fx.promoterId, reason: 'matrix' }),
  'POST /v1/coupons': () => ({ code: 'MATRIX10', promoterId: fx.promoterId }),
  'POST /v1/conversions': () => ({ orderId: 'SO-MATRIX-2', amount: '1000', currency: 'CNY' }),
  'POST /v1/conversions/{id}/refunds': () => ({ refundId: 're_matrix', amount: '100' }),
  'POST /v1/conversions/{id}/cancel': () => ({ reason: 'matrix' }),
  'POST /v1/reviews/{id}/approve': () => ({}),
  'POST /v1/reviews/{id}/reject': () => ({ reason: 'matrix' }),
  'POST /v1/rule-sets/{id}/backtest': () => ({
    from: '2026-01-01T00:00:00Z',
    to: '2026-02-01T00:00:00Z',
  }),
};

function fillPath(path: string): string {
  if (path.includes('{customerRef}')) return path.replace('{customerRef}', fx.customerRef);
  for (const [pattern, key] of PATH_IDS) {
    if (pattern.test(path)) return path.replace('{id}', fx[key]);
  }
  if (path.includes('{')) throw new Error(`security matrix: no fixture for ${path}`);
  return path;
}

function bodyFor(op: Operation): string | undefined {
  if (!op.hasBody) return undefined;
  const make = VALID_BODIES[`${op.method} ${op.path}`];
  if (!make) throw new Error(`security matrix: no sample body for ${op.method} ${op.path}`);
  return JSON.stringify(make());
}

function send(op: Operation, token: string | undefined, body = bodyFor(op)) {
  return h.request(fillPath(op.path), {
    method: op.method,
    ...(token ? { token } : {}),
    ...(body === undefined ? {} : { body, headers: { 'Content-Type': 'application/json' } }),
  });
}

async function created<T>(p: Promise<{ data?: T; error?: unknown }>): Promise<T> {
  const { data, error } = await p;
  if (!data) throw new Error(`fixture failed: ${JSON.stringify(error)}`);
  return data;
}

beforeAll(async () => {
  h = await createHarness();
  a = await h.signup('Tenant A');
  b = await h.signup('Tenant B');

  const roles = await created(a.owner.GET('/v1/roles'));
  const auditorRole = roles.data.find((r) => r.builtIn === 'auditor');
  if (!auditorRole) throw new Error('no auditor role');
  const auditor = await created(
    a.owner.POST('/v1/users', {
      body: {
        email: 'auditor@a.example.com',
        password: 'auditor password',
        roleIds: [auditorRole.id],
      },
    }),
  );
  const login = await created(
    h.client().POST('/v1/auth/login', {
      body: { email: 'auditor@a.example.com', password: 'auditor password' },
    }),
  );
  auditorToken = login.accessToken;
  const role = await created(
    a.owner.POST('/v1/roles', { body: { name: 'Custom', permissions: ['promoters:read'] } }),
  );
  const key = await created(
    a.owner.POST('/v1/api-keys', { body: { name: 'server', scopes: ['promoters:read'] } }),
  );
  const tier = await created(a.owner.POST('/v1/tiers', { body: { name: 'Gold', level: 3 } }));
  const promoter = await created(
    a.owner.POST('/v1/promoters', { body: { name: '张三', tierId: tier.id } }),
  );
  await created(
    a.owner.PATCH('/v1/tenant', { body: { settings: { allowedDomains: ['shop.a.example'] } } }),
  );
  const link = await created(
    a.owner.POST('/v1/links', {
      body: { promoterId: promoter.id, destination: 'https://shop.a.example/p' },
    }),
  );
  const ruleSet = await created(a.owner.POST('/v1/rule-sets', { body: { name: 'Base' } }));
  await created(
    a.owner.POST('/v1/coupons', { body: { code: 'ZHANG10', promoterId: promoter.id } }),
  );
  // A coupon sale binds its customer to the promoter: the binding the routes work on.
  const conversion = await created(
    a.owner.POST('/v1/conversions', {
      body: {
        orderId: 'SO-MATRIX-1',
        amount: '10000',
        currency: 'CNY',
        couponCode: 'zhang10',
        customerRef: 'matrix-customer',
      },
    }),
  );
  fx = {
    userId: auditor.id,
    roleId: role.id,
    apiKeyId: key.id,
    tierId: tier.id,
    promoterId: promoter.id,
    linkId: link.id,
    ruleSetId: ruleSet.id,
    conversionId: conversion.id,
    customerRef: 'matrix-customer',
  };

  const doc = (await (await h.request('/openapi.json')).json()) as {
    paths: Record<
      string,
      Record<string, { 'x-permission'?: string | null; requestBody?: unknown }>
    >;
  };
  operations = Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      permission: op['x-permission'] ?? null,
      hasBody: op.requestBody !== undefined,
    })),
  );
});
afterAll(() => h.close());

describe('security matrix over every route', () => {
  it('covers the routes it should', () => {
    const names = operations.map((o) => `${o.method} ${o.path}`);
    for (const expected of [
      'GET /v1/users/{id}',
      'PATCH /v1/promoters/{id}',
      'DELETE /v1/api-keys/{id}',
    ]) {
      expect(names).toContain(expected);
    }
  });

  it("answers 404 to another tenant's token on every object route and changes nothing", async () => {
    const objectRoutes = operations.filter((o) => o.path.includes('{id}'));
    expect(objectRoutes.length).toBeGreaterThan(10);
    const before = await snapshotDatabase(h.database);
    const wrong: string[] = [];
    for (const op of objectRoutes) {
      const res = await send(op, b.accessToken);
      if (res.status !== 404) wrong.push(`${op.method} ${op.path} → ${res.status}`);
    }
    expect(wrong).toEqual([]);
    expect(await snapshotDatabase(h.database)).toEqual(before);
  });

  it("never lists another tenant's objects", async () => {
    const lists = operations.filter((o) => o.method === 'GET' && !o.path.includes('{'));
    const ids = Object.values(fx);
    for (const op of lists) {
      if (op.permission === 'public') continue;
      const text = await (await send(op, b.accessToken)).text();
      for (const id of ids) expect(text, `${op.path} leaks ${id}`).not.toContain(id);
      expect(text).not.toContain(a.tenantId);
    }
  });

  it('answers 403 to an auditor on every write route and changes nothing', async () => {
    const writes = operations.filter(
      (o) => o.method !== 'GET' && o.permission !== 'public' && o.permission !== null,
    );
    expect(writes.length).toBeGreaterThan(10);
    const before = await snapshotDatabase(h.database);
    const wrong: string[] = [];
    for (const op of writes) {
      const res = await send(op, auditorToken);
      if (res.status !== 403) wrong.push(`${op.method} ${op.path} → ${res.status}`);
    }
    expect(wrong).toEqual([]);
    expect(await snapshotDatabase(h.database)).toEqual(before);
  });

  it('answers 401 without a token on every protected route', async () => {
    const wrong: string[] = [];
    for (const op of operations.filter((o) => o.permission !== 'public')) {
      const res = await send(op, undefined);
      if (res.status !== 401) wrong.push(`${op.method} ${op.path} → ${res.status}`);
    }
    expect(wrong).toEqual([]);
  });

  const MALFORMED: [string, string, string][] = [
    ['invalid JSON', '{"name": ', 'application/json'],
    ['an array', '[]', 'application/json'],
    ['null', 'null', 'application/json'],
    ['an unknown key', '{"__unknown": true}', 'application/json'],
    ['wrong types', '{"name": 42, "email": [], "password": {}, "scopes": "x"}', 'application/json'],
    ['a form post', 'name=x&email=y', 'application/x-www-form-urlencoded'],
    ['plain text', 'hello', 'text/plain'],
    ['deep nesting', `${'['.repeat(5000)}${']'.repeat(5000)}`, 'application/json'],
  ];

  it.each(MALFORMED)(
    'answers 400 problem+json to %s on every route with a body, changing nothing',
    async (_label, body, type) => {
      const withBody = operations.filter((o) => o.hasBody);
      expect(withBody.length).toBeGreaterThan(8);
      const before = await snapshotDatabase(h.database);
      const wrong: string[] = [];
      for (const op of withBody) {
        const res = await h.request(fillPath(op.path), {
          method: op.method,
          token: a.accessToken,
          body,
          headers: { 'Content-Type': type },
        });
        const contentType = res.headers.get('content-type') ?? '';
        if (res.status !== 400 || !contentType.includes('application/problem+json')) {
          wrong.push(`${op.method} ${op.path} → ${res.status} ${await res.text()}`);
        }
      }
      expect(wrong).toEqual([]);
      expect(await snapshotDatabase(h.database)).toEqual(before);
    },
  );
});
