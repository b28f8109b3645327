import { randomUUID } from 'node:crypto';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createMemoryLimiter,
  createRedisLimiter,
  type RateLimiter,
  type RedisCounter,
} from './limiter';
import { type Logger, silentLogger } from './logger';

const RULE = { limit: 3, windowSeconds: 60 };

/** Hits `key` `times` times and answers whether each was allowed. */
async function hits(limiter: RateLimiter, key: string, times: number) {
  const allowed: boolean[] = [];
  for (let i = 0; i < times; i++) allowed.push((await limiter.hit(key, RULE)).allowed);
  return allowed;
}

describe('createMemoryLimiter', () => {
  it('allows `limit` hits per window, then refuses with the time left', async () => {
    let now = 1_000_000;
    const limiter = createMemoryLimiter(() => now);

    const first = await limiter.hit('a', RULE);
    expect(first).toEqual({ allowed: true, limit: 3, remaining: 2, resetSeconds: 60 });
    expect(await hits(limiter, 'a', 2)).toEqual([true, true]);

    now += 20_500;
    const refused = await limiter.hit('a', RULE);
    expect(refused).toEqual({ allowed: false, limit: 3, remaining: 0, resetSeconds: 40 });
  });

  it('starts a new window once the old one ends', async () => {
    let now = 5_000_000;
    const limiter = createMemoryLimiter(() => now);
    expect(await hits(limiter, 'a', 4)).toEqual([true, true, true, false]);

    now += 59_999;
    expect((await limiter.hit('a', RULE)).allowed).toBe(false);
    now += 1;
    const fresh = await limiter.hit('a', RULE);
    expect(fresh).toMatchObject({ allowed: true, remaining: 2, resetSeconds: 60 });
  });

  it('counts each key on its own', async () => {
    const limiter = createMemoryLimiter(() => 0);
    expect(await hits(limiter, 'a', 4)).toEqual([true, true, true, false]);
    expect(await hits(limiter, 'b', 1)).toEqual([true]);
  });

  it('keeps counting right after sweeping expired windows', async () => {
    let now = 0;
    const limiter = createMemoryLimiter(() => now);
    await hits(limiter, 'old', 3);
    await hits(limiter, 'live', 2);
    now += 61_000;
    expect(await hits(limiter, 'old', 1)).toEqual([true]);
    expect((await limiter.hit('live', RULE)).remaining).toBe(2);
  });

  it('counts batches per key the same way', async () => {
    const limiter = createMemoryLimiter();
    await limiter.hitMany(new Map([['x', 2]]), RULE);
    const after = await limiter.hitMany(
      new Map([
        ['x', 2],
        ['y', 1],
      ]),
      RULE,
    );
    expect([...after]).toEqual([
      ['x', 4],
      ['y', 1],
    ]);
  });

  it('never reports less than one second to wait', async () => {
    let now = 0;
    const limiter = createMemoryLimiter(() => now);
    await limiter.hit('a', { limit: 1, windowSeconds: 1 });
    now += 999;
    expect((await limiter.hit('a', { limit: 1, windowSeconds: 1 })).resetSeconds).toBe(1);
  });
});

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Records warnings so a test can see the fallback announce itself. */
function recordingLogger() {
  const warnings: string[] = [];
  const logger: Logger = {
    ...silentLogger,
    warn: (msg) => void warnings.push(msg),
    child: () => logger,
  };
  return { logger, warnings };
}

