/**
 * A shared string cache with expiry (Redis in production). Callers treat every failure as a
 * miss: the cache speeds things up and is never the source of truth.
 */
export interface CacheStore {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  del(key: string): Promise<void>;
}

/** Cache key formats and lifetimes, in one place. */
export const CACHE_KEYS = {
  /** A link's redirect target by code (JSON), or "-" when the code is unknown. */
  redirectTarget: (code: string) => `tk:link:${code}`,
} as const;

/** The part of a `redis` client this adapter needs. */
export interface RedisStringCommands {
  get(key: string): Promise<string | null | unknown>;
  set(
    key: string,
    value: string,
    options: { expiration: { type: 'PX'; value: number } },
  ): Promise<unknown>;
  del(key: string): Promise<unknown>;
}

export function redisCacheStore(client: RedisStringCommands): CacheStore {
  return {
    get: async (key) => {
      const value = await client.get(key);
      return typeof value === 'string' ? value : null;
    },
    set: async (key, value, ttlMs) => {
      await client.set(key, value, { expiration: { type: 'PX', value: ttlMs } });
    },
    del: async (key) => {
      await client.del(key);
    },
  };
}
