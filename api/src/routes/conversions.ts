import { z } from '@hono/zod-openapi';
import {
  type Currency,
  describeHold,
  type FraudReason,
  type FraudReasonCode,
  parseMinorUnits,
} from '@tuike/core';
import type { CommissionRow, ConversionRow, RefundRow } from '@tuike/db';
import { type AppContext, actorOf, principalId, principalOf } from '../context';
import { ApiError } from '../lib/errors';
import {
  CurrencySchema,
  createRouter,
  defineRoute,
  Instant,
  idOf,
  idParams,
  jsonBody,
  ListQuery,
  listOf,
  MinorUnits,
  MoneySchema,
  ok,
  problemOf,
  Text,
  Timestamp,
} from '../lib/openapi';
import {
  type ConversionDetail,
  cancelConversion,
  decideReview,
  getConversionDetail,
  linesOfConversions,
  listConversions,
  recordConversion,
  refundConversion,
} from '../services/conversions';
import {
  type Guard,
  IDEMPOTENCY_KEY_PATTERN,
  requestFingerprint,
  withIdempotency,
} from '../services/idempotency';
import { checkPostbackSignature } from '../services/postback-signature';

/** A positive minor-unit string, parsed to bigint. */
const PositiveAmount = MinorUnits.transform((value, ctx) => {
  const amount = parseMinorUnits(value) ?? 0n;
  if (amount <= 0n) {
    ctx.addIssue({ code: 'custom', message: 'must be more than 0' });
    return z.NEVER;
  }
  return amount;
}).openapi({ type: 'string', example: '19900' });

const Amount = MinorUnits.transform((value) => parseMinorUnits(value) ?? 0n).openapi({
  type: 'string',
  example: '0',
});

const MetadataValue = z.union([z.string().max(500), z.number(), z.boolean(), z.null()]);
const Metadata = z
  .record(z.string().min(1).max(40), MetadataValue)
  .refine((m) => Object.keys(m).length <= 50, 'must have at most 50 keys')
  .openapi({ description: 'Up to 50 flat key/value pairs kept with the conversion' });

const ItemBody = z.strictObject({
  sku: Text(128),
  category: Text(128).nullable().optional(),
  quantity: z.number().int().min(1).max(100_000),
  unitAmount: Amount.openapi({ type: 'string', description: 'Price of one unit, minor units' }),
  discount: Amount.optional().openapi({
    type: 'string',
    description: 'The part of the order’s discounts given on this line',
  }),
});

const CreateConversionBody = z
  .strictObject({
    orderId: Text(128).openapi({
      description: 'The merchant’s order id; a repeat answers the first conversion',
      example: 'SO-20261203-0042',
    }),
    amount: PositiveAmount.openapi({
      type: 'string',
      description: 'What the customer paid, after discounts, in minor units',
    }),
    currency: CurrencySchema,
    discount: Amount.optional().openapi({ type: 'string', description: 'Discounts given' }),
    items: z.array(ItemBody).max(500).optional(),
    customerRef: Text(256).optional().openapi({
      description: 'The merchant’s key of the customer (member id, e-mail, phone, unionid)',
    }),
    clickId: z.string().min(1).max(64).optional().openapi({
      description: 'The click id Tuike added to the landing page URL (tk_clk)',
    }),
    couponCode: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9_-]{3,40}$/, 'must be 3 to 40 letters, digits, _ or -')
      .optional(),
    deviceId: Text(128).optional().openapi({ description: 'The visitor id of the customer' }),
    clientIp: z.union([z.ipv4(), z.ipv6()]).optional().openapi({
      description: 'The customer’s IP; hashed with the tenant’s salt, never stored raw',
    }),
    userAgent: z.string().max(512).optional(),
    campaign: Text(128).optional(),
    subId: Text(128).optional(),
    occurredAt: Instant.optional().openapi({ description: 'When the order was paid; default now' }),
    metadata: Metadata.optional(),
  })
  .superRefine((body, ctx) => {
    if (body.discount !== undefined && body.items) {
      const lineDiscounts = body.items.reduce((sum, i) => sum + (i.discount ?? 0n), 0n);
      if (lineDiscounts > body.discount) {
        ctx.addIssue({
          code: 'custom',
          path: ['items'],
          message: 'line discounts add up to more than the order’s discount',
        });
      }
    }
  })
  .openapi('CreateConversion');

