import { updateUser } from '@tuike/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../helpers/harness';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

interface Answer {
  status: number;
  headers: Headers;
  body: {
    accessToken?: string;
    refreshToken?: string;
    user?: { id: string; tenantId: string };
    detail?: string;
    errors?: { path: string }[];
  };
}

let ipCounter = 0;
/** Each call its own client address, so the per-IP login limit stays out of the way. */
const freshIp = () => `198.51.${Math.floor(++ipCounter / 250)}.${ipCounter % 250}`;

async function post(path: string, body: unknown, ip = freshIp()): Promise<Answer> {
  const res = await h.request(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': ip },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : {} };
}

const login = (body: { email: string; password: string; tenantId?: string }, ip?: string) =>
  post('/v1/auth/login', body, ip);
const refresh = (refreshToken: string | undefined) => post('/v1/auth/refresh', { refreshToken });
const tenantStatus = async (token: string | undefined) =>
  (await h.request('/v1/tenant', { ...(token ? { token } : {}) })).status;

describe('POST /v1/auth/login', () => {
  it('returns working tokens for the right password, ignoring e-mail case', async () => {
    const t = await h.signup();
    const ok = await login({ email: t.email.toUpperCase(), password: t.password });
    expect(ok.status).toBe(200);
    expect(ok.body.accessToken).toMatch(/^ey/);
    expect(ok.body.refreshToken).toMatch(/^rt_/);
    expect(ok.body.user).toMatchObject({ id: t.ownerId, tenantId: t.tenantId });
    expect(await tenantStatus(ok.body.accessToken)).toBe(200);
  });

  it('answers the same 401 for a wrong password and an unknown e-mail address', async () => {
    const t = await h.signup();
    const wrong = await login({ email: t.email, password: 'wrong password!' });
    const unknown = await login({ email: `nobody.${t.email}`, password: t.password });

    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.headers.get('content-type')).toContain('application/problem+json');
    expect(unknown.body.detail).toBe(wrong.body.detail);
    expect(wrong.body).not.toHaveProperty('accessToken');
  });

  it('refuses a disabled user, and their live tokens stop working', async () => {
    const t = await h.signup();
    const wrong = await login({ email: t.email, password: 'wrong password!' });
    await updateUser(h.database.db, t.tenantId, t.ownerId, { status: 'disabled' });

    const denied = await login({ email: t.email, password: t.password });
    expect(denied.status).toBe(401);
    expect(denied.body.detail).toBe(wrong.body.detail);
    expect(await tenantStatus(t.accessToken)).toBe(401);
    expect((await refresh(t.refreshToken)).status).toBe(401);

    await updateUser(h.database.db, t.tenantId, t.ownerId, { status: 'active' });
    expect((await login({ email: t.email, password: t.password })).status).toBe(200);
  });
});

describe('one e-mail address in two tenants', () => {
  async function signupAs(email: string, password: string) {
    const res = await post('/v1/tenants', { name: 'Shop', owner: { email, password } });
    expect(res.status).toBe(201);
    return (res.body as unknown as { tenant: { id: string } }).tenant.id;
  }

  it('asks for tenantId when the password opens both accounts', async () => {
    const email = `twice.${Date.now()}@example.com`;
    const password = 'the same long password';
    const first = await signupAs(email, password);
    const second = await signupAs(email, password);

    const ambiguous = await login({ email, password });
    expect(ambiguous.status).toBe(400);
    expect(ambiguous.body.errors?.map((e) => e.path)).toEqual(['tenantId']);
    expect(ambiguous.body).not.toHaveProperty('accessToken');

    const chosen = await login({ email, password, tenantId: second });
    expect(chosen.status).toBe(200);
    expect(chosen.body.user?.tenantId).toBe(second);
    expect((await login({ email, password, tenantId: first })).body.user?.tenantId).toBe(first);

    const elsewhere = (await h.signup()).tenantId;
    expect((await login({ email, password, tenantId: elsewhere })).status).toBe(401);
  });

  it('signs in to the one account whose password matches', async () => {
    const email = `split.${Date.now()}@example.com`;
    await signupAs(email, 'password of the first');
    const second = await signupAs(email, 'password of the second');

    const res = await login({ email, password: 'password of the second' });
    expect(res.status).toBe(200);
    expect(res.body.user?.tenantId).toBe(second);
  });
});

