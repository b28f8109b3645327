import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness, type Tenant } from '../helpers/harness';

let h: Harness;
let t: Tenant;
beforeAll(async () => {
  h = await createHarness();
  t = await h.signup();
});
afterAll(() => h.close());

async function signIn(body: Record<string, unknown>) {
  const res = await h.request('/v1/promoter-auth/wechat', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': '10.77.0.1' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('POST /v1/promoter-auth/wechat', () => {
  it('joins a new WeChat user under the inviter, then signs the same user in again', async () => {
    const inviter = await t.owner.POST('/v1/promoters', { body: { name: '邀请人' } });
    const inviteCode = inviter.data?.inviteCode;
    const first = await signIn({
      tenantId: t.tenantId,
      code: 'dev:alice',
      inviteCode,
      name: '小爱',
    });
    expect(first.status).toBe(200);
    expect(first.body.joined).toBe(true);

    const again = await signIn({ tenantId: t.tenantId, code: 'dev:alice' });
    expect(again.body).toMatchObject({ joined: false, promoterId: first.body.promoterId });

    const joined = await t.owner.GET('/v1/promoters/{id}', {
      params: { path: { id: String(first.body.promoterId) } },
    });
    expect(joined.data).toMatchObject({ name: '小爱', uplineId: inviter.data?.id });
  });

  it('keeps the same WeChat user apart in two tenants', async () => {
    const other = await h.signup();
    const a = await signIn({ tenantId: t.tenantId, code: 'dev:bob' });
    const b = await signIn({ tenantId: other.tenantId, code: 'dev:bob' });
    expect(a.body.promoterId).not.toBe(b.body.promoterId);
  });

  it('refuses a promoter token on admin routes, on its audience', async () => {
    const { body } = await signIn({ tenantId: t.tenantId, code: 'dev:carol' });
    const token = String(body.accessToken);
    for (const path of ['/v1/tenant', '/v1/promoters', '/v1/users', '/v1/auth/me']) {
      expect((await h.request(path, { token })).status).toBe(401);
    }
  });

  it('answers 401 for a code WeChat refuses, 404 for an unknown tenant, 400 for a bad invite code', async () => {
    expect((await signIn({ tenantId: t.tenantId, code: 'not-a-dev-code' })).status).toBe(401);
    expect(
      (await signIn({ tenantId: 'ten_01m8yn5jjwycfmkyntf3jrmnm4', code: 'dev:x' })).status,
    ).toBe(404);
    const bad = await signIn({ tenantId: t.tenantId, code: 'dev:dave', inviteCode: 'NOPE1234' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('"path":"inviteCode"');
  });
});
