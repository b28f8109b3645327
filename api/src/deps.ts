import type { Database } from '@tuike/db';
import type { Config } from './config';
import type { RateLimiter } from './lib/limiter';
import type { Logger } from './lib/logger';
import type { Metrics } from './lib/metrics';
import type { ScryptParams } from './lib/password';
import type { SecretBox } from './lib/secret-box';
import type { SettingsCache } from './lib/settings-cache';
import type { TokenKeys } from './lib/tokens';
import type { WechatClient } from './lib/wechat';
import type { ClickRecorder } from './redirect/click-recorder';
import type { LinkResolver } from './redirect/link-resolver';

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** Something that answers when asked whether it is reachable (Redis, for /readyz). */
export interface Pingable {
  name: string;
  ping(): Promise<void>;
}

/** Everything the app needs from the outside world, built once by an entry file. */
export interface Deps {
  config: Config;
  database: Database;
  limiter: RateLimiter;
  logger: Logger;
  metrics: Metrics;
  clock: Clock;
  tokenKeys: TokenKeys;
  /** Encrypts and decrypts the secrets we store (Stripe webhook signing secrets). */
  secretBox: SecretBox;
  wechat: WechatClient;
  /** Short code → redirect target, through the caches. */
  linkResolver: LinkResolver;
  /** Tenant rows, API keys and published rule sets, kept while change notices arrive. */
  settings: SettingsCache;
  /** Batched, bounded click writer. */
  clickRecorder: ClickRecorder;
  /** scrypt cost for new password hashes (verification reads the cost from the hash). */
  passwordParams: ScryptParams;
  /** Extra dependencies /readyz checks besides the database. */
  readiness: Pingable[];
}
