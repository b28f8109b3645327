import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit as streamingBodyLimit } from 'hono/body-limit';
import type { AppEnv } from '../context';

export interface BodyLimitOptions {
  maxSize: number;
  onError: (c: Context<AppEnv>) => Response | Promise<Response>;
}

/**
 * Refuses request bodies over `maxSize` bytes. A body with a Content-Length is judged by that
 * header alone (Node's parser holds the body to it). Hono's own middleware asks for the body
 * stream first, and on Node that makes the adapter build a whole fetch Request (a web stream
 * and an abort controller) for every request with a body, about 5 % of the server's CPU per
 * postback. Bodies without a length (chunked) are counted by Hono's as they stream in.
 */
export function bodyLimit(options: BodyLimitOptions): MiddlewareHandler<AppEnv> {
  const streaming = streamingBodyLimit(options);
  return async (c, next) => {
    const method = c.req.method;
    // Fetch gives these no body; Hono's middleware lets them through for the same reason.
    if (method === 'GET' || method === 'HEAD') return next();
    const length = c.req.header('content-length');
    if (length !== undefined && c.req.header('transfer-encoding') === undefined) {
      if (Number.parseInt(length, 10) > options.maxSize) return options.onError(c);
      return next();
    }
    return streaming(c, next);
  };
}
