import { Hono } from 'hono';
import type { AppContext, AppEnv } from '../context';
import type { Deps } from '../deps';
import type { ClientIpReader } from '../middleware/request-context';
import { createRedirectAnswerer, type RedirectVisit } from '../redirect/answer';

/** Reads request headers; the Node entry passes one that skips building a Headers object. */
export type HeaderReader = (c: AppContext, name: string) => string | undefined;

/** The visit as Hono sees the request (any runtime). */
export function visitFromContext(
  c: AppContext,
  trustProxy: boolean,
  socketIp: ClientIpReader,
  header: HeaderReader,
): RedirectVisit {
  const forwardedProto = trustProxy ? header(c, 'x-forwarded-proto') : undefined;
  const forwardedFor = trustProxy ? header(c, 'x-forwarded-for')?.split(',')[0]?.trim() : '';
  return {
    method: c.req.method === 'HEAD' ? 'HEAD' : 'GET',
    code: c.req.param('code') ?? '',
    cookie: header(c, 'cookie'),
    userAgent: header(c, 'user-agent'),
    referrer: header(c, 'referer'),
    ip: forwardedFor || socketIp(c),
    secure: forwardedProto ? forwardedProto === 'https' : c.req.url.startsWith('https:'),
  };
}

/**
 * GET /r/:code — the hot path (see redirect/answer.ts). The Node entry answers these requests
 * before they reach Hono; this route serves them on Workers and wherever the app is fetched.
 */
export function redirectRoutes(deps: Deps, socketIp: ClientIpReader, readHeader?: HeaderReader) {
  const answer = createRedirectAnswerer(deps);
  const header: HeaderReader = readHeader ?? ((c, name) => c.req.header(name));

  return new Hono<AppEnv>().on(['GET', 'HEAD'], '/r/:code', async (c) => {
    const { status, headers, body } = await answer(
      visitFromContext(c, deps.config.trustProxy, socketIp, header),
    );
    return new Response(body, { status, headers });
  });
}
