import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../helpers/harness';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

describe('POST /v1/auth/login', () => {
  it('returns tokens for the right password and 401 for a wrong one', async () => {
    const t = await h.signup();
    const ok = await h
      .client()
      .POST('/v1/auth/login', { body: { email: t.email, password: t.password } });
    expect(ok.response.status).toBe(200);
    expect(ok.data?.accessToken).toMatch(/^ey/);
    expect(ok.data?.refreshToken).toMatch(/^rt_/);

    const bad = await h
      .client()
      .POST('/v1/auth/login', { body: { email: t.email, password: 'wrong password!' } });
    expect(bad.response.status).toBe(401);
    expect(bad.response.headers.get('content-type')).toContain('application/problem+json');
  });
});
