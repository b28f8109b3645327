import type { Context, ErrorHandler, MiddlewareHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { AppEnv } from '../context';
import { ApiError, toProblem } from '../lib/errors';

export function problemResponse(c: Context<AppEnv>, error: ApiError): Response {
  const body = toProblem(error, c.get('requestId') ?? 'unknown');
  const headers: Record<string, string> = {
    'Content-Type': 'application/problem+json',
    ...error.headers,
  };
  return c.newResponse(JSON.stringify(body), error.status as 400, headers);
}

/** Postgres errors that are the client's fault when they escape a service. */
function fromDatabaseError(err: unknown): ApiError | null {
  const code =
    (err as { code?: unknown; cause?: { code?: unknown } })?.code ??
    (err as { cause?: { code?: unknown } })?.cause?.code;
  if (code === '23505')
    return new ApiError(
      'conflict',
      'a record with the same unique value already exists / 数据重复',
    );
  if (code === '23503')
    return new ApiError(
      'conflict',
      'the change refers to, or is referred to by, another record / 存在关联数据',
    );
  if (code === '22P02' || code === '22003' || code === '23514') {
    return new ApiError(
      'validation_failed',
      'a value is out of range or of the wrong form / 数值无效',
    );
  }
  return null;
}

/**
 * The one place errors become responses: ApiError as it says, framework errors by status,
 * anything else a logged 500 with a generic body (no stack, no SQL).
 */
export const handleError: ErrorHandler<AppEnv> = (err, c) => {
  if (err instanceof ApiError) return problemResponse(c, err);
  if (err instanceof HTTPException) {
    const status = err.status;
    const code =
      status === 413 ? 'payload_too_large' : status === 401 ? 'unauthorized' : 'bad_request';
    const detail =
      status === 400 && /json/i.test(err.message)
        ? 'the request body is not valid JSON / 请求体不是合法的 JSON'
        : err.message || 'the request could not be processed';
    return problemResponse(c, new ApiError(status >= 500 ? 'internal' : code, detail));
  }
  const mapped = fromDatabaseError(err);
  if (mapped) {
    c.get('logger')?.info('database refused a change', { err: String(err) });
    return problemResponse(c, mapped);
  }
  c.get('logger')?.error('unhandled error', {
    err:
      err instanceof Error
        ? { name: err.name, message: err.message, stack: err.stack }
        : String(err),
  });
  return problemResponse(
    c,
    new ApiError(
      'internal',
      'something went wrong on our side; quote the request id / 服务器内部错误',
    ),
  );
};

export const handleNotFound: NotFoundHandler<AppEnv> = (c) =>
  problemResponse(
    c,
    new ApiError('not_found', `no route for ${c.req.method} ${c.req.path} / 路径不存在`),
  );

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);
const JSON_TYPE = /^application\/([a-z0-9.+-]*\+)?json\s*(;|$)/i;

/**
 * A request that carries a body must say it is JSON. Anything else is refused with 400 before
 * a handler runs, so a form post or a stray text body can never pass as an empty object.
 */
export const requireJsonBody: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!BODY_METHODS.has(c.req.method)) return next();
  const type = c.req.header('content-type') ?? '';
  if (JSON_TYPE.test(type)) return next();
  const text = await c.req.text();
  if (text.length > 0) {
    throw new ApiError('bad_request', 'Content-Type must be application/json / 请求体须为 JSON', {
      errors: [
        { path: 'Content-Type', message: `expected application/json, got ${type || 'none'}` },
      ],
    });
  }
  await next();
};

/**
 * Reads a write's body as text before any validator parses it, so the handler can still see
 * the exact bytes (a signed postback is verified on them); the JSON parse reuses the text.
 */
export const keepRawBody: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (BODY_METHODS.has(c.req.method)) await c.req.text();
  await next();
};
