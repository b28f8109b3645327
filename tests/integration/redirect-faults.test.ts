import { type Database, notifyLinkChanged, schema } from '@tuike/db';
import { createNodePostgresDatabase } from '@tuike/db/node';
import { eq, inArray } from 'drizzle-orm';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/src/app';
import type { Deps } from '../../api/src/deps';
import { redisCacheStore } from '../../api/src/lib/cache-store';
import { createRedisLimiter } from '../../api/src/lib/limiter';
import { silentLogger } from '../../api/src/lib/logger';
import { noopMetrics } from '../../api/src/lib/metrics';
import { createRedirectServices, type RedirectServices } from '../../api/src/redirect';
import { createHarness, type Harness, type Tenant } from '../helpers/harness';
import { storeLink } from '../helpers/links';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy';

// What the redirect does when Postgres or Redis goes away. A second app instance (its own pools,
// caches and LISTEN connection, as another process would have) reaches the real servers through
// TCP proxies the tests cut.

const postgresUrl = process.env.DATABASE_URL;
const redisPort = Number(new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379').port || 6379);
const BROWSER =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/130 Safari/537.36';

let h: Harness;
let t: Tenant;
const closers: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  h = await createHarness();
  t = await h.signup();
});
afterAll(async () => {
  for (const close of closers.reverse()) await close().catch(() => {});
  await h.close();
});

interface Instance {
  app: ReturnType<typeof createApp>;
  services: RedirectServices;
  database: Database;
}

async function secondInstance(
  databaseUrl: string,
  extra: Partial<Parameters<typeof createRedirectServices>[0]> = {},
): Promise<Instance> {
  const database = createNodePostgresDatabase({ url: databaseUrl, max: 3 });
  const services = createRedirectServices({
    database,
    limiter: h.deps.limiter,
    logger: silentLogger,
    metrics: noopMetrics,
    ...extra,
  });
  await services.linkResolver.start();
  closers.push(async () => {
    await services.linkResolver.stop();
    await services.clickRecorder.stop(500);
    await database.close();
  });
  const deps: Deps = { ...h.deps, database, ...services };
  return { app: createApp(deps), services, database };
}

function visit(app: Instance['app'], code: string) {
  return app.request(`/r/${code}`, {
    headers: { 'User-Agent': BROWSER, 'X-Forwarded-For': '203.0.113.20' },
  });
}

function viaProxy(url: string, port: number): string {
  const u = new URL(url);
  u.hostname = '127.0.0.1';
  u.port = String(port);
  return u.toString();
}

describe.runIf(postgresUrl)('redirect under failure (real Postgres and Redis)', () => {
  it('sees a link changed by another process within 1 s', async () => {
    const other = await secondInstance(h.databaseUrl ?? '');
    const link = await storeLink(h, t, { destination: 'https://shop.example.com/a' });
    expect((await visit(other.app, link.code)).status).toBe(302);

    const changedAt = Date.now();
    await h.database.db.transaction(async (tx) => {
      await tx.update(schema.links).set({ status: 'disabled' }).where(eq(schema.links.id, link.id));
      await notifyLinkChanged(tx, link.code);
    });
    let status = 302;
    while (status === 302 && Date.now() - changedAt < 1000) {
      status = (await visit(other.app, link.code)).status;
      if (status === 302) await new Promise((r) => setTimeout(r, 10));
    }
    expect(status).toBe(404);
    expect(Date.now() - changedAt).toBeLessThan(1000);
  });

  it('keeps answering cached links with Postgres stopped, and counts every dropped click', async () => {
    const proxy: TcpProxy = await startTcpProxy(5432);
    closers.push(() => proxy.close());
    const capacity = 50;
    const other = await secondInstance(viaProxy(h.databaseUrl ?? '', proxy.port), {
      recorder: { capacity, flushIntervalMs: 50 },
    });
    const links = await Promise.all(
      [1, 2, 3].map((n) => storeLink(h, t, { destination: `https://shop.example.com/${n}` })),
    );
    for (const link of links) expect((await visit(other.app, link.code)).status).toBe(302);
    await other.services.clickRecorder.flush();
    expect(other.services.clickRecorder.stats()).toMatchObject({
      accepted: 3,
      written: 3,
      dropped: 0,
    });

    await proxy.stop();
    const sent = 200;
    for (let i = 0; i < sent; i++) {
      const res = await visit(other.app, links[i % 3]?.code ?? '');
      expect(res.status).toBe(302);
    }
    await other.services.clickRecorder.flush();
    const down = other.services.clickRecorder.stats();
    expect(down).toEqual({
      accepted: 3 + sent,
      written: 3,
      dropped: sent - capacity,
      buffered: capacity,
    });

    await proxy.start();
    const deadline = Date.now() + 10_000;
    while (other.services.clickRecorder.stats().buffered > 0 && Date.now() < deadline) {
      await other.services.clickRecorder.flush();
      await new Promise((r) => setTimeout(r, 100));
    }
    const after = other.services.clickRecorder.stats();
    expect(after).toEqual({
      accepted: 3 + sent,
      written: 3 + capacity,
      dropped: sent - capacity,
      buffered: 0,
    });
    const stored = await h.database.db
      .select({ id: schema.clicks.id })
      .from(schema.clicks)
      .where(
        inArray(
          schema.clicks.linkId,
          links.map((l) => l.id),
        ),
      );
    expect(stored).toHaveLength(after.written);
  });

  it('keeps redirecting with Redis stopped', async () => {
    const proxy = await startTcpProxy(redisPort);
    closers.push(() => proxy.close());
    const redis = createClient({
      url: `redis://127.0.0.1:${proxy.port}`,
      disableOfflineQueue: true,
      socket: { reconnectStrategy: () => 200, connectTimeout: 500 },
    });
    redis.on('error', () => {});
    await redis.connect();
    closers.push(async () => redis.destroy());
    const other = await secondInstance(h.databaseUrl ?? '', {
      cache: redisCacheStore(redis),
      limiter: createRedisLimiter(redis, silentLogger),
    });
    const warm = await storeLink(h, t, { destination: 'https://shop.example.com/warm' });
    expect((await visit(other.app, warm.code)).status).toBe(302);

    await proxy.stop();
    const cold = await storeLink(h, t, { destination: 'https://shop.example.com/cold' });
    for (let i = 0; i < 20; i++) {
      expect((await visit(other.app, warm.code)).status).toBe(302);
      expect((await visit(other.app, cold.code)).status).toBe(302);
    }
    await other.services.clickRecorder.flush();
    expect(other.services.clickRecorder.stats()).toMatchObject({
      dropped: 0,
      buffered: 0,
      written: 41,
    });
  });
});
