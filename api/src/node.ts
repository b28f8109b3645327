import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type ServerOptions,
  type ServerResponse,
} from 'node:http';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { serve } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { type Database, ensureClickPartitions, migratePostgres } from '@tuike/db';
import { createNodePostgresDatabase } from '@tuike/db/node';
import { createClient } from 'redis';
import { createApp } from './app';
import { type Config, ConfigError, loadConfig } from './config';
import { type Deps, type Pingable, systemClock } from './deps';
import { redisCacheStore } from './lib/cache-store';
import { loadOrCreateSecretsKey, loadOrCreateSigningKey } from './lib/key-store';
import { createMemoryLimiter, createRedisLimiter } from './lib/limiter';
import type { Logger } from './lib/logger';
import { createNodeMetrics } from './lib/node-metrics';
import { DEFAULT_SCRYPT } from './lib/password';
import { createPinoLogger } from './lib/pino-logger';
import { qrPng } from './lib/qr';
import { createSecretBox } from './lib/secret-box';
import { createSettingsCache } from './lib/settings-cache';
import { loadTokenKeys } from './lib/tokens';
import { createDevelopmentWechat, type WechatClient } from './lib/wechat';
import { createWechatHttpClient } from './lib/wechat-http';
import { createRedirectServices } from './redirect';
import {
  CODE_PATTERN,
  createRedirectAnswerer,
  type RedirectAnswer,
  type RedirectVisit,
} from './redirect/answer';
import { seedDemo } from './services/demo-seed';
import { purgeExpiredIdempotencyKeys } from './services/idempotency';

async function openDatabase(config: Config, logger: Logger): Promise<Database> {
  if (config.databaseUrl) {
    await migratePostgres(config.databaseUrl);
    logger.info('database ready', { driver: 'postgres' });
    return createNodePostgresDatabase({
      url: config.databaseUrl,
      max: config.databasePoolMax ?? availableParallelism() + 1,
    });
  }
  // Loaded only here, so bundles for other runtimes never pull in PGlite.
  const { createPgliteDatabase, migratePglite } = await import('@tuike/db/pglite');
  const dataDir = resolve(config.dataDir, 'pglite');
  const database = await createPgliteDatabase({ dataDir });
  await migratePglite(database);
  logger.info('database ready', { driver: 'pglite', dataDir });
  return database;
}

function openRedis(url: string, logger: Logger) {
  const client = createClient({
    url,
    // Fail commands at once while disconnected: callers fall back instead of waiting.
    disableOfflineQueue: true,
    socket: { reconnectStrategy: (retries) => Math.min(retries * 200, 5000), connectTimeout: 2000 },
  });
  let lastErrorLog = 0;
  client.on('error', (err: unknown) => {
    if (Date.now() - lastErrorLog < 10_000) return;
    lastErrorLog = Date.now();
    logger.warn('redis error', { err: String(err) });
  });
  client
    .connect()
    .catch((err: unknown) => logger.warn('redis connect failed', { err: String(err) }));
  return client;
}

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createPinoLogger(config.logLevel);
  const database = await openDatabase(config, logger);

  const readiness: Pingable[] = [];
  let limiter = createMemoryLimiter();
  let redis: ReturnType<typeof openRedis> | undefined;
  if (config.redisUrl) {
    const client = openRedis(config.redisUrl, logger);
    redis = client;
    limiter = createRedisLimiter(client, logger);
    readiness.push({ name: 'redis', ping: async () => void (await client.ping()) });
  }

  const privateKey = config.jwtPrivateKey ?? (await loadOrCreateSigningKey(config.dataDir)).jwk;
  if (!config.jwtPrivateKey && config.databaseUrl) {
    logger.warn('JWT_PRIVATE_KEY is not set; using a key kept in the data folder', {
      file: join(config.dataDir, 'jwt-signing-key.json'),
    });
  }
  const metrics = createNodeMetrics();
  const redirect = createRedirectServices({
    database,
    cache: redis ? redisCacheStore(redis) : undefined,
    limiter,
    logger,
    metrics,
  });
  await redirect.linkResolver.start();
  redirect.clickRecorder.start();
  const settings = createSettingsCache({ database, logger });
  await settings.start();
  await ensureClickPartitions(database.db, new Date(), 3);

  const deps: Deps = {
    config,
    database,
    limiter,
    logger,
    metrics,
    ...redirect,
    clock: systemClock,
    wechat: openWechat(config, logger),
    tokenKeys: await loadTokenKeys(privateKey, config.jwtIssuer),
    secretBox: await createSecretBox(
      config.secretsKey ?? (await loadOrCreateSecretsKey(config.dataDir)),
    ),
    passwordParams: DEFAULT_SCRYPT,
    readiness,
    settings,
  };

  // Idempotency keys nobody reuses: deleted once past their TTL (a claim frees its own too).
  const purgeKeys = () =>
    purgeExpiredIdempotencyKeys(deps).catch((err: unknown) =>
      logger.warn('idempotency keys not purged', { err: String(err) }),
    );
  void purgeKeys();
  const purgeTimer = setInterval(() => void purgeKeys(), 10 * 60_000);
  purgeTimer.unref();

  if (config.seedDemo) {
    const seeded = await seedDemo(deps);
    if (seeded) printDemoBanner(config, seeded);
  }

  const app = createApp(deps, {
    socketIp: (c) => getConnInfo(c).remote.address,
    // Node's parsed headers, without building a fetch Headers object per redirect.
    readHeader: (c, name) => {
      const value = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming?.headers[name];
      return Array.isArray(value) ? value[0] : value;
    },
  });
  const server = serve(
    {
      fetch: app.fetch,
      hostname: config.host,
      port: config.port,
      createServer: withFastRedirect(createRedirectAnswerer(deps), config.trustProxy),
    },
    (info) => {
      const host = info.address.includes(':') ? `[${info.address}]` : info.address;
      logger.info('listening', { url: `http://${host}:${info.port}` });
      process.stdout.write(
        `\n  Tuike is running at http://${host}:${info.port}  (API reference: /docs)\n\n`,
      );
    },
  );

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    const force = setTimeout(() => {
      logger.error('shutdown timed out; exiting');
      process.exit(1);
    }, 10_000);
    force.unref();
    // Stop accepting; close() waits for requests in flight, then the pools are closed.
    server.close(async () => {
      clearInterval(purgeTimer);
      await redirect.clickRecorder.stop();
      await redirect.linkResolver.stop();
      await settings.stop();
      await database.close().catch(() => {});
      await redis?.quit().catch(() => {});
      logger.info('stopped');
      process.exit(0);
    });
    if ('closeIdleConnections' in server) server.closeIdleConnections();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

