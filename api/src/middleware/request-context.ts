import { newId } from '@tuike/core';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../context';
import type { Deps } from '../deps';

/** Extracts the caller's IP: from the proxy header when configured to trust it, else the socket. */
export type ClientIpReader = (c: Parameters<MiddlewareHandler<AppEnv>>[0]) => string | undefined;

/**
 * First middleware of every request: binds dependencies, a request id, the client IP and a
 * request logger; after the response, records one access-log line and the latency metric.
 */
export function requestContext(deps: Deps, socketIp: ClientIpReader): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    const requestId = newId('request');
    const forwarded = deps.config.trustProxy
      ? c.req.header('x-forwarded-for')?.split(',')[0]?.trim()
      : undefined;
    const ip = forwarded || socketIp(c) || 'unknown';
    const logger = deps.logger.child({ requestId });

    c.set('deps', deps);
    c.set('requestId', requestId);
    c.set('ip', ip);
    c.set('logger', logger);
    c.set('principal', undefined);
    c.header('X-Request-Id', requestId);

    await next();

    const seconds = (performance.now() - started) / 1000;
    const route = c.req.routePath || 'unmatched';
    deps.metrics.observeRequest({ method: c.req.method, route, status: c.res.status }, seconds);
    const fields = {
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round(seconds * 1000),
    };
    if (c.res.status >= 500) c.get('logger').error('request failed', fields);
    else c.get('logger').info('request', fields);
  };
}
