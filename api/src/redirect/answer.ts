import { newId } from '@tuike/core';
import type { RedirectTarget } from '@tuike/db';
import type { Clock } from '../deps';
import type { ClickRecorder } from './click-recorder';
import { createInterner } from './interner';
import type { LinkResolver } from './link-resolver';

export const VISITOR_COOKIE = 'tk_v';
/** What a short code may look like; anything else is a 404 without a lookup. */
export const CODE_PATTERN = /^[A-Za-z0-9_-]{4,32}$/;
const VISITOR = /^[A-Za-z0-9_-]{8,40}$/;

const NOT_FOUND_PAGE = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex"><title>链接无效 Link not found</title><style>body{font:16px/1.6 system-ui,sans-serif;display:grid;place-items:center;min-height:90vh;margin:0;color:#1f2937;background:#f9fafb}main{text-align:center;padding:24px}h1{font-size:20px;margin:0 0 8px}p{margin:0;color:#6b7280}</style></head><body><main><h1>链接无效或已过期</h1><p>This link does not exist, has been disabled or has expired.</p></main></body></html>`;

const UNAVAILABLE_PAGE = NOT_FOUND_PAGE.replace(
  '链接无效或已过期',
  '服务暂不可用，请稍后再试',
).replace(
  'This link does not exist, has been disabled or has expired.',
  'The service is briefly unavailable. Please try again.',
);

/** One visit to `/r/:code`, read from the request by whichever runtime serves it. */
export interface RedirectVisit {
  method: 'GET' | 'HEAD';
  code: string;
  cookie: string | undefined;
  userAgent: string | undefined;
  referrer: string | undefined;
  /** The visitor's address: the first forwarded hop behind a trusted proxy, else the socket. */
  ip: string | undefined;
  /** Whether the visitor reached us over https (the cookie is then Secure). */
  secure: boolean;
}

/** Status, headers and body, for the runtime to write out as it likes. */
export interface RedirectAnswer {
  status: 302 | 404 | 503;
  headers: Record<string, string>;
  body: string | null;
}

function page(html: string, status: 404 | 503): RedirectAnswer {
  return {
    status,
    body: html,
    headers: {
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Robots-Tag': 'noindex',
      'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'",
    },
  };
}

/** The visitor id from our cookie, when the browser sent a well-formed one. */
function visitorFrom(cookieHeader: string | undefined): string | null {
  if (!cookieHeader) return null;
  const at = cookieHeader.indexOf(`${VISITOR_COOKIE}=`);
  if (at < 0 || (at > 0 && cookieHeader[at - 1] !== ' ' && cookieHeader[at - 1] !== ';'))
    return null;
  const start = at + VISITOR_COOKIE.length + 1;
  const end = cookieHeader.indexOf(';', start);
  const value = cookieHeader.slice(start, end < 0 ? undefined : end).trim();
  return VISITOR.test(value) ? value : null;
}

/**
 * The destination split around where the click id goes, computed once per target: the URL API
 * does the parsing (and drops a click-id parameter the destination may already carry); each
 * redirect then only joins strings. Click ids and parameter names need no escaping.
 */
interface LocationTemplate {
  head: string;
  tail: string;
}
const templates = new WeakMap<RedirectTarget, LocationTemplate>();

function locationTemplate(target: RedirectTarget): LocationTemplate {
  let template = templates.get(target);
  if (!template) {
    const url = new URL(target.destination);
    url.searchParams.delete(target.clickIdParam);
    const hash = url.hash;
    url.hash = '';
    const base = url.href;
    template = {
      head: `${base}${url.search ? '&' : base.endsWith('?') ? '' : '?'}${target.clickIdParam}=`,
      tail: hash,
    };
    templates.set(target, template);
  }
  return template;
}

function isLive(target: RedirectTarget | null, now: number): target is RedirectTarget {
  if (!target?.active) return false;
  return target.expiresAt === null || Date.parse(target.expiresAt) > now;
}

export interface RedirectAnswererDeps {
  linkResolver: LinkResolver;
  clickRecorder: ClickRecorder;
  clock: Clock;
}

/**
 * The redirect, runtime-neutral: resolves the code through the caches and answers a 302 to the
 * stored destination with a click id appended, sets the visitor cookie and queues the click.
 * It never waits for Postgres or Redis on a warm cache, and never redirects anywhere but the
 * stored destination: nothing of the request reaches the Location header but the code.
 */
export function createRedirectAnswerer(deps: RedirectAnswererDeps) {
  const { linkResolver, clickRecorder, clock } = deps;
  const userAgents = createInterner();
  const referrers = createInterner();

  function answerFor(visit: RedirectVisit, target: RedirectTarget | null): RedirectAnswer {
    const now = clock.now().getTime();
    if (!isLive(target, now)) return page(NOT_FOUND_PAGE, 404);

    const clickId = newId('click', now);
    const knownVisitor = visitorFrom(visit.cookie);
    const visitorId = knownVisitor ?? newId('click', now).slice(4);
    const template = locationTemplate(target);
    const maxAge = target.attributionWindowDays * 86_400;

    if (visit.method === 'GET') {
      clickRecorder.record({
        tenantId: target.tenantId,
        id: clickId,
        clickedAt: now,
        linkId: target.linkId,
        promoterId: target.promoterId,
        source: 'redirect',
        visitorId,
        newVisitor: knownVisitor === null,
        ip: visit.ip || 'unknown',
        userAgent: userAgents(visit.userAgent?.slice(0, 512)) ?? null,
        referrer: referrers(visit.referrer?.slice(0, 1024)) ?? null,
        timeZone: target.timeZone,
        ipSalt: target.ipSalt,
      });
    }

    return {
      status: 302,
      body: null,
      headers: {
        Location: `${template.head}${clickId}${template.tail}`,
        'Set-Cookie': `${VISITOR_COOKIE}=${visitorId}; Max-Age=${maxAge}; Path=/; HttpOnly; SameSite=Lax${visit.secure ? '; Secure' : ''}`,
        'Cache-Control': 'no-store',
        'X-Robots-Tag': 'noindex',
      },
    };
  }

  /**
   * The answer, synchronously when the in-process cache knows the code (nearly every visit):
   * no promise to allocate or await on the hot path. A promise when the code must be looked up.
   */
  return function answer(visit: RedirectVisit): RedirectAnswer | Promise<RedirectAnswer> {
    if (!CODE_PATTERN.test(visit.code)) return page(NOT_FOUND_PAGE, 404);
    const known = linkResolver.peek(visit.code);
    if (known !== undefined) return answerFor(visit, known);
    return linkResolver.resolve(visit.code).then(
      (target) => answerFor(visit, target),
      () => page(UNAVAILABLE_PAGE, 503),
    );
  };
}

export type RedirectAnswerer = ReturnType<typeof createRedirectAnswerer>;
