import { AsyncLocalStorage } from 'node:async_hooks';
import { createPostgresDatabase, type Database } from '@tuike/db';
import type { RateLimiter } from './lib/limiter';
import type { Logger } from './lib/logger';
import { noopMetrics } from './lib/metrics';
import { type ClickRecorder, createClickRecorder } from './redirect/click-recorder';
import { createLinkCache, createLinkResolver, type LinkResolver } from './redirect/link-resolver';

// For Cloudflare Workers, where an isolate serves many requests but a socket (and so a
// postgres.js connection over Hyperdrive) belongs to the request that opened it: each request
// gets its own database, link resolver and click recorder, found through AsyncLocalStorage by
// stable stand-ins that the app is built with once. LISTEN cannot run in a Worker, so cached
// links expire after LINK_TTL_MS instead of on a change notice.

const LINK_TTL_MS = 10_000;
/** How long a request's clicks may keep trying to be written after its response. */
const CLICK_FLUSH_DEADLINE_MS = 10_000;
/** Hyperdrive pools the real connections; a few per request let queries run side by side. */
const CONNECTIONS_PER_REQUEST = 5;

/** Shared by every request of an isolate: plain data, no I/O objects. */
const linkCache = createLinkCache(10_000);
const monthsReady = new Set<string>();

export interface ScopeShared {
  logger: Logger;
  limiter: RateLimiter;
}

/** What one request owns, built on first use and closed by finish() after its response. */
export class RequestScope {
  private database: Database | undefined;
  private resolver: LinkResolver | undefined;
  private recorder: ClickRecorder | undefined;

  constructor(
    private readonly databaseUrl: string,
    private readonly shared: ScopeShared,
  ) {}

  db(): Database {
    this.database ??= createPostgresDatabase({
      url: this.databaseUrl,
      max: CONNECTIONS_PER_REQUEST,
    });
    return this.database;
  }

  linkResolver(): LinkResolver {
    this.resolver ??= createLinkResolver({
      database: this.db(),
      logger: this.shared.logger,
      lru: linkCache,
      ttlMs: LINK_TTL_MS,
      negativeTtlMs: LINK_TTL_MS,
    });
    return this.resolver;
  }

  clickRecorder(): ClickRecorder {
    this.recorder ??= createClickRecorder({
      database: this.db(),
      limiter: this.shared.limiter,
      logger: this.shared.logger,
      metrics: noopMetrics,
      monthsReady,
    });
    return this.recorder;
  }

  /** Writes the request's clicks (stop() flushes, retrying until the deadline), then closes. */
  async finish(): Promise<void> {
    try {
      await this.recorder?.stop(CLICK_FLUSH_DEADLINE_MS);
    } finally {
      await this.database?.close().catch(() => {});
    }
  }
}

const scopes = new AsyncLocalStorage<RequestScope>();

/** Runs `fn` (a request's handling) with `scope` as the current request's. */
export function runInScope<T>(scope: RequestScope, fn: () => T): T {
  return scopes.run(scope, fn);
}

function current(): RequestScope {
  const scope = scopes.getStore();
  if (!scope) throw new Error('a request-scoped service was used outside a request');
  return scope;
}

const database: Database = {
  kind: 'postgres',
  get db() {
    return current().db().db;
  },
  rows: (query, on) => current().db().rows(query, on),
  ping: () => current().db().ping(),
  listen: () => Promise.reject(new Error('LISTEN is not available in a Worker')),
  close: async () => {},
};

const linkResolver: LinkResolver = {
  resolve: (code) => current().linkResolver().resolve(code),
  peek: (code) => current().linkResolver().peek(code),
  invalidate: (code) => current().linkResolver().invalidate(code),
  start: async () => {},
  stop: async () => {},
};

const clickRecorder: ClickRecorder = {
  record: (click) => current().clickRecorder().record(click),
  flush: () => current().clickRecorder().flush(),
  stats: () => current().clickRecorder().stats(),
  start: () => {},
  stop: async () => {},
};

/** The Deps entries that stand for the current request's services. */
export const requestScopedServices = { database, linkResolver, clickRecorder };