describe('createRedisLimiter', () => {
  const redis = createClient({ url: REDIS_URL });
  const prefixes: string[] = [];
  /** A key prefix no other test or run shares. */
  const uniquePrefix = () => {
    const prefix = `test:${randomUUID()}:`;
    prefixes.push(prefix);
    return prefix;
  };

  beforeAll(async () => {
    await redis.connect();
  });
  afterAll(async () => {
    for (const prefix of prefixes) {
      const keys = await redis.keys(`rl:${prefix}*`);
      if (keys.length > 0) await redis.del(keys);
    }
    await redis.quit();
  });

  it('shares one count between limiters, as between processes', async () => {
    const key = `${uniquePrefix()}login`;
    const a = createRedisLimiter(redis, silentLogger);
    const b = createRedisLimiter(redis, silentLogger);

    expect(await hits(a, key, 2)).toEqual([true, true]);
    const third = await b.hit(key, RULE);
    expect(third).toMatchObject({ allowed: true, remaining: 0 });
    expect(await hits(a, key, 1)).toEqual([false]);
  });

  it('counts a whole batch per key in one go, with the window set once', async () => {
    const prefix = uniquePrefix();
    const limiter = createRedisLimiter(redis, silentLogger);
    const first = await limiter.hitMany(
      new Map([
        [`${prefix}a`, 2],
        [`${prefix}b`, 5],
      ]),
      RULE,
    );
    expect([...first]).toEqual([
      [`${prefix}a`, 2],
      [`${prefix}b`, 5],
    ]);
    const second = await limiter.hitMany(new Map([[`${prefix}a`, 3]]), RULE);
    expect(second.get(`${prefix}a`)).toBe(5);
    expect(await redis.pTTL(`rl:${prefix}a`)).toBeGreaterThan(0);
    expect(await redis.pTTL(`rl:${prefix}b`)).toBeGreaterThan(0);
  });

  it('expires the window in Redis', async () => {
    const key = `${uniquePrefix()}ttl`;
    const limiter = createRedisLimiter(redis, silentLogger);
    const first = await limiter.hit(key, RULE);
    expect(first.resetSeconds).toBeGreaterThan(0);
    expect(first.resetSeconds).toBeLessThanOrEqual(60);
    const ttl = await redis.pTTL(`rl:${key}`);
    expect(ttl).toBeGreaterThan(55_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('starts a new window once Redis drops the old one', async () => {
    const key = `${uniquePrefix()}short`;
    const rule = { limit: 1, windowSeconds: 1 };
    const limiter = createRedisLimiter(redis, silentLogger);
    expect((await limiter.hit(key, rule)).allowed).toBe(true);
    expect((await limiter.hit(key, rule)).allowed).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await limiter.hit(key, rule)).allowed).toBe(true);
  });

  it('gives a counter left without expiry (a crash after INCR) its window back', async () => {
    const key = `${uniquePrefix()}orphan`;
    await redis.set(`rl:${key}`, '1');
    const limiter = createRedisLimiter(redis, silentLogger);
    const hit = await limiter.hit(key, RULE);
    expect(hit.remaining).toBe(1);
    expect(await redis.pTTL(`rl:${key}`)).toBeGreaterThan(0);
  });

  it('falls back to memory, still limiting, when Redis calls throw', async () => {
    const broken: RedisCounter = {
      incr: () => Promise.reject(new Error('ECONNREFUSED')),
      incrBy: () => Promise.reject(new Error('ECONNREFUSED')),
      pExpire: () => Promise.reject(new Error('ECONNREFUSED')),
      pTTL: () => Promise.reject(new Error('ECONNREFUSED')),
    };
    const { logger, warnings } = recordingLogger();
    const limiter = createRedisLimiter(broken, logger);

    expect(await hits(limiter, 'k', 4)).toEqual([true, true, true, false]);
    expect(warnings).toContain('rate limiter falling back to memory');
  });

  it('falls back to memory when the client is closed', async () => {
    const closed = createClient({ url: REDIS_URL });
    await closed.connect();
    await closed.quit();
    const { logger, warnings } = recordingLogger();
    const limiter = createRedisLimiter(closed, logger);

    expect(await hits(limiter, `${uniquePrefix()}closed`, 4)).toEqual([true, true, true, false]);
    expect(warnings.length).toBeGreaterThan(0);
  });
});
