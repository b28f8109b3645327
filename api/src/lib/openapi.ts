import { createRoute, OpenAPIHono, type RouteConfig, z } from '@hono/zod-openapi';
import {
  CURRENCY_CODES,
  ID_PREFIXES,
  type IdKind,
  MINOR_UNITS_PATTERN,
  type Permission,
  parseMinorUnits,
} from '@tuike/core';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../context';
import { authorize } from '../middleware/auth';
import { ApiError, type FieldError } from './errors';

function issuePath(path: PropertyKey[]): string {
  return path.map((p) => String(p)).join('.') || '(body)';
}

/** zod issues → the `errors` array of a validation problem. */
export function fieldErrors(error: z.ZodError, prefix?: string): FieldError[] {
  return error.issues.map((issue) => {
    const path = issuePath(issue.path);
    return {
      path: prefix ? `${prefix}.${path}`.replace(/\.\(body\)$/, '') : path,
      message: issue.message,
    };
  });
}

/** A router whose validation failures become 400 problem+json naming each bad field. */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result, _c) => {
      if (result.success) return;
      const where = result.target === 'json' ? undefined : result.target;
      const errors = fieldErrors(result.error, where);
      const first = errors[0];
      throw new ApiError(
        'validation_failed',
        first ? `${first.path}: ${first.message}` : 'the request is not valid',
        { errors },
      );
    },
  });
}

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string(),
    requestId: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .openapi('Problem');

export const MinorUnits = z
  .string()
  .regex(MINOR_UNITS_PATTERN, 'must be a whole number of minor units, as a string')
  // Only a well-formed amount can be too large: a malformed one gets one message, not two.
  .refine(
    (v) => !MINOR_UNITS_PATTERN.test(v) || parseMinorUnits(v) !== null,
    'must be at most 10^15 minor units',
  )
  .openapi({
    example: '1999',
    description: 'Amount in the minor unit of the currency (分 for CNY)',
  });

export const CurrencySchema = z.enum(CURRENCY_CODES).openapi({ example: 'CNY' });

export const MoneySchema = z
  .strictObject({ amount: MinorUnits, currency: CurrencySchema })
  .openapi('Money');

/** An ISO 8601 instant with its offset in a request, as a Date. */
export const Instant = z.iso
  .datetime({ offset: true, message: 'must be an ISO 8601 date-time, e.g. 2026-12-03T08:00:00Z' })
  .transform((v) => new Date(v))
  .openapi({ type: 'string', format: 'date-time', example: '2026-12-03T08:00:00Z' });

/** A trimmed, non-empty label of at most `max` characters, without control characters. */
export const Text = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max)
    .regex(/^[^\p{Cc}\p{Cf}]*$/u, 'must not contain control characters');

export const Timestamp = z
  .string()
  .openapi({ format: 'date-time', example: '2026-12-03T08:00:00Z' });

/** A prefixed id in a path or body. */
export function idOf(kind: IdKind) {
  const prefix = ID_PREFIXES[kind];
  return z
    .string()
    .min(prefix.length + 2)
    .max(64)
    .regex(new RegExp(`^${prefix}_[0-9a-z]+$`), `must be a ${prefix}_ id`)
    .openapi({ example: `${prefix}_01jd7s5m3q8x0f4k2v9w6tbz3c` });
}

export function idParams(kind: IdKind) {
  return z.object({ id: idOf(kind).openapi({ param: { name: 'id', in: 'path' } }) });
}

export const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(64).optional(),
});

export function listOf<T extends z.ZodType>(item: T) {
  return z.object({ data: z.array(item), nextCursor: z.string().nullable() });
}

export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
});

/** A documented problem+json answer. */
export const problemOf = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ProblemSchema } },
});

export const ok = <T extends z.ZodType>(schema: T, description = 'OK') => ({
  description,
  content: { 'application/json': { schema } },
});

type Method = 'get' | 'post' | 'patch' | 'put' | 'delete';

interface Spec<R extends Omit<RouteConfig, 'method' | 'path'>> {
  method: Method;
  path: string;
  tag: string;
  summary: string;
  /** The permission the route needs; `null` for any signed-in principal; `'public'` for none. */
  permission: Permission | null | 'public';
  /** Also open to promoters' own tokens (the mini-program); the handler limits them to their own. */
  promoters?: boolean;
  route: R;
}

/**
 * Declares a route: its schemas, the permission it needs (enforced by middleware and written
 * into the OpenAPI document as `x-permission`), and the problem responses every route has.
 */
export function defineRoute<R extends Omit<RouteConfig, 'method' | 'path'>>(spec: Spec<R>) {
  const secured = spec.permission !== 'public';
  const middleware: MiddlewareHandler[] = secured
    ? [
        authorize(spec.permission === 'public' ? null : spec.permission, {
          promoters: spec.promoters === true,
        }),
      ]
    : [];
  const responses = {
    400: problemOf('The request is malformed or fails validation'),
    ...(secured
      ? {
          401: problemOf('Missing or invalid credentials'),
          403: problemOf('The principal lacks the permission'),
        }
      : {}),
    429: problemOf('Too many requests'),
    ...spec.route.responses,
  };
  return createRoute({
    ...spec.route,
    method: spec.method,
    path: spec.path,
    tags: [spec.tag],
    summary: spec.summary,
    middleware,
    responses,
    ...(secured ? { security: [{ bearer: [] }] } : {}),
    'x-permission': spec.permission,
    ...(spec.promoters ? { 'x-promoters': true } : {}),
  } as R & { method: Method; path: string; responses: R['responses'] });
}
