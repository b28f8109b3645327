import { cors } from 'hono/cors';
import { secureHeaders } from 'hono/secure-headers';
import type { Deps } from './deps';
import { ApiError } from './lib/errors';
import { createRouter } from './lib/openapi';
import { bodyLimit } from './middleware/body-limit';
import { handleError, handleNotFound, keepRawBody, requireJsonBody } from './middleware/errors';
import { type ClientIpReader, requestContext } from './middleware/request-context';
import { apiKeyRoutes } from './routes/api-keys';
import { auditLogRoutes } from './routes/audit-log';
import { authRoutes } from './routes/auth';
import { bindingRoutes } from './routes/bindings';
import { conversionRoutes } from './routes/conversions';
import { docsRoutes } from './routes/docs';
import { healthRoutes } from './routes/health';
import { linkRoutes } from './routes/links';
import { promoterAuthRoutes } from './routes/promoter-auth';
import { promoterRoutes } from './routes/promoters';
import { type HeaderReader, redirectRoutes } from './routes/redirect';
import { roleRoutes } from './routes/roles';
import { ruleSetRoutes } from './routes/rule-sets';
import { statsRoutes } from './routes/stats';
import { stripeRoutes } from './routes/stripe';
import { tenantRoutes } from './routes/tenants';
import { tierRoutes } from './routes/tiers';
import { userRoutes } from './routes/users';
import { visitRoutes } from './routes/visits';

export interface AppOptions {
  /** Reads the socket address; runtime-specific, so the entry file provides it. */
  socketIp?: ClientIpReader;
  /** A faster header reader for the redirect, where the runtime has one. */
  readHeader?: HeaderReader;
}

export const API_VERSION = '0.1.0';

/** Builds the Tuike HTTP app from its dependencies. Runtime-neutral: no Node or Workers APIs. */
export function createApp(deps: Deps, options: AppOptions = {}) {
  const app = createRouter();
  const socketIp = options.socketIp ?? (() => undefined);

  // The redirect comes first and alone: none of the API middleware runs on the hot path.
  app.route('/', redirectRoutes(deps, socketIp, options.readHeader));

  app.use('*', requestContext(deps, socketIp));
  app.use('*', secureHeaders({ crossOriginResourcePolicy: 'same-site' }));
  if (deps.config.corsOrigins.length > 0) {
    app.use(
      '/v1/*',
      cors({
        origin: deps.config.corsOrigins,
        allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key'],
        exposeHeaders: ['X-Request-Id', 'Retry-After', 'RateLimit', 'RateLimit-Policy'],
        maxAge: 600,
      }),
    );
  }
  app.use(
    '*',
    bodyLimit({
      maxSize: deps.config.bodyLimitBytes,
      onError: () => {
        throw new ApiError(
          'payload_too_large',
          `the request body exceeds ${deps.config.bodyLimitBytes} bytes / 请求体过大`,
        );
      },
    }),
  );
  app.use('/v1/*', requireJsonBody);
  app.use('/t/*', requireJsonBody);
  app.use('/v1/conversions', keepRawBody);
  app.use('/v1/conversions/*', keepRawBody);

  app.route('/', healthRoutes);
  app.route('/', authRoutes);
  app.route('/', promoterAuthRoutes);
  app.route('/', tenantRoutes);
  app.route('/', userRoutes);
  app.route('/', roleRoutes);
  app.route('/', apiKeyRoutes);
  app.route('/', auditLogRoutes);
  app.route('/', tierRoutes);
  app.route('/', promoterRoutes);
  app.route('/', ruleSetRoutes);
  app.route('/', linkRoutes);
  app.route('/', statsRoutes);
  app.route('/', conversionRoutes);
  app.route('/', stripeRoutes);
  app.route('/', bindingRoutes);
  app.route('/', visitRoutes);
  app.route('/', docsRoutes);

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'An access token from /v1/auth/login, or an API key (tk_…) for merchant servers',
  });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Tuike API',
      version: API_VERSION,
      description:
        'Tuike (推客): affiliate and referral distribution. Money is a string of minor units.',
    },
  });

  app.get('/metrics', async (c) => {
    const token = deps.config.metricsToken;
    const given = c.req.header('authorization');
    if (!token || given !== `Bearer ${token}`)
      throw new ApiError('not_found', 'no route for GET /metrics');
    const rendered = await deps.metrics.render();
    if (!rendered) throw new ApiError('not_found', 'this runtime keeps no metrics');
    return c.body(rendered.body, 200, { 'Content-Type': rendered.contentType });
  });

  app.onError(handleError);
  app.notFound(handleNotFound);
  return app;
}

export type App = ReturnType<typeof createApp>;