const RefundBody = z
  .strictObject({
    refundId: Text(128).optional().openapi({
      description: 'The merchant’s refund id; a repeat answers the first refund',
    }),
    amount: PositiveAmount.openapi({ type: 'string', description: 'What was given back' }),
    reason: Text(500).optional(),
    occurredAt: Instant.optional(),
  })
  .openapi('CreateRefund');

const CancelBody = z.strictObject({ reason: Text(500).optional() }).openapi('CancelConversion');

const ReviewBody = z
  .strictObject({
    reason: Text(500).optional().openapi({ description: 'Why; kept in the audit log' }),
  })
  .openapi('ReviewDecision');

const RejectBody = z
  .strictObject({ reason: Text(500).openapi({ description: 'Why; kept in the audit log' }) })
  .openapi('ReviewRejection');

const STATUSES = ['approved', 'review', 'rejected', 'cancelled'] as const;

const FraudReasonSchema = z.object({
  code: z.string(),
  weight: z.number().int(),
  detail: z.string(),
});

const CommissionSchema = z
  .object({
    id: idOf('commission'),
    beneficiaryId: idOf('promoter'),
    level: z.number().int().openapi({ description: '0: the seller, 1: the inviter, …' }),
    amount: MoneySchema,
    clawedBack: MoneySchema,
    status: z.enum(['pending', 'held', 'voided']),
    ruleId: z.string(),
    ruleSetId: z.string(),
    ruleSetVersion: z.number().int(),
  })
  .openapi('Commission');

const RefundSchema = z
  .object({
    id: idOf('refund'),
    conversionId: idOf('conversion'),
    refundId: z.string().openapi({ description: 'The merchant’s or Stripe’s refund id' }),
    amount: MoneySchema,
    clawback: MoneySchema.openapi({ description: 'Commission this refund took back' }),
    reason: z.string().nullable(),
    occurredAt: Timestamp,
    createdAt: Timestamp,
  })
  .openapi('Refund');

const ConversionSchema = z
  .object({
    id: idOf('conversion'),
    orderId: z.string(),
    source: z.enum(['postback', 'stripe']),
    status: z.enum(STATUSES),
    amount: MoneySchema,
    discount: MoneySchema,
    refunded: MoneySchema,
    items: z.array(
      z.object({
        sku: z.string(),
        category: z.string().nullable(),
        quantity: z.number().int(),
        unitAmount: z.string(),
        discount: z.string(),
      }),
    ),
    customerRef: z.string().nullable(),
    clickId: z.string().nullable(),
    couponCode: z.string().nullable(),
    campaign: z.string().nullable(),
    subId: z.string().nullable(),
    promoterId: z.string().nullable(),
    linkId: z.string().nullable(),
    attribution: z.object({
      kind: z.enum(['binding', 'click', 'coupon', 'visitor_click', 'organic']),
      path: z.array(z.string()).openapi({ description: 'Each step checked, and why' }),
    }),
    fraud: z.object({
      score: z.number().int(),
      reasons: z.array(FraudReasonSchema),
    }),
    ruleSet: z.object({ id: z.string(), version: z.number().int() }).nullable(),
    commissions: z.array(CommissionSchema).optional(),
    refunds: z.array(RefundSchema).optional(),
    review: z
      .object({ by: z.string().nullable(), at: Timestamp, note: z.string().nullable() })
      .nullable(),
    metadata: z.record(z.string(), z.unknown()),
    occurredAt: Timestamp,
    createdAt: Timestamp,
  })
  .openapi('Conversion');

