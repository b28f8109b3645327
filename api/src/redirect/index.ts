import type { Database } from '@tuike/db';
import type { CacheStore } from '../lib/cache-store';
import type { RateLimiter } from '../lib/limiter';
import type { Logger } from '../lib/logger';
import type { Metrics } from '../lib/metrics';
import {
  type ClickRecorder,
  type ClickRecorderOptions,
  createClickRecorder,
} from './click-recorder';
import { createLinkResolver, type LinkResolver, type LinkResolverOptions } from './link-resolver';

export interface RedirectServices {
  linkResolver: LinkResolver;
  clickRecorder: ClickRecorder;
}

export interface RedirectServiceOptions {
  database: Database;
  cache?: CacheStore | undefined;
  limiter: RateLimiter;
  logger: Logger;
  metrics: Metrics;
  resolver?: Partial<LinkResolverOptions>;
  recorder?: Partial<ClickRecorderOptions>;
}

/** The link cache and click writer an entry file builds, starts, and stops on shutdown. */
export function createRedirectServices(options: RedirectServiceOptions): RedirectServices {
  const { database, cache, limiter, logger, metrics } = options;
  return {
    linkResolver: createLinkResolver({ database, cache, logger, ...options.resolver }),
    clickRecorder: createClickRecorder({ database, limiter, logger, metrics, ...options.recorder }),
  };
}
