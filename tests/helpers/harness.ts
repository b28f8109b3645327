import { readFile } from 'node:fs/promises';
import type { Database } from '@tuike/db';
import { createNodePostgresDatabase } from '@tuike/db/node';
import { createPgliteDatabase } from '@tuike/db/pglite';
import { createTuikeClient, type TuikeClient } from '@tuike/sdk';
import postgres from 'postgres';
import { inject } from 'vitest';
import { type App, createApp } from '../../api/src/app';
import { type Config, loadConfig } from '../../api/src/config';
import type { Clock, Deps } from '../../api/src/deps';
import { createMemoryLimiter, type RateLimiter } from '../../api/src/lib/limiter';
import { silentLogger } from '../../api/src/lib/logger';
import { noopMetrics } from '../../api/src/lib/metrics';
import { qrPng } from '../../api/src/lib/qr';
import { createSecretBox, generateSecretsKey } from '../../api/src/lib/secret-box';
import { createSettingsCache } from '../../api/src/lib/settings-cache';
import { generateSigningKey, loadTokenKeys } from '../../api/src/lib/tokens';
import { createDevelopmentWechat } from '../../api/src/lib/wechat';
import { createRedirectServices, type RedirectServiceOptions } from '../../api/src/redirect';

const BASE = 'http://tuike.test';

/** A clock tests can move. */
export class TestClock implements Clock {
  private offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

export interface Harness {
  app: App;
  deps: Deps;
  database: Database;
  /** The per-file Postgres database's URL (null on PGlite), for a second connection. */
  databaseUrl: string | null;
  clock: TestClock;
  /** A typed client acting with `token` (an access token or API key), or anonymously. */
  client(token?: string): TuikeClient;
  /** A raw request through the app, for what the typed client will not send. */
  request(path: string, init?: RequestInit & { token?: string }): Promise<Response>;
  /** A new tenant with its owner signed in. */
  signup(name?: string): Promise<Tenant>;
  close(): Promise<void>;
}

export interface Tenant {
  tenantId: string;
  ownerId: string;
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
  owner: TuikeClient;
}

let databaseCounter = 0;

async function openTestDatabase(): Promise<{
  database: Database;
  url: string | null;
  drop: () => Promise<void>;
}> {
  const templateUrl = inject('pgTemplateUrl');
  if (!templateUrl) {
    const file = inject('pgliteDumpFile');
    if (!file) throw new Error('global setup provided no database');
    const dump = new Blob([await readFile(file)]);
    const database = await createPgliteDatabase({ loadDataDir: dump });
    return { database, url: null, drop: async () => {} };
  }
  const template = new URL(templateUrl).pathname.slice(1);
  const name = `${inject('pgRunPrefix')}${process.pid}_${++databaseCounter}`;
  const adminUrl = new URL(templateUrl);
  adminUrl.pathname = '/postgres';
  const admin = postgres(adminUrl.toString(), { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}" template "${template}"`);
  const url = new URL(templateUrl);
  url.pathname = `/${name}`;
  const database = createNodePostgresDatabase({ url: url.toString(), max: 5 });
  return {
    database,
    url: url.toString(),
    drop: async () => {
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end();
    },
  };
}

export interface HarnessOptions {
  config?: Partial<Config>;
  limiter?: RateLimiter;
  redirect?: Partial<RedirectServiceOptions>;
}

/** One app over one fresh database, for one test file. */
export async function createHarness(options: HarnessOptions = {}): Promise<Harness> {
  const { database, url: databaseUrl, drop } = await openTestDatabase();
  const clock = new TestClock();
  const config: Config = {
    ...loadConfig({ NODE_ENV: 'test' }),
    openSignup: true,
    trustProxy: true,
    ...options.config,
  };
  const limiter = options.limiter ?? createMemoryLimiter();
  const redirect = createRedirectServices({
    database,
    limiter,
    logger: silentLogger,
    metrics: noopMetrics,
    ...options.redirect,
  });
  await redirect.linkResolver.start();
  const settings = createSettingsCache({ database, logger: silentLogger });
  await settings.start();
  const deps: Deps = {
    settings,
    config,
    database,
    limiter,
    logger: silentLogger,
    metrics: noopMetrics,
    ...redirect,
    clock,
    wechat: createDevelopmentWechat(qrPng),
    tokenKeys: await loadTokenKeys((await generateSigningKey()).privateJwk, config.jwtIssuer),
    secretBox: await createSecretBox(generateSecretsKey()),
    // Cheap hashes keep tests fast; the production cost is tested in password.test.ts.
    passwordParams: { N: 2 ** 12, r: 8, p: 1 },
    readiness: [],
  };
  const app = createApp(deps);
  const appFetch = (request: Request) => Promise.resolve(app.fetch(request));
  const client = (token?: string) =>
    createTuikeClient({ baseUrl: BASE, fetch: appFetch, ...(token ? { token } : {}) });
  let signups = 0;

  return {
    app,
    deps,
    database,
    databaseUrl,
    clock,
    client,
    request: (path, init = {}) => {
      const { token, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (token) headers.set('Authorization', `Bearer ${token}`);
      return Promise.resolve(app.fetch(new Request(`${BASE}${path}`, { ...rest, headers })));
    },
    signup: async (name) => {
      signups++;
      const email = `owner${signups}.${Date.now().toString(36)}@example.com`;
      const password = 'correct horse battery staple';
      const { data, error } = await client().POST('/v1/tenants', {
        body: { name: name ?? `Tenant ${signups}`, owner: { email, password } },
        headers: { 'X-Forwarded-For': `10.9.${signups % 250}.1` },
      });
      if (!data) throw new Error(`signup failed: ${JSON.stringify(error)}`);
      return {
        tenantId: data.tenant.id,
        ownerId: data.owner.id,
        email,
        password,
        accessToken: data.tokens.accessToken,
        refreshToken: data.tokens.refreshToken,
        owner: client(data.tokens.accessToken),
      };
    },
    close: async () => {
      await redirect.linkResolver.stop();
      await redirect.clickRecorder.stop();
      await settings.stop();
      await database.close();
      await drop();
    },
  };
}