describe('login rate limits', () => {
  it('answers 429 with Retry-After after 10 attempts on one account', async () => {
    const t = await h.signup();
    const other = await h.signup();
    for (let i = 0; i < 10; i++) {
      expect((await login({ email: t.email, password: `guess number ${i}` })).status).toBe(401);
    }

    const limited = await login({ email: t.email, password: t.password });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.headers.get('ratelimit')).toMatch(/limit=10, remaining=0/);
    expect(limited.body).not.toHaveProperty('accessToken');
    expect((await login({ email: other.email, password: other.password })).status).toBe(200);
  });

  it('answers 429 with Retry-After after 30 attempts from one IP', async () => {
    const t = await h.signup();
    const ip = '192.0.2.77';
    for (let i = 0; i < 30; i++) {
      const res = await login({ email: `probe${i}@example.com`, password: 'whatever' }, ip);
      expect(res.status).toBe(401);
    }

    const limited = await login({ email: t.email, password: t.password }, ip);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await login({ email: t.email, password: t.password }, '192.0.2.78')).status).toBe(200);
  });
});

describe('POST /v1/auth/refresh', () => {
  it('rotates: the new pair works and the old refresh token fails', async () => {
    const t = await h.signup();
    const first = await refresh(t.refreshToken);
    expect(first.status).toBe(200);
    expect(first.body.refreshToken).toMatch(/^rt_/);
    expect(first.body.refreshToken).not.toBe(t.refreshToken);
    expect(await tenantStatus(first.body.accessToken)).toBe(200);

    const second = await refresh(first.body.refreshToken);
    expect(second.status).toBe(200);
    expect((await refresh(first.body.refreshToken)).status).toBe(401);
  });

  it('revokes the whole family when a rotated token comes back', async () => {
    const t = await h.signup();
    const elsewhere = await login({ email: t.email, password: t.password });
    const rotated = await refresh(t.refreshToken);
    expect(await tenantStatus(rotated.body.accessToken)).toBe(200);

    const reused = await refresh(t.refreshToken);
    expect(reused.status).toBe(401);
    expect((await refresh(rotated.body.refreshToken)).status).toBe(401);
    expect(await tenantStatus(rotated.body.accessToken)).toBe(401);
    expect(await tenantStatus(t.accessToken)).toBe(401);

    expect(await tenantStatus(elsewhere.body.accessToken)).toBe(200);
    const audit = await h
      .client(elsewhere.body.accessToken)
      .GET('/v1/audit-log', { params: { query: { action: 'auth.session_revoked' } } });
    expect(audit.data?.data).toEqual([
      expect.objectContaining({ after: { reason: 'refresh_token_reuse' } }),
    ]);
  });

  it('answers 401 for an unknown token or an access token', async () => {
    const t = await h.signup();
    expect((await refresh('rt_not-a-real-token-at-all')).status).toBe(401);
    expect((await refresh(`${t.refreshToken}x`)).status).toBe(401);
    expect((await post('/v1/auth/refresh', { refreshToken: t.accessToken })).status).toBe(400);
    expect(await tenantStatus(t.refreshToken)).toBe(401);
  });
});

describe('POST /v1/auth/logout', () => {
  it('ends the session of the bearer access token', async () => {
    const t = await h.signup();
    const res = await h.request('/v1/auth/logout', { method: 'POST', token: t.accessToken });
    expect(res.status).toBe(204);
    expect(await tenantStatus(t.accessToken)).toBe(401);
    expect((await refresh(t.refreshToken)).status).toBe(401);
  });

  it('ends the session of a refresh token', async () => {
    const t = await h.signup();
    const res = await post('/v1/auth/logout', { refreshToken: t.refreshToken });
    expect(res.status).toBe(204);
    expect(await tenantStatus(t.accessToken)).toBe(401);
    expect((await refresh(t.refreshToken)).status).toBe(401);
  });

  it('answers 401 without a credential', async () => {
    const res = await h.request('/v1/auth/logout', { method: 'POST' });
    expect(res.status).toBe(401);
  });
});
