import { z } from '@hono/zod-openapi';
import { actorOf, principalOf } from '../context';
import { createRouter, defineRoute, Instant, idOf, jsonBody, ok, problemOf } from '../lib/openapi';
import {
  receiveStripeWebhook,
  replayStripeEvents,
  setStripeWebhookSecret,
} from '../services/stripe';

const EVENT_STATUSES = ['pending', 'parked', 'processed', 'ignored', 'failed'] as const;

const WebhookParams = z.object({
  tenantId: idOf('tenant').openapi({ param: { name: 'tenantId', in: 'path' } }),
});

const ReceivedSchema = z
  .object({
    received: z.literal(true),
    eventId: z.string(),
    duplicate: z.boolean().openapi({ description: 'The event id was stored before (a retry)' }),
    status: z.enum(EVENT_STATUSES),
  })
  .openapi('StripeEventReceived');

const SecretBody = z
  .strictObject({
    secret: z
      .string()
      .regex(/^whsec_[A-Za-z0-9+/=_-]{8,200}$/, 'must be a Stripe signing secret (whsec_…)')
      .openapi({ description: 'The endpoint’s signing secret; stored encrypted, never shown' }),
  })
  .openapi('StripeWebhookSecret');

const ReplayBody = z
  .strictObject({ from: Instant, to: Instant })
  .refine((b) => b.from < b.to, { path: ['to'], message: 'must be after from' })
  .openapi('StripeReplay');

const ReplaySchema = z
  .object(
    Object.fromEntries(EVENT_STATUSES.map((s) => [s, z.number().int()])) as Record<
      (typeof EVENT_STATUSES)[number],
      z.ZodNumber
    >,
  )
  .openapi('StripeReplayResult');

const webhookRoute = defineRoute({
  method: 'post',
  path: '/v1/stripe/webhooks/{tenantId}',
  tag: 'Stripe',
  summary: 'Stripe webhook endpoint of a tenant (signature verified) / Stripe 回调',
  permission: 'public',
  route: {
    request: { params: WebhookParams },
    responses: {
      200: ok(ReceivedSchema, 'Stored (once by event id) and processed or parked'),
      404: problemOf('No such tenant, or it has no Stripe signing secret'),
      503: problemOf('The event could not be stored; Stripe retries'),
    },
  },
});

const putSecretRoute = defineRoute({
  method: 'put',
  path: '/v1/tenant/stripe-webhook-secret',
  tag: 'Stripe',
  summary: 'Set the Stripe webhook signing secret / 设置 Stripe 签名密钥',
  permission: 'tenant:write',
  route: {
    request: { body: jsonBody(SecretBody) },
    responses: { 204: { description: 'Stored encrypted' } },
  },
});

const deleteSecretRoute = defineRoute({
  method: 'delete',
  path: '/v1/tenant/stripe-webhook-secret',
  tag: 'Stripe',
  summary: 'Remove the Stripe webhook signing secret / 删除 Stripe 签名密钥',
  permission: 'tenant:write',
  route: { responses: { 204: { description: 'Removed: the endpoint answers 404' } } },
});

const replayRoute = defineRoute({
  method: 'post',
  path: '/v1/stripe/events/replay',
  tag: 'Stripe',
  summary: 'Re-process stored Stripe events of a time range / 重放 Stripe 事件',
  permission: 'conversions:write',
  route: {
    request: { body: jsonBody(ReplayBody) },
    responses: { 200: ok(ReplaySchema, 'How the events ended, by status') },
  },
});

export const stripeRoutes = createRouter()
  // POST /v1/stripe/webhooks/{tenantId}: the raw body is verified before it is parsed.
  .openapi(webhookRoute, async (c) => {
    const { tenantId } = c.req.valid('param');
    const raw = await c.req.text();
    const received = await receiveStripeWebhook(
      c.get('deps'),
      tenantId,
      raw,
      c.req.header('stripe-signature'),
    );
    return c.json(
      {
        received: true as const,
        eventId: received.eventId,
        duplicate: !received.stored,
        status: received.status,
      },
      200,
    );
  })
  // PUT /v1/tenant/stripe-webhook-secret
  .openapi(putSecretRoute, async (c) => {
    await setStripeWebhookSecret(c.get('deps'), actorOf(c), c.req.valid('json').secret);
    return c.body(null, 204);
  })
  // DELETE /v1/tenant/stripe-webhook-secret
  .openapi(deleteSecretRoute, async (c) => {
    await setStripeWebhookSecret(c.get('deps'), actorOf(c), null);
    return c.body(null, 204);
  })
  // POST /v1/stripe/events/replay
  .openapi(replayRoute, async (c) => {
    const counts = await replayStripeEvents(
      c.get('deps'),
      principalOf(c).tenantId,
      c.req.valid('json'),
    );
    return c.json(counts, 200);
  });
