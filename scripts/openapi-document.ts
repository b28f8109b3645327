import { createApp } from '../api/src/app';
import { loadConfig } from '../api/src/config';
import type { Deps } from '../api/src/deps';
import { systemClock } from '../api/src/deps';
import { createMemoryLimiter } from '../api/src/lib/limiter';
import { silentLogger } from '../api/src/lib/logger';
import { noopMetrics } from '../api/src/lib/metrics';
import { qrPng } from '../api/src/lib/qr';
import { unavailableSecretBox } from '../api/src/lib/secret-box';
import { uncachedSettings } from '../api/src/lib/settings-cache';
import { generateSigningKey, loadTokenKeys } from '../api/src/lib/tokens';
import { createDevelopmentWechat } from '../api/src/lib/wechat';
import { createRedirectServices } from '../api/src/redirect';

/** The OpenAPI document, built from the route schemas without any database. */
export async function openApiDocument(): Promise<Record<string, unknown>> {
  const unused = () => {
    throw new Error('the document build touches no database');
  };
  const database: Deps['database'] = {
    kind: 'pglite',
    db: {} as Deps['database']['db'],
    rows: unused,
    ping: unused,
    listen: unused,
    close: unused,
  };
  const deps: Deps = {
    config: loadConfig({}),
    database,
    limiter: createMemoryLimiter(),
    logger: silentLogger,
    metrics: noopMetrics,
    clock: systemClock,
    wechat: createDevelopmentWechat(qrPng),
    tokenKeys: await loadTokenKeys((await generateSigningKey()).privateJwk, 'tuike'),
    // Cheap hashes keep tests fast; the production cost is tested in password.test.ts.
    secretBox: unavailableSecretBox('the document build stores no secret'),
    passwordParams: { N: 2 ** 12, r: 8, p: 1 },
    readiness: [],
    settings: uncachedSettings,
    ...createRedirectServices({
      database,
      limiter: createMemoryLimiter(),
      logger: silentLogger,
      metrics: noopMetrics,
    }),
  };
  const res = await createApp(deps).request('/openapi.json');
  return (await res.json()) as Record<string, unknown>;
}
