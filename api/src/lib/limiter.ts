import type { Logger } from './logger';

/** Fixed-window counter: `limit` hits per `windowSeconds` per key. */
export interface RateLimitRule {
  limit: number;
  windowSeconds: number;
}

export interface RateLimitResult {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window resets. */
  resetSeconds: number;
}

export interface RateLimiter {
  hit(key: string, rule: RateLimitRule): Promise<RateLimitResult>;
  /**
   * Counts `n` hits on each key at once and answers each key's count after them: the hits of
   * a key are numbered count-n+1 .. count, so a caller knows exactly which ones passed the
   * limit. One round trip for a whole batch.
   */
  hitMany(hits: ReadonlyMap<string, number>, rule: RateLimitRule): Promise<Map<string, number>>;
}

function result(count: number, rule: RateLimitRule, ttlMs: number): RateLimitResult {
  return {
    allowed: count <= rule.limit,
    limit: rule.limit,
    remaining: Math.max(0, rule.limit - count),
    resetSeconds: Math.max(1, Math.ceil(ttlMs / 1000)),
  };
}

/** In-process limiter: the default without Redis, and the fallback when Redis fails. */
export function createMemoryLimiter(now: () => number = Date.now): RateLimiter {
  const windows = new Map<string, { count: number; resetAt: number }>();
  let lastSweep = now();

  return {
    async hit(key, rule) {
      const t = now();
      if (t - lastSweep > 60_000) {
        for (const [k, w] of windows) if (w.resetAt <= t) windows.delete(k);
        lastSweep = t;
      }
      let w = windows.get(key);
      if (!w || w.resetAt <= t) {
        w = { count: 0, resetAt: t + rule.windowSeconds * 1000 };
        windows.set(key, w);
      }
      w.count++;
      return result(w.count, rule, w.resetAt - t);
    },
    async hitMany(hits, rule) {
      const out = new Map<string, number>();
      for (const [key, n] of hits) {
        const t = now();
        let w = windows.get(key);
        if (!w || w.resetAt <= t) {
          w = { count: 0, resetAt: t + rule.windowSeconds * 1000 };
          windows.set(key, w);
        }
        w.count += n;
        out.set(key, w.count);
      }
      return out;
    },
  };
}

/** The few Redis commands the limiter needs; satisfied by the `redis` client. */
export interface RedisCounter {
  incr(key: string): Promise<number>;
  incrBy(key: string, increment: number): Promise<number>;
  pExpire(key: string, ms: number, mode?: 'NX'): Promise<number | boolean>;
  pTTL(key: string): Promise<number>;
}

/**
 * Redis limiter shared by every process. If Redis fails, it falls back to the in-process
 * limiter rather than letting every request through or refusing them all.
 */
export function createRedisLimiter(redis: RedisCounter, logger: Logger): RateLimiter {
  const fallback = createMemoryLimiter();
  return {
    async hit(key, rule) {
      const redisKey = `rl:${key}`;
      try {
        const count = await redis.incr(redisKey);
        if (count === 1) await redis.pExpire(redisKey, rule.windowSeconds * 1000);
        const ttl = await redis.pTTL(redisKey);
        if (ttl < 0) await redis.pExpire(redisKey, rule.windowSeconds * 1000);
        return result(count, rule, ttl > 0 ? ttl : rule.windowSeconds * 1000);
      } catch (err) {
        logger.warn('rate limiter falling back to memory', { err: String(err) });
        return fallback.hit(key, rule);
      }
    },
    async hitMany(hits, rule) {
      const windowMs = rule.windowSeconds * 1000;
      try {
        // Commands issued in one tick go out as one pipeline.
        const entries = [...hits];
        const counts = await Promise.all(
          entries.map(async ([key, n]) => {
            const redisKey = `rl:${key}`;
            const count = await redis.incrBy(redisKey, n);
            if (count === n) await redis.pExpire(redisKey, windowMs);
            return count;
          }),
        );
        return new Map(entries.map(([key], i) => [key, counts[i] ?? 0]));
      } catch (err) {
        logger.warn('rate limiter falling back to memory', { err: String(err) });
        return fallback.hitMany(hits, rule);
      }
    },
  };
}
