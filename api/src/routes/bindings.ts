import { z } from '@hono/zod-openapi';
import type { BindingRow, CouponRow } from '@tuike/db';
import { actorOf, principalOf } from '../context';
import {
  createRouter,
  defineRoute,
  Instant,
  idOf,
  jsonBody,
  ListQuery,
  listOf,
  ok,
  problemOf,
  Timestamp,
} from '../lib/openapi';
import { changeBinding, createCoupon, listBindings, listCoupons } from '../services/bindings';

const CustomerRef = z
  .string()
  .trim()
  .min(1)
  .max(256)
  .regex(/^[^\p{Cc}\p{Cf}]*$/u, 'must not contain control characters');

const BindingSchema = z
  .object({
    customerRef: z.string(),
    promoterId: z.string(),
    source: z.enum(['first_click', 'first_conversion', 'transfer']),
    active: z.boolean(),
    boundAt: Timestamp,
    expiresAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi('CustomerBinding');

const bindingJson = (b: BindingRow): z.infer<typeof BindingSchema> => ({
  customerRef: b.customerRef,
  promoterId: b.promoterId,
  source: b.source,
  active: b.active,
  boundAt: b.boundAt.toISOString(),
  expiresAt: b.expiresAt.toISOString(),
  updatedAt: b.updatedAt.toISOString(),
});

const ChangeBindingBody = z
  .strictObject({
    promoterId: idOf('promoter').openapi({ description: 'Who the customer is bound to now' }),
    expiresAt: Instant.optional(),
    active: z.boolean().optional().openapi({ description: 'false ends the binding' }),
    reason: z.string().trim().min(1).max(500).openapi({ description: 'Kept in the audit log' }),
  })
  .openapi('ChangeBinding');

const CouponSchema = z
  .object({ code: z.string(), promoterId: z.string(), active: z.boolean(), createdAt: Timestamp })
  .openapi('Coupon');

const couponJson = (c: CouponRow): z.infer<typeof CouponSchema> => ({
  code: c.code,
  promoterId: c.promoterId,
  active: c.active,
  createdAt: c.createdAt.toISOString(),
});

const CreateCouponBody = z
  .strictObject({
    code: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9_-]{3,40}$/, 'must be 3 to 40 letters, digits, _ or -')
      .openapi({ description: 'Compared case-insensitively; stored in upper case' }),
    promoterId: idOf('promoter'),
  })
  .openapi('CreateCoupon');

const listRoute = defineRoute({
  method: 'get',
  path: '/v1/bindings',
  tag: 'Attribution',
  summary: 'Customer bindings (锁客) / 锁客关系',
  permission: 'conversions:read',
  route: {
    request: {
      query: ListQuery.extend({
        promoterId: idOf('promoter').optional(),
        customerRef: CustomerRef.optional(),
      }),
    },
    responses: { 200: ok(listOf(BindingSchema)) },
  },
});

const changeRoute = defineRoute({
  method: 'patch',
  path: '/v1/bindings/{customerRef}',
  tag: 'Attribution',
  summary: 'Transfer, extend or end a customer binding / 转移锁客关系',
  permission: 'promoters:write',
  route: {
    request: {
      params: z.object({
        customerRef: CustomerRef.openapi({ param: { name: 'customerRef', in: 'path' } }),
      }),
      body: jsonBody(ChangeBindingBody),
    },
    responses: {
      200: ok(BindingSchema),
      404: problemOf('The customer has no binding in the tenant'),
    },
  },
});

const couponListRoute = defineRoute({
  method: 'get',
  path: '/v1/coupons',
  tag: 'Attribution',
  summary: 'Promoters’ coupon codes / 推客优惠码',
  permission: 'promoters:read',
  route: {
    request: { query: z.object({ promoterId: idOf('promoter').optional() }) },
    responses: { 200: ok(listOf(CouponSchema)) },
  },
});

const couponCreateRoute = defineRoute({
  method: 'post',
  path: '/v1/coupons',
  tag: 'Attribution',
  summary: 'Give a promoter a coupon code / 创建推客优惠码',
  permission: 'promoters:write',
  route: {
    request: { body: jsonBody(CreateCouponBody) },
    responses: { 201: ok(CouponSchema, 'Created'), 409: problemOf('The code is taken') },
  },
});

export const bindingRoutes = createRouter()
  // GET /v1/bindings
  .openapi(listRoute, async (c) => {
    const { limit, cursor, ...filter } = c.req.valid('query');
    const page = await listBindings(c.get('deps'), principalOf(c).tenantId, filter, {
      limit,
      after: cursor,
    });
    return c.json({ data: page.data.map(bindingJson), nextCursor: page.nextCursor }, 200);
  })
  // PATCH /v1/bindings/{customerRef}: audit logged with the reason.
  .openapi(changeRoute, async (c) => {
    const { customerRef } = c.req.valid('param');
    const binding = await changeBinding(
      c.get('deps'),
      actorOf(c),
      customerRef,
      c.req.valid('json'),
    );
    return c.json(bindingJson(binding), 200);
  })
  // GET /v1/coupons
  .openapi(couponListRoute, async (c) => {
    const { promoterId } = c.req.valid('query');
    const rows = await listCoupons(c.get('deps'), principalOf(c).tenantId, promoterId);
    return c.json({ data: rows.map(couponJson), nextCursor: null }, 200);
  })
  // POST /v1/coupons
  .openapi(couponCreateRoute, async (c) => {
    const coupon = await createCoupon(c.get('deps'), actorOf(c), c.req.valid('json'));
    return c.json(couponJson(coupon), 201);
  });
