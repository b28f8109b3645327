import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const list = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);

const emptyAsUndefined = (v: unknown) => (v === '' ? undefined : v);
const opt = <T extends z.ZodType>(schema: T) => z.preprocess(emptyAsUndefined, schema.optional());

/** Environment variables Tuike reads, all in one place, validated once at start. */
const EnvSchema = z.object({
  NODE_ENV: opt(z.enum(['development', 'production', 'test'])),
  HOST: opt(z.string()),
  PORT: opt(z.coerce.number().int().min(0).max(65535)),
  PUBLIC_URL: opt(z.url()),
  DATABASE_URL: opt(z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')),
  DATABASE_POOL_MAX: opt(z.coerce.number().int().min(1).max(200)),
  REDIS_URL: opt(z.string().regex(/^rediss?:\/\//, 'must be a redis:// URL')),
  DATA_DIR: opt(z.string()),
  JWT_PRIVATE_KEY: opt(z.string()),
  JWT_ISSUER: opt(z.string()),
  SECRETS_KEY: opt(
    z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be 32 random bytes, base64url (43 characters)'),
  ),
  ADMIN_EMAIL: opt(z.email()),
  ADMIN_PASSWORD: opt(z.string().min(10)),
  SEED_DEMO: opt(bool),
  OPEN_SIGNUP: opt(bool),
  CORS_ORIGINS: opt(list),
  METRICS_TOKEN: opt(z.string().min(16)),
  LOG_LEVEL: opt(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])),
  BODY_LIMIT_BYTES: opt(
    z.coerce
      .number()
      .int()
      .min(1024)
      .max(50 * 1024 * 1024),
  ),
  TRUST_PROXY: opt(bool),
  WECHAT_APP_ID: opt(z.string().regex(/^wx[0-9A-Za-z]{16}$/, 'must be a mini-program AppID (wx…)')),
  WECHAT_APP_SECRET: opt(z.string().regex(/^[0-9A-Za-z]{32}$/, 'must be a 32-character AppSecret')),
  WECHAT_API_BASE: opt(z.url({ protocol: /^https?$/ })),
});

export interface Config {
  env: 'development' | 'production' | 'test';
  host: string;
  port: number;
  /** Where this server is reached from outside; short links are built on it. */
  publicUrl: string;
  databaseUrl: string | undefined;
  /**
   * Connections in the Postgres pool; unset, the Node server opens one more than it has cores.
   * A small pool pipelines queries on busy connections instead of waking an idle backend for
   * each one: on 2 cores, 3 connections took 1.24× the postbacks per second of 10.
   */
  databasePoolMax: number | undefined;
  redisUrl: string | undefined;
  dataDir: string;
  jwtPrivateKey: string | undefined;
  jwtIssuer: string;
  /** Encrypts stored secrets; unset: generated once and kept in the data folder. */
  secretsKey: string | undefined;
  adminEmail: string | undefined;
  adminPassword: string | undefined;
  seedDemo: boolean;
  openSignup: boolean;
  corsOrigins: string[];
  metricsToken: string | undefined;
  logLevel: string;
  bodyLimitBytes: number;
  trustProxy: boolean;
  /** Mini-program credentials; without them the offline development WeChat client is used. */
  wechat: { appId: string; appSecret: string; apiBase: string } | undefined;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Reads and validates the environment; throws a ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid environment:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if ((e.WECHAT_APP_ID === undefined) !== (e.WECHAT_APP_SECRET === undefined)) {
    throw new ConfigError(
      'invalid environment:\n  WECHAT_APP_ID and WECHAT_APP_SECRET go together',
    );
  }
  const embedded = e.DATABASE_URL === undefined;

  return {
    env: e.NODE_ENV ?? 'development',
    host: e.HOST ?? '127.0.0.1',
    port: e.PORT ?? 8787,
    publicUrl: (e.PUBLIC_URL ?? `http://${e.HOST ?? '127.0.0.1'}:${e.PORT ?? 8787}`).replace(
      /\/+$/,
      '',
    ),
    databaseUrl: e.DATABASE_URL,
    databasePoolMax: e.DATABASE_POOL_MAX,
    redisUrl: e.REDIS_URL,
    dataDir: e.DATA_DIR ?? '.data',
    jwtPrivateKey: e.JWT_PRIVATE_KEY,
    jwtIssuer: e.JWT_ISSUER ?? 'tuike',
    secretsKey: e.SECRETS_KEY,
    adminEmail: e.ADMIN_EMAIL,
    adminPassword: e.ADMIN_PASSWORD,
    seedDemo: e.SEED_DEMO ?? true,
    // Anyone may create a tenant on a laptop; a shared server must opt in.
    openSignup: e.OPEN_SIGNUP ?? embedded,
    corsOrigins: e.CORS_ORIGINS ?? [],
    metricsToken: e.METRICS_TOKEN,
    logLevel: e.LOG_LEVEL ?? 'info',
    bodyLimitBytes: e.BODY_LIMIT_BYTES ?? 1024 * 1024,
    trustProxy: e.TRUST_PROXY ?? false,
    wechat:
      e.WECHAT_APP_ID && e.WECHAT_APP_SECRET
        ? {
            appId: e.WECHAT_APP_ID,
            appSecret: e.WECHAT_APP_SECRET,
            apiBase: e.WECHAT_API_BASE ?? 'https://api.weixin.qq.com',
          }
        : undefined,
  };
}
