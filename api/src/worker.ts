import { newId } from '@tuike/core';
import type { ExecutionContext } from 'hono';
import { type App, createApp } from './app';
import { ConfigError, loadConfig } from './config';
import { type Deps, systemClock } from './deps';
import { createConsoleLogger } from './lib/console-logger';
import { ApiError, toProblem } from './lib/errors';
import { createMemoryLimiter } from './lib/limiter';
import { noopMetrics } from './lib/metrics';
import { DEFAULT_SCRYPT } from './lib/password';
import { qrPng } from './lib/qr';
import { createSecretBox, unavailableSecretBox } from './lib/secret-box';
import { uncachedSettings } from './lib/settings-cache';
import { loadTokenKeys } from './lib/tokens';
import { createDevelopmentWechat } from './lib/wechat';
import { createWechatHttpClient } from './lib/wechat-http';
import { RequestScope, requestScopedServices, runInScope, type ScopeShared } from './request-scope';

// Cloudflare Workers entry. The app, its config and keys are built once per isolate; the
// database, link resolver and click recorder are the current request's (request-scope.ts).
// Clicks are written after the response, inside the request's lifetime, through
// ctx.waitUntil, which then closes the request's database connection.

/** The bindings of wrangler.toml; vars and secrets arrive as strings. */
export interface WorkerEnv {
  HYPERDRIVE?: { connectionString: string };
  [name: string]: unknown;
}

/** Per isolate: shared by every request this isolate serves. */
interface Isolate extends ScopeShared {
  app: App;
}

let isolate: Promise<Isolate> | undefined;

/** The string vars and secrets, with Hyperdrive's URL standing in for DATABASE_URL. */
function variablesOf(env: WorkerEnv, databaseUrl: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const [name, value] of Object.entries(env))
    if (typeof value === 'string') vars[name] = value;
  vars.DATABASE_URL = databaseUrl;
  return vars;
}

async function buildIsolate(env: WorkerEnv, databaseUrl: string): Promise<Isolate> {
  const config = loadConfig(variablesOf(env, databaseUrl));
  if (!config.jwtPrivateKey) {
    throw new ConfigError('JWT_PRIVATE_KEY is required in a Worker (wrangler secret put)');
  }
  const logger = createConsoleLogger(config.logLevel);
  const limiter = createMemoryLimiter();
  const deps: Deps = {
    config,
    ...requestScopedServices,
    limiter,
    logger,
    metrics: noopMetrics,
    clock: systemClock,
    tokenKeys: await loadTokenKeys(config.jwtPrivateKey, config.jwtIssuer),
    secretBox: config.secretsKey
      ? await createSecretBox(config.secretsKey)
      : unavailableSecretBox('SECRETS_KEY is required to store secrets in a Worker'),
    wechat: config.wechat ? createWechatHttpClient(config.wechat) : createDevelopmentWechat(qrPng),
    passwordParams: DEFAULT_SCRYPT,
    readiness: [],
    // No LISTEN through Hyperdrive: without change notices nothing is kept.
    settings: uncachedSettings,
  };
  // Cloudflare sets CF-Connecting-IP to the visitor's address; a client cannot forge it.
  const app = createApp(deps, { socketIp: (c) => c.req.header('cf-connecting-ip') });
  return { app, logger, limiter };
}

/** The isolate's app, built on its first request; a failed build is retried by the next. */
function isolateFor(env: WorkerEnv, databaseUrl: string): Promise<Isolate> {
  isolate ??= buildIsolate(env, databaseUrl).catch((err: unknown) => {
    isolate = undefined;
    throw err;
  });
  return isolate;
}

/** A config or key error: every request answers 503 (a config error says what is wrong). */
function unavailable(err: unknown): Response {
  const detail = err instanceof ConfigError ? err.message : 'the worker failed to start';
  createConsoleLogger('error').error('worker start failed', { err: String(err) });
  const problem = toProblem(new ApiError('unavailable', detail), newId('request'));
  return new Response(JSON.stringify(problem), {
    status: 503,
    headers: { 'Content-Type': 'application/problem+json', 'Cache-Control': 'no-store' },
  });
}

async function handle(request: Request, env: WorkerEnv, ctx: ExecutionContext) {
  const databaseUrl = env.HYPERDRIVE?.connectionString;
  let shared: Isolate;
  try {
    if (!databaseUrl) throw new ConfigError('the HYPERDRIVE binding is missing (wrangler.toml)');
    shared = await isolateFor(env, databaseUrl);
  } catch (err) {
    return unavailable(err);
  }

  const current = new RequestScope(databaseUrl, shared);
  try {
    return await runInScope(current, () => shared.app.fetch(request, env, ctx));
  } finally {
    ctx.waitUntil(
      current.finish().catch((err: unknown) => {
        shared.logger.error('request cleanup failed', { err: String(err) });
      }),
    );
  }
}

// biome-ignore lint/style/noDefaultExport: Workers require a default export
export default { fetch: handle };