/** What a promoter sees of a sale: status and a plain-words hold reason, never the score. */
const PromoterConversionSchema = z
  .object({
    id: idOf('conversion'),
    status: z.enum(STATUSES),
    amount: MoneySchema,
    refunded: MoneySchema,
    commission: MoneySchema.openapi({ description: 'What this promoter earns on it now' }),
    hold: z
      .string()
      .nullable()
      .openapi({ description: 'Why it is held or refused, in plain words (zh-CN / English)' }),
    occurredAt: Timestamp,
  })
  .openapi('PromoterConversion');

const money = (amount: bigint, currency: string) => ({
  amount: amount.toString(),
  currency: currency as Currency,
});

function commissionJson(c: CommissionRow): z.infer<typeof CommissionSchema> {
  return {
    id: c.id,
    beneficiaryId: c.beneficiaryId,
    level: c.level,
    amount: money(c.amount, c.currency),
    clawedBack: money(c.clawedBack, c.currency),
    status: c.status,
    ruleId: c.ruleId,
    ruleSetId: c.ruleSetId,
    ruleSetVersion: c.ruleSetVersion,
  };
}

function refundJson(r: RefundRow): z.infer<typeof RefundSchema> {
  return {
    id: r.id,
    conversionId: r.conversionId,
    refundId: r.externalId,
    amount: money(r.amount, r.currency),
    clawback: money(r.clawback, r.currency),
    reason: r.reason,
    occurredAt: r.occurredAt.toISOString(),
    createdAt: r.createdAt.toISOString(),
  };
}

/** Lines in the order reads give them: by level, then id. */
function sortedLines(lines: CommissionRow[]): CommissionRow[] {
  return [...lines].sort((a, b) => a.level - b.level || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function conversionJson(
  c: ConversionRow,
  detail?: Pick<ConversionDetail, 'commissions' | 'refunds'>,
): z.infer<typeof ConversionSchema> {
  return {
    id: c.id,
    orderId: c.orderId,
    source: c.source,
    status: c.status,
    amount: money(c.amount, c.currency),
    discount: money(c.discount, c.currency),
    refunded: money(c.refundedAmount, c.currency),
    items: c.items as z.infer<typeof ConversionSchema>['items'],
    customerRef: c.customerRef,
    clickId: c.clickId,
    couponCode: c.couponCode,
    campaign: c.campaign,
    subId: c.subId,
    promoterId: c.promoterId,
    linkId: c.linkId,
    attribution: { kind: c.attributionKind, path: c.attributionPath as string[] },
    fraud: { score: c.fraudScore, reasons: c.fraudReasons as FraudReason[] },
    ruleSet:
      c.ruleSetId === null || c.ruleSetVersion === null
        ? null
        : { id: c.ruleSetId, version: c.ruleSetVersion },
    ...(detail
      ? {
          commissions: detail.commissions.map(commissionJson),
          refunds: detail.refunds.map(refundJson),
        }
      : {}),
    review:
      c.reviewedAt === null
        ? null
        : { by: c.reviewedBy, at: c.reviewedAt.toISOString(), note: c.reviewNote },
    metadata: c.metadata as Record<string, unknown>,
    occurredAt: c.occurredAt.toISOString(),
    createdAt: c.createdAt.toISOString(),
  };
}

const IdempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .regex(IDEMPOTENCY_KEY_PATTERN, 'must be 1 to 255 printable ASCII characters')
    .optional()
    .openapi({
      description:
        'Idempotency-Key: repeats with the same key within 24 h answer the first response',
    }),
});

const ConversionListQuery = ListQuery.extend({
  orderId: Text(128).optional(),
  promoterId: idOf('promoter').optional(),
  status: z.enum(STATUSES).optional(),
  from: Instant.optional().openapi({ description: 'occurredAt at or after' }),
  to: Instant.optional().openapi({ description: 'occurredAt before' }),
});

