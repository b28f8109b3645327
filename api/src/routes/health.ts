import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute, ok } from '../lib/openapi';

const Status = z.object({
  status: z.string(),
  checks: z.record(z.string(), z.string()).optional(),
});

const health = defineRoute({
  method: 'get',
  path: '/healthz',
  tag: 'Operations',
  summary: 'The process is up / 存活检查',
  permission: 'public',
  route: { responses: { 200: ok(Status) } },
});

const ready = defineRoute({
  method: 'get',
  path: '/readyz',
  tag: 'Operations',
  summary: 'The database (and Redis, when configured) answer / 就绪检查',
  permission: 'public',
  route: { responses: { 200: ok(Status), 503: ok(Status, 'A dependency does not answer') } },
});

const PING_TIMEOUT_MS = 2000;

function withTimeout(p: Promise<void>): Promise<void> {
  return Promise.race([
    p,
    new Promise<void>((_, reject) =>
      setTimeout(() => reject(new Error('timeout')), PING_TIMEOUT_MS),
    ),
  ]);
}

export const healthRoutes = createRouter()
  // GET /healthz: liveness, no dependencies touched.
  .openapi(health, (c) => c.json({ status: 'ok' }, 200))
  // GET /readyz: readiness, every dependency pinged with a timeout.
  .openapi(ready, async (c) => {
    const { database, readiness } = c.get('deps');
    const targets = [{ name: 'database', ping: () => database.ping() }, ...readiness];
    const results = await Promise.allSettled(targets.map((t) => withTimeout(t.ping())));
    const checks: Record<string, string> = {};
    results.forEach((r, i) => {
      checks[targets[i]?.name ?? `check${i}`] = r.status === 'fulfilled' ? 'ok' : 'failing';
    });
    const allOk = results.every((r) => r.status === 'fulfilled');
    return c.json({ status: allOk ? 'ok' : 'unavailable', checks }, allOk ? 200 : 503);
  });