/** A redirect request read straight off Node's parsed request; null for anything else. */
function nodeVisit(req: IncomingMessage, trustProxy: boolean): RedirectVisit | null {
  const url = req.url ?? '';
  if (!url.startsWith('/r/') || (req.method !== 'GET' && req.method !== 'HEAD')) return null;
  const query = url.indexOf('?');
  const code = url.slice(3, query < 0 ? undefined : query);
  // Anything unusual (escapes, extra segments) takes the framework's path and its decoding.
  if (!CODE_PATTERN.test(code)) return null;
  // From the raw header list: `req.headers` would build (and lower-case) an object of every
  // header on each redirect. Repeats combine as Node and fetch combine them.
  let cookie: string | undefined;
  let userAgent: string | undefined;
  let referrer: string | undefined;
  let forwardedFor: string | undefined;
  let forwardedProto: string | undefined;
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    const value = raw[i + 1] as string;
    switch (name.length) {
      case 6:
        if (name.toLowerCase() === 'cookie')
          cookie = cookie === undefined ? value : `${cookie}; ${value}`;
        break;
      case 7:
        if (referrer === undefined && name.toLowerCase() === 'referer') referrer = value;
        break;
      case 10:
        if (userAgent === undefined && name.toLowerCase() === 'user-agent') userAgent = value;
        break;
      case 15:
        if (trustProxy && name.toLowerCase() === 'x-forwarded-for')
          forwardedFor = forwardedFor === undefined ? value : `${forwardedFor}, ${value}`;
        break;
      case 17:
        if (trustProxy && name.toLowerCase() === 'x-forwarded-proto')
          forwardedProto = forwardedProto === undefined ? value : `${forwardedProto}, ${value}`;
        break;
    }
  }
  return {
    method: req.method,
    code,
    cookie,
    userAgent,
    referrer,
    ip: forwardedFor?.split(',')[0]?.trim() || req.socket.remoteAddress,
    secure: forwardedProto
      ? forwardedProto === 'https'
      : (req.socket as Partial<TLSSocket>).encrypted === true,
  };
}

/**
 * The server for `serve()`, with the redirect answered before Hono: the hot path then costs
 * what a bare Node handler costs. The answer is the same one the Hono route gives
 * (redirect/answer.ts); every other request goes to the app.
 */
function withFastRedirect(
  answer: ReturnType<typeof createRedirectAnswerer>,
  trustProxy: boolean,
): typeof createServer {
  const write = (res: ServerResponse, { status, headers, body }: RedirectAnswer) => {
    res.writeHead(status, headers);
    res.end(body ?? undefined);
  };
  const fail = (res: ServerResponse) => {
    if (!res.headersSent) res.writeHead(503, { 'Cache-Control': 'no-store' });
    res.end();
  };
  const create = (options: ServerOptions, listener: RequestListener) =>
    createServer(options, (req, res) => {
      const visit = nodeVisit(req, trustProxy);
      if (!visit) {
        listener(req, res);
        return;
      }
      try {
        const answered = answer(visit);
        if (answered instanceof Promise) {
          answered.then(
            (a) => write(res, a),
            () => fail(res),
          );
        } else {
          write(res, answered);
        }
      } catch {
        fail(res);
      }
    });
  return create as typeof createServer;
}

function openWechat(config: Config, logger: Logger): WechatClient {
  if (config.wechat) return createWechatHttpClient(config.wechat);
  if (config.env === 'production') {
    logger.warn('WECHAT_APP_ID is not set; promoters sign in with the development WeChat client');
  }
  return createDevelopmentWechat(qrPng);
}

function printDemoBanner(
  config: Config,
  seeded: { email: string; password: string | null; tenantId: string },
) {
  const lines = [
    '',
    '  Demo tenant seeded / 已创建演示商户',
    `    tenant:   ${seeded.tenantId}`,
    `    e-mail:   ${seeded.email}`,
    seeded.password
      ? `    password: ${seeded.password}   (shown once; set ADMIN_PASSWORD to choose it / 仅显示一次)`
      : '    password: the ADMIN_PASSWORD you set',
    `    data:     ${config.databaseUrl ? 'DATABASE_URL' : resolve(config.dataDir)}`,
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((err: unknown) => {
  const message =
    err instanceof ConfigError ? err.message : err instanceof Error ? err.stack : String(err);
  process.stderr.write(`tuike failed to start: ${message}\n`);
  process.exit(1);
});