const createRoute = defineRoute({
  method: 'post',
  path: '/v1/conversions',
  tag: 'Conversions',
  summary: 'Report a sale (postback) / 上报订单',
  permission: 'conversions:write',
  route: {
    request: { headers: IdempotencyHeaders, body: jsonBody(CreateConversionBody) },
    responses: {
      200: ok(ConversionSchema, 'The order was reported before: the stored conversion'),
      201: ok(ConversionSchema, 'Recorded, attributed, scored and commissioned'),
      409: problemOf('A request with this Idempotency-Key is still running'),
      422: problemOf('The Idempotency-Key was used with a different request'),
    },
  },
});

const listRoute = defineRoute({
  method: 'get',
  path: '/v1/conversions',
  tag: 'Conversions',
  summary: 'List conversions, newest first / 订单列表',
  permission: 'conversions:read',
  route: {
    request: { query: ConversionListQuery },
    responses: { 200: ok(listOf(ConversionSchema)) },
  },
});

const readRoute = defineRoute({
  method: 'get',
  path: '/v1/conversions/{id}',
  tag: 'Conversions',
  summary: 'A conversion with its attribution, fraud reasons and commissions / 订单详情',
  permission: 'conversions:read',
  route: {
    request: { params: idParams('conversion') },
    responses: { 200: ok(ConversionSchema), 404: problemOf('No such conversion in the tenant') },
  },
});

const refundRoute = defineRoute({
  method: 'post',
  path: '/v1/conversions/{id}/refunds',
  tag: 'Conversions',
  summary: 'Refund part or all of a conversion / 退款',
  permission: 'conversions:write',
  route: {
    request: {
      params: idParams('conversion'),
      headers: IdempotencyHeaders,
      body: jsonBody(RefundBody),
    },
    responses: {
      200: ok(RefundSchema, 'The refund id was reported before: the stored refund'),
      201: ok(RefundSchema, 'Recorded; the commission is clawed back in proportion'),
      404: problemOf('No such conversion in the tenant'),
      409: problemOf('The conversion is cancelled, or the refund id has another amount'),
      422: problemOf('More than remains to refund, or the Idempotency-Key was reused'),
    },
  },
});

const cancelRoute = defineRoute({
  method: 'post',
  path: '/v1/conversions/{id}/cancel',
  tag: 'Conversions',
  summary: 'Cancel an order: its commission is voided / 取消订单',
  permission: 'conversions:write',
  route: {
    request: { params: idParams('conversion'), body: jsonBody(CancelBody) },
    responses: { 200: ok(ConversionSchema), 404: problemOf('No such conversion in the tenant') },
  },
});

const reviewListRoute = defineRoute({
  method: 'get',
  path: '/v1/reviews',
  tag: 'Reviews',
  summary: 'The review queue: held and refused conversions / 风控审核队列',
  permission: 'reviews:manage',
  route: {
    request: {
      query: ListQuery.extend({
        status: z.enum(['review', 'rejected']).default('review'),
        promoterId: idOf('promoter').optional(),
      }),
    },
    responses: { 200: ok(listOf(ConversionSchema)) },
  },
});

const decisionRoute = (decision: 'approve' | 'reject') =>
  defineRoute({
    method: 'post',
    path: `/v1/reviews/{id}/${decision}`,
    tag: 'Reviews',
    summary:
      decision === 'approve'
        ? 'Approve a held conversion: its commission counts / 审核通过'
        : 'Reject a conversion: its commission is voided / 审核拒绝',
    permission: 'reviews:manage',
    route: {
      request: {
        params: idParams('conversion'),
        body: jsonBody(decision === 'approve' ? ReviewBody : RejectBody),
      },
      responses: {
        200: ok(ConversionSchema),
        404: problemOf('No such conversion in the tenant'),
        409: problemOf('The conversion is cancelled or was rejected by a person'),
      },
    },
  });

