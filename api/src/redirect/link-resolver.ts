import {
  type Database,
  getRedirectTarget,
  LINK_CHANGED_CHANNEL,
  type RedirectTarget,
} from '@tuike/db';
import { CACHE_KEYS, type CacheStore } from '../lib/cache-store';
import type { Logger } from '../lib/logger';
import { Lru } from './lru';

/**
 * Finds the target of a short code: in-process LRU, then the shared cache (Redis), then
 * Postgres. Unknown codes are cached too (negative caching), so a scan of random codes does not
 * reach the database. A change notice from Postgres drops a code from every process's LRU.
 */
export interface LinkResolver {
  resolve(code: string): Promise<RedirectTarget | null>;
  /**
   * The answer the in-process cache holds while it is fresh, without waiting: a target, null for
   * a code known not to exist, or undefined when `resolve` has to look further.
   */
  peek(code: string): RedirectTarget | null | undefined;
  /** Forgets a code here and in the shared cache. */
  invalidate(code: string): Promise<void>;
  /** Subscribes to link-change notices; returns when listening. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

interface Entry {
  target: RedirectTarget | null;
  at: number;
}

/** The in-process LRU of resolved codes. */
export type LinkCache = Lru<Entry>;

export function createLinkCache(maxEntries = 50_000): LinkCache {
  return new Lru<Entry>(maxEntries);
}

export interface LinkResolverOptions {
  database: Database;
  cache?: CacheStore | undefined;
  logger: Logger;
  now?: () => number;
  maxEntries?: number;
  /** An LRU shared by resolvers that live shorter than it (a Worker makes one per request). */
  lru?: LinkCache;
  /** How long an entry is trusted without a change notice (covers tenant setting changes). */
  ttlMs?: number;
  negativeTtlMs?: number;
  /** Shared-cache calls slower than this count as misses. */
  cacheTimeoutMs?: number;
}

const MISSING = '-';

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('cache timeout')), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

export function createLinkResolver(options: LinkResolverOptions): LinkResolver {
  const { database, cache, logger } = options;
  const now = options.now ?? Date.now;
  const ttlMs = options.ttlMs ?? 60_000;
  const negativeTtlMs = options.negativeTtlMs ?? 30_000;
  const cacheTimeoutMs = options.cacheTimeoutMs ?? 100;
  const lru = options.lru ?? createLinkCache(options.maxEntries);
  const pending = new Map<string, Promise<RedirectTarget | null>>();
  let unlisten: (() => Promise<void>) | undefined;
  let lastCacheError = 0;

  const cacheFailed = (err: unknown) => {
    if (now() - lastCacheError > 10_000)
      logger.warn('link cache unavailable', { err: String(err) });
    lastCacheError = now();
    return null;
  };

  async function fromSharedCache(code: string): Promise<Entry | null> {
    if (!cache) return null;
    const raw = await withTimeout(cache.get(CACHE_KEYS.redirectTarget(code)), cacheTimeoutMs).catch(
      cacheFailed,
    );
    if (raw === null) return null;
    return { target: raw === MISSING ? null : (JSON.parse(raw) as RedirectTarget), at: now() };
  }

  async function load(code: string, stale: Entry | undefined): Promise<RedirectTarget | null> {
    const shared = await fromSharedCache(code);
    if (shared) {
      lru.set(code, shared);
      return shared.target;
    }
    let target: RedirectTarget | null;
    try {
      target = (await getRedirectTarget(database.db, code)) ?? null;
    } catch (err) {
      // The database is down: an entry we had is better than failing the visitor.
      if (stale) return stale.target;
      throw err;
    }
    lru.set(code, { target, at: now() });
    if (cache) {
      const value = target ? JSON.stringify(target) : MISSING;
      const ttl = target ? ttlMs * 5 : negativeTtlMs;
      void withTimeout(
        cache.set(CACHE_KEYS.redirectTarget(code), value, ttl),
        cacheTimeoutMs,
      ).catch(cacheFailed);
    }
    return target;
  }

  function fresh(entry: Entry | undefined): entry is Entry {
    return entry !== undefined && now() - entry.at < (entry.target ? ttlMs : negativeTtlMs);
  }

  return {
    peek(code) {
      const entry = lru.get(code);
      return fresh(entry) ? entry.target : undefined;
    },

    resolve(code) {
      const entry = lru.get(code);
      if (fresh(entry)) return Promise.resolve(entry.target);
      let loading = pending.get(code);
      if (!loading) {
        loading = load(code, entry).finally(() => pending.delete(code));
        pending.set(code, loading);
      }
      return loading;
    },

    async invalidate(code) {
      lru.delete(code);
      if (cache) {
        await withTimeout(cache.del(CACHE_KEYS.redirectTarget(code)), cacheTimeoutMs).catch(
          cacheFailed,
        );
      }
    },

    async start() {
      unlisten = await database.listen(LINK_CHANGED_CHANNEL, (code) => {
        void this.invalidate(code);
      });
    },

    async stop() {
      await unlisten?.().catch(() => {});
      unlisten = undefined;
    },
  };
}
