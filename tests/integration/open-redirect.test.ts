import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALLOWED, HOSTILE } from '../fixtures/open-redirect-corpus';
import { createHarness, type Harness, type Tenant } from '../helpers/harness';
import { snapshotDatabase } from '../helpers/snapshot';

// End to end through the API and the redirect: no payload of the corpus, sent as a link's
// destination or as a code, ever yields a Location outside the tenant's allowed domains.

let h: Harness;
let t: Tenant;
let promoterId: string;
let linkId: string;

function allowedHost(location: string | null): boolean {
  if (location === null) return true;
  const host = new URL(location).hostname;
  return ALLOWED.some((domain) => host === domain || host.endsWith(`.${domain}`));
}

beforeAll(async () => {
  h = await createHarness();
  t = await h.signup();
  await t.owner.PATCH('/v1/tenant', { body: { settings: { allowedDomains: ALLOWED } } });
  const promoter = await t.owner.POST('/v1/promoters', { body: { name: '测试推客' } });
  promoterId = promoter.data?.id ?? '';
  const link = await t.owner.POST('/v1/links', {
    body: { promoterId, destination: 'https://shop.example.com/safe' },
  });
  linkId = link.data?.id ?? '';
});
afterAll(() => h.close());

describe('open-redirect corpus through the API and the redirect', () => {
  it(`refuses all ${HOSTILE.length} hostile destinations on create and on update, changing nothing`, async () => {
    expect(new Set(HOSTILE).size).toBeGreaterThanOrEqual(200);
    const before = await snapshotDatabase(h.database);
    const accepted: string[] = [];
    for (const destination of HOSTILE) {
      const created = await t.owner.POST('/v1/links', { body: { promoterId, destination } });
      if (created.response.status !== 400) accepted.push(`POST ${JSON.stringify(destination)}`);
      const patched = await t.owner.PATCH('/v1/links/{id}', {
        params: { path: { id: linkId } },
        body: { destination },
      });
      if (patched.response.status !== 400) accepted.push(`PATCH ${JSON.stringify(destination)}`);
    }
    expect(accepted).toEqual([]);
    expect(await snapshotDatabase(h.database)).toEqual(before);
  });

  it('never answers a Location outside the allowed domains for any payload used as a code', async () => {
    const outside: string[] = [];
    for (const payload of HOSTILE) {
      for (const path of [
        `/r/${encodeURIComponent(payload)}`,
        `/r/${payload.replace(/^https?:\/\//, '')}`,
      ]) {
        let res: Response;
        try {
          res = await h.request(path);
        } catch {
          continue; // not even a valid request URL
        }
        const location = res.headers.get('location');
        if (!allowedHost(location)) outside.push(`${path} → ${location}`);
        if (res.status === 302 || res.status >= 500) outside.push(`${path} → ${res.status}`);
      }
    }
    expect(outside).toEqual([]);
  });

  it('redirects a stored link only to its own destination, whatever the query says', async () => {
    const link = await t.owner.GET('/v1/links/{id}', { params: { path: { id: linkId } } });
    const code = link.data?.code ?? '';
    for (const query of [
      '?next=https://evil.com',
      '?url=//evil.com',
      '?redirect=%2F%2Fevil.com',
      '/..%2f..%2fevil.com',
    ]) {
      const res = await h.request(`/r/${code}${query}`);
      const location = res.headers.get('location');
      if (res.status === 302) expect(new URL(location ?? '').hostname).toBe('shop.example.com');
      expect(allowedHost(location)).toBe(true);
    }
  });
});