const promoterListRoute = defineRoute({
  method: 'get',
  path: '/v1/promoter/conversions',
  tag: 'Conversions',
  summary: 'A promoter’s sales as the promoter sees them / 推客的订单',
  permission: 'conversions:read',
  promoters: true,
  route: {
    request: {
      query: ListQuery.extend({
        promoterId: idOf('promoter').optional().openapi({
          description: 'Whose sales; required except with a promoter’s own token',
        }),
      }),
    },
    responses: { 200: ok(listOf(PromoterConversionSchema)) },
  },
});

/**
 * The raw body was read by `keepRawBody` before validation, so `text()` gives the bytes the
 * merchant signed, not a re-serialisation.
 */
async function checkSignature(c: AppContext): Promise<void> {
  await checkPostbackSignature(
    c.get('deps'),
    principalOf(c),
    await c.req.text(),
    c.req.header('tuike-signature'),
  );
}

const newConversionJson = (conversion: ConversionRow, lines: CommissionRow[]) =>
  conversionJson(conversion, { commissions: sortedLines(lines), refunds: [] });

/** Runs a create handler under the request's Idempotency-Key, if it sent one. */
async function idempotently(
  c: AppContext,
  key: string | undefined,
  body: unknown,
  run: (guard: Guard | null) => Promise<{ status: 200 | 201; body: unknown }>,
): Promise<Response> {
  const principal = principalOf(c);
  if (key === undefined) {
    const answer = await run(null);
    return c.json(answer.body as object, answer.status);
  }
  const answer = await withIdempotency(
    c.get('deps'),
    { tenantId: principal.tenantId, principalId: principalId(principal), key },
    requestFingerprint(c.req.method, c.req.path, body),
    async (guard) => {
      const result = await run(guard);
      return { status: result.status, body: JSON.stringify(result.body) };
    },
  );
  return new Response(answer.body, {
    status: answer.status,
    headers: {
      'Content-Type': 'application/json',
      ...(answer.replayed ? { 'Idempotent-Replayed': 'true' } : {}),
    },
  });
}

