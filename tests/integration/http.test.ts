import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../helpers/harness';

// Cross-cutting HTTP behaviour: CORS only for configured origins.

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ config: { corsOrigins: ['https://admin.example.com'] } });
});
afterAll(() => h.close());

describe('CORS', () => {
  it('answers a preflight from a configured origin', async () => {
    const res = await h.request('/v1/tenant', {
      method: 'OPTIONS',
      headers: {
        Origin: 'https://admin.example.com',
        'Access-Control-Request-Method': 'PATCH',
        'Access-Control-Request-Headers': 'authorization, content-type',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://admin.example.com');
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain(
      'authorization',
    );
  });

  it('gives other origins no CORS headers', async () => {
    for (const origin of [
      'https://evil.example.com',
      'https://admin.example.com.evil.com',
      'null',
    ]) {
      const res = await h.request('/v1/tenant', {
        method: 'OPTIONS',
        headers: { Origin: origin, 'Access-Control-Request-Method': 'GET' },
      });
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    }
  });

  it('gives no CORS headers at all when no origin is configured', async () => {
    const plain = await createHarness();
    try {
      const res = await plain.request('/healthz', {
        headers: { Origin: 'https://admin.example.com' },
      });
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await plain.close();
    }
  });
});