export const conversionRoutes = createRouter()
  // POST /v1/conversions: attribute, score and commission a sale; idempotent on the order id.
  .openapi(createRoute, async (c) => {
    await checkSignature(c);
    const body = c.req.valid('json');
    const key = c.req.valid('header')['idempotency-key'];
    const deps = c.get('deps');
    const { tenantId } = principalOf(c);
    return idempotently(c, key, body, async (guard) => {
      // Under an Idempotency-Key, a new conversion's answer is stored with the key in the
      // transaction that writes it.
      let saved: { status: 201; body: z.infer<typeof ConversionSchema> } | null = null;
      const { conversion, created, commissions } = await recordConversion(
        deps,
        tenantId,
        body,
        { kind: 'postback' },
        {
          inTransaction: guard
            ? async (tx, recorded, lines) => {
                saved = { status: 201, body: newConversionJson(recorded, lines) };
                await guard.save(tx, { status: 201, body: JSON.stringify(saved.body) });
              }
            : undefined,
        },
      );
      if (saved !== null) return saved;
      // A new conversion has no refunds yet, and its lines are the ones just written.
      if (created && commissions) {
        return { status: 201, body: newConversionJson(conversion, commissions) } as const;
      }
      const detail = await getConversionDetail(deps, tenantId, conversion.id);
      return { status: created ? 201 : 200, body: conversionJson(conversion, detail) } as const;
    }) as never;
  })
  // GET /v1/conversions
  .openapi(listRoute, async (c) => {
    const { limit, cursor, ...filter } = c.req.valid('query');
    const page = await listConversions(c.get('deps'), principalOf(c).tenantId, filter, {
      limit,
      after: cursor,
    });
    return c.json(
      { data: page.data.map((r) => conversionJson(r)), nextCursor: page.nextCursor },
      200,
    );
  })
  // GET /v1/conversions/{id}
  .openapi(readRoute, async (c) => {
    const { id } = c.req.valid('param');
    const detail = await getConversionDetail(c.get('deps'), principalOf(c).tenantId, id);
    return c.json(conversionJson(detail.conversion, detail), 200);
  })
  // POST /v1/conversions/{id}/refunds: claws back commission in proportion.
  .openapi(refundRoute, async (c) => {
    await checkSignature(c);
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const key = c.req.valid('header')['idempotency-key'];
    const deps = c.get('deps');
    const { tenantId } = principalOf(c);
    return idempotently(c, key, body, async () => {
      const { refund, created } = await refundConversion(deps, tenantId, id, body);
      return { status: created ? 201 : 200, body: refundJson(refund) } as const;
    }) as never;
  })
  // POST /v1/conversions/{id}/cancel
  .openapi(cancelRoute, async (c) => {
    await checkSignature(c);
    const { id } = c.req.valid('param');
    const { reason } = c.req.valid('json');
    const deps = c.get('deps');
    const conversion = await cancelConversion(deps, actorOf(c), id, reason);
    const detail = await getConversionDetail(deps, conversion.tenantId, id);
    return c.json(conversionJson(conversion, detail), 200);
  })
  // GET /v1/reviews
  .openapi(reviewListRoute, async (c) => {
    const { limit, cursor, status, promoterId } = c.req.valid('query');
    const page = await listConversions(
      c.get('deps'),
      principalOf(c).tenantId,
      { status, promoterId },
      { limit, after: cursor },
    );
    return c.json(
      { data: page.data.map((r) => conversionJson(r)), nextCursor: page.nextCursor },
      200,
    );
  })
  // POST /v1/reviews/{id}/approve
  .openapi(decisionRoute('approve'), async (c) => {
    const { id } = c.req.valid('param');
    const { reason } = c.req.valid('json');
    const deps = c.get('deps');
    const conversion = await decideReview(deps, actorOf(c), id, 'approve', reason);
    const detail = await getConversionDetail(deps, conversion.tenantId, id);
    return c.json(conversionJson(conversion, detail), 200);
  })
  // POST /v1/reviews/{id}/reject
  .openapi(decisionRoute('reject'), async (c) => {
    const { id } = c.req.valid('param');
    const { reason } = c.req.valid('json');
    const deps = c.get('deps');
    const conversion = await decideReview(deps, actorOf(c), id, 'reject', reason);
    const detail = await getConversionDetail(deps, conversion.tenantId, id);
    return c.json(conversionJson(conversion, detail), 200);
  })
  // GET /v1/promoter/conversions: own sales for a promoter's token.
  .openapi(promoterListRoute, async (c) => {
    const principal = principalOf(c);
    const query = c.req.valid('query');
    const promoterId = principal.kind === 'promoter' ? principal.promoterId : query.promoterId;
    if (promoterId === undefined) {
      throw new ApiError('validation_failed', 'promoterId: required for a user or an API key', {
        errors: [{ path: 'promoterId', message: 'required for a user or an API key' }],
      });
    }
    const deps = c.get('deps');
    const page = await listConversions(
      deps,
      principal.tenantId,
      { promoterId },
      { limit: query.limit, after: query.cursor },
    );
    const lines = await linesOfConversions(
      deps,
      principal.tenantId,
      page.data.map((row) => row.id),
    );
    const data = page.data.map((row) => {
      const earned = lines
        .filter(
          (l) =>
            l.conversionId === row.id && l.beneficiaryId === promoterId && l.status !== 'voided',
        )
        .reduce((sum, l) => sum + l.amount - l.clawedBack, 0n);
      const codes = (row.fraudReasons as FraudReason[]).map((r) => r.code);
      return {
        id: row.id,
        status: row.status,
        amount: money(row.amount, row.currency),
        refunded: money(row.refundedAmount, row.currency),
        commission: money(earned, row.currency),
        hold:
          row.status === 'review' || row.status === 'rejected'
            ? describeHold(codes as FraudReasonCode[])
            : null,
        occurredAt: row.occurredAt.toISOString(),
      };
    });
    return c.json({ data, nextCursor: page.nextCursor }, 200);
  });
