import {
  type Currency,
  disputeLostEntries,
  holdEntries,
  isCurrency,
  releaseHoldEntries,
} from '@tuike/core';
import {
  type Actor,
  type ConversionRow,
  type Executor,
  getConversionByPaymentRef,
  getStripeEvent,
  getTenant,
  hasEntry,
  listCommissionsOfConversion,
  listParkedStripeEvents,
  listStripeEventIds,
  lockPayment,
  lockStripeEvent,
  markStripeEvent,
  recordAudit,
  type StripeEventRow,
  storeStripeEvent,
  subscriptionHistory,
  type TenantRow,
  updateCommission,
  updateTenant,
  writeEntries,
} from '@tuike/db';
import Stripe from 'stripe';
import type { Deps } from '../deps';
import { ApiError, notFound } from '../lib/errors';
import { applyRefund, recordConversion, remainingLine } from './conversions';

/** Stripe's own tolerance: a signature older (or newer) than this is refused. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

const cryptoProvider = Stripe.createSubtleCryptoProvider();

/** The parts of a Stripe event we read; payloads are kept whole in the inbox. */
interface StripeEventPayload {
  id: string;
  type: string;
  livemode: boolean;
  created: number;
  data: { object: Record<string, unknown> };
}

type Outcome = Extract<StripeEventRow['status'], 'processed' | 'parked' | 'ignored'>;

export interface ReceivedEvent {
  eventId: string;
  /** False when the event id was stored before: a retry. */
  stored: boolean;
  status: StripeEventRow['status'];
}

const refuse = (message: string) =>
  new ApiError('bad_request', message, { errors: [{ path: 'Stripe-Signature', message }] });

/**
 * POST /v1/stripe/webhooks/{tenantId}: verifies the signature on the raw body with the tenant's
 * signing secret (the stripe library's async verifier, so it runs on Workers too), refuses a
 * signature whose own timestamp is more than 5 minutes old or ahead, stores the event once by
 * id, then processes it. What is stored is acknowledged even if processing fails (it stays
 * pending or parked for the replay); what cannot be stored answers 503, so Stripe retries.
 */
export async function receiveStripeWebhook(
  deps: Deps,
  tenantId: string,
  rawBody: string,
  signature: string | undefined,
): Promise<ReceivedEvent> {
  if (!signature) throw refuse('the Stripe-Signature header is missing / 缺少签名');
  const { db } = deps.database;
  const tenant = await getTenant(db, tenantId);
  if (!tenant?.stripeWebhookSecret) throw notFound('Stripe webhook endpoint', tenantId);

  const now = deps.clock.now().getTime();
  const stamp = /(?:^|,)t=(\d{1,12})(?:,|$)/.exec(signature)?.[1];
  if (stamp === undefined) throw refuse('the Stripe-Signature header has no timestamp');
  if (Number(stamp) * 1000 > now + SIGNATURE_TOLERANCE_SECONDS * 1000) {
    throw refuse('the signature timestamp is in the future / 签名时间戳超前');
  }
  const secret = await deps.secretBox.open(tenant.stripeWebhookSecret);
  let event: StripeEventPayload;
  try {
    event = (await Stripe.webhooks.constructEventAsync(
      rawBody,
      signature,
      secret,
      SIGNATURE_TOLERANCE_SECONDS,
      cryptoProvider,
      now,
    )) as unknown as StripeEventPayload;
  } catch (error) {
    const why = error instanceof Error ? error.message : 'invalid signature';
    throw refuse(`the signature does not verify: ${why} / 签名校验失败`);
  }
  if (deps.config.env === 'production' && !event.livemode) {
    throw new ApiError(
      'bad_request',
      'test-mode events are refused in production / 生产环境拒绝测试事件',
    );
  }

  let stored: boolean;
  try {
    stored = await storeStripeEvent(db, {
      tenantId,
      id: event.id,
      type: event.type,
      livemode: event.livemode,
      paymentRef: paymentRefOf(event),
      payload: event,
      createdAt: new Date(event.created * 1000),
    });
  } catch (error) {
    deps.logger.error('stripe event not stored', { err: String(error), eventId: event.id });
    throw new ApiError('unavailable', 'the event could not be stored; retry later / 稍后重试', {
      headers: { 'Retry-After': '10' },
      cause: error,
    });
  }
  const status = await processStripeEvent(deps, tenantId, event.id, tenant);
  return { eventId: event.id, stored, status };
}

/**
 * Applies one inbox event, once: under a lock on its payment (so every event of a payment is
 * applied one after another, in whatever order they came) and on its row. An event about a
 * payment we have not seen yet is parked and applied when the payment's conversion arrives.
 * Failures are recorded on the event and leave it for the replay.
 */
export async function processStripeEvent(
  deps: Deps,
  tenantId: string,
  eventId: string,
  /** The tenant's row when the caller has it already (the webhook read it to verify). */
  known?: TenantRow,
): Promise<StripeEventRow['status']> {
  const { db } = deps.database;
  const tenant = known ?? (await getTenant(db, tenantId));
  if (!tenant) throw notFound('tenant', tenantId);
  const first = await getStripeEvent(db, tenantId, eventId);
  if (!first) throw notFound('Stripe event', eventId);
  if (first.status === 'processed' || first.status === 'ignored') return first.status;
  try {
    return await db.transaction(async (tx) => {
      // The payment lock first, then the row: every event of a payment waits on the same lock,
      // so no two transactions hold rows the other wants.
      if (first.paymentRef) await lockPayment(tx, tenantId, first.paymentRef);
      const peek = await lockStripeEvent(tx, tenantId, eventId);
      if (!peek) return 'pending';
      if (peek.status === 'processed' || peek.status === 'ignored') return peek.status;
      const outcome = await applyEvent(deps, tx, tenant, peek.payload as StripeEventPayload);
      await markStripeEvent(tx, tenantId, eventId, {
        status: outcome.status,
        lastError: outcome.note,
      });
      if (outcome.conversion && peek.paymentRef) {
        for (const parked of await listParkedStripeEvents(tx, tenantId, peek.paymentRef)) {
          const later = await applyEvent(deps, tx, tenant, parked.payload as StripeEventPayload);
          await markStripeEvent(tx, tenantId, parked.id, {
            status: later.status,
            lastError: later.note,
          });
        }
      }
      return outcome.status;
    });
  } catch (error) {
    deps.logger.error('stripe event failed', { err: String(error), eventId });
    await markStripeEvent(db, tenantId, eventId, {
      status: 'failed',
      lastError: error instanceof Error ? error.message.slice(0, 500) : 'failed',
    });
    return 'failed';
  }
}

/** Re-processes the tenant's inbox events received in [from, to) that are not done yet. */
export async function replayStripeEvents(
  deps: Deps,
  tenantId: string,
  range: { from: Date; to: Date },
): Promise<Record<StripeEventRow['status'], number>> {
  const ids = await listStripeEventIds(deps.database.db, tenantId, {
    ...range,
    statuses: ['pending', 'parked', 'failed'],
  });
  const counts: Record<StripeEventRow['status'], number> = {
    pending: 0,
    parked: 0,
    processed: 0,
    ignored: 0,
    failed: 0,
  };
  for (const id of ids) counts[await processStripeEvent(deps, tenantId, id)] += 1;
  return counts;
}

interface Applied {
  status: Outcome;
  note: string | null;
  /** Set when the event made the payment's conversion: parked events can follow. */
  conversion?: ConversionRow;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);
const num = (v: unknown): number | null =>
  typeof v === 'number' && Number.isSafeInteger(v) ? v : null;
const obj = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
/** An id field that may come expanded (an object with an id) or as the id itself. */
const ref = (v: unknown): string | null => str(v) ?? str(obj(v).id);

/** The payment an event is about: the payment intent, else the charge (or invoice). */
export function paymentRefOf(event: StripeEventPayload): string | null {
  const o = event.data.object;
  switch (event.type) {
    case 'checkout.session.completed':
    case 'checkout.session.async_payment_succeeded':
      return ref(o.payment_intent) ?? str(o.id);
    case 'invoice.paid':
      return ref(o.payment_intent) ?? ref(o.charge) ?? str(o.id);
    case 'charge.refunded':
      return ref(o.payment_intent) ?? str(o.id);
    case 'charge.dispute.created':
    case 'charge.dispute.closed':
      return ref(o.payment_intent) ?? ref(o.charge);
    default:
      return null;
  }
}

async function applyEvent(
  deps: Deps,
  tx: Executor,
  tenant: TenantRow,
  event: StripeEventPayload,
): Promise<Applied> {
  const o = event.data.object;
  const paymentRef = paymentRefOf(event);
  switch (event.type) {
    case 'checkout.session.completed':
    case 'checkout.session.async_payment_succeeded': {
      if (o.mode === 'subscription') {
        return { status: 'ignored', note: 'subscriptions are counted by invoice.paid' };
      }
      if (o.payment_status !== 'paid') {
        return { status: 'ignored', note: `payment_status ${String(o.payment_status)}` };
      }
      const metadata = obj(o.metadata);
      const details = obj(o.customer_details);
      return sale(deps, tx, tenant, event, {
        orderId: str(metadata.order_id) ?? `stripe:${String(o.id)}`,
        amount: num(o.amount_total),
        currency: str(o.currency),
        clickId: str(o.client_reference_id) ?? str(metadata.tk_clk) ?? str(metadata.click_id),
        couponCode: str(metadata.coupon),
        customerRef: str(details.email) ?? ref(o.customer),
        paymentRef,
        metadata,
      });
    }
    case 'invoice.paid': {
      const parent = obj(obj(o.parent).subscription_details);
      const legacy = obj(o.subscription_details);
      const subscriptionRef = ref(o.subscription) ?? ref(parent.subscription);
      const metadata = { ...obj(o.metadata), ...obj(legacy.metadata), ...obj(parent.metadata) };
      const paidAt = new Date(event.created * 1000);
      const history = subscriptionRef
        ? await subscriptionHistory(tx, tenant.id, subscriptionRef, paidAt)
        : { payments: 0, startedAt: null };
      return sale(deps, tx, tenant, event, {
        orderId: `stripe:${String(o.id)}`,
        amount: num(o.amount_paid),
        currency: str(o.currency),
        clickId: str(metadata.tk_clk) ?? str(metadata.click_id),
        couponCode: str(metadata.coupon),
        customerRef: str(o.customer_email) ?? ref(o.customer),
        paymentRef,
        metadata: obj(o.metadata),
        subscriptionRef,
        paymentNumber: history.payments + 1,
        subscriptionStartedAt: history.startedAt ?? paidAt,
      });
    }
    case 'charge.refunded':
      return refunds(deps, tx, tenant, event, paymentRef);
    case 'charge.dispute.created':
    case 'charge.dispute.closed':
      return dispute(tx, tenant, event, paymentRef);
    default:
      return { status: 'ignored', note: `${event.type} is not used` };
  }
}

interface Sale {
  orderId: string;
  amount: number | null;
  currency: string | null;
  clickId: string | null;
  couponCode: string | null;
  customerRef: string | null;
  paymentRef: string | null;
  metadata: Record<string, unknown>;
  subscriptionRef?: string | null;
  paymentNumber?: number;
  subscriptionStartedAt?: Date;
}

async function sale(
  deps: Deps,
  tx: Executor,
  tenant: TenantRow,
  event: StripeEventPayload,
  s: Sale,
): Promise<Applied> {
  const currency = s.currency?.toUpperCase() ?? '';
  if (s.amount === null || s.amount <= 0) return { status: 'ignored', note: 'nothing was paid' };
  if (!isCurrency(currency)) return { status: 'ignored', note: `currency ${currency} unsupported` };
  const metadata = Object.fromEntries(
    Object.entries(s.metadata)
      .filter(([, v]) => ['string', 'number', 'boolean'].includes(typeof v))
      .slice(0, 50),
  );
  const { conversion } = await recordConversion(
    deps,
    tenant.id,
    {
      orderId: s.orderId.slice(0, 128),
      amount: BigInt(s.amount),
      currency: currency as Currency,
      clickId: s.clickId?.slice(0, 64),
      couponCode:
        s.couponCode && /^[A-Za-z0-9_-]{3,40}$/.test(s.couponCode) ? s.couponCode : undefined,
      customerRef: s.customerRef?.slice(0, 256),
      occurredAt: new Date(event.created * 1000),
      metadata: { ...metadata, stripeEvent: event.id },
    },
    {
      kind: 'stripe',
      paymentRef: s.paymentRef ?? undefined,
      subscriptionRef: s.subscriptionRef ?? undefined,
      paymentNumber: s.subscriptionRef ? s.paymentNumber : undefined,
      subscriptionStartedAt: s.subscriptionStartedAt,
    },
    { on: tx },
  );
  return { status: 'processed', note: null, conversion };
}

/** The conversion of a payment, or null: the event is parked until it comes. */
async function paymentConversion(tx: Executor, tenantId: string, paymentRef: string | null) {
  if (!paymentRef) return null;
  return (await getConversionByPaymentRef(tx, tenantId, paymentRef)) ?? null;
}

const parked = (paymentRef: string | null): Applied =>
  paymentRef
    ? { status: 'parked', note: `waits for the payment ${paymentRef}` }
    : { status: 'ignored', note: 'names no payment' };

/**
 * charge.refunded carries the charge as it is now. Each refund it lists is applied once by its
 * id, so deliveries in any order and repeats change nothing twice; without the list (API
 * versions that do not expand it), the refunded total is applied as the step from what we
 * have, keyed by that total.
 */
async function refunds(
  deps: Deps,
  tx: Executor,
  tenant: TenantRow,
  event: StripeEventPayload,
  paymentRef: string | null,
): Promise<Applied> {
  const found = await paymentConversion(tx, tenant.id, paymentRef);
  if (!found) return parked(paymentRef);
  const charge = event.data.object;
  const listed = Array.isArray(obj(charge.refunds).data)
    ? (obj(charge.refunds).data as unknown[]).map(obj)
    : null;
  const steps: { refundId: string; amount: bigint; at: Date }[] = [];
  if (listed) {
    for (const r of listed) {
      const id = str(r.id);
      const amount = num(r.amount);
      if (id && amount && amount > 0 && r.status !== 'failed' && r.status !== 'canceled') {
        steps.push({
          refundId: id,
          amount: BigInt(amount),
          at: new Date((num(r.created) ?? event.created) * 1000),
        });
      }
    }
    steps.sort((a, b) => a.at.getTime() - b.at.getTime() || (a.refundId < b.refundId ? -1 : 1));
  } else {
    const total = BigInt(num(charge.amount_refunded) ?? 0);
    if (total > found.refundedAmount) {
      steps.push({
        refundId: `total:${total}`,
        amount: total - found.refundedAmount,
        at: new Date(event.created * 1000),
      });
    }
  }
  let conversion = found;
  for (const step of steps) {
    const applied = await applyRefund(
      tx,
      tenant,
      conversion,
      {
        refundId: step.refundId,
        amount: step.amount,
        occurredAt: step.at,
      },
      deps.clock.now(),
    ).catch((error: unknown) => {
      // A refund beyond what remains (the merchant also refunded through the API) is noted.
      if (error instanceof ApiError && error.status === 422) return null;
      throw error;
    });
    if (applied?.created) {
      conversion = { ...conversion, refundedAmount: conversion.refundedAmount + step.amount };
    }
  }
  return { status: 'processed', note: null };
}

/**
 * A dispute holds what the conversion's lines still carry; closing it releases the hold (won)
 * or claws it back (lost). A close that arrives before the open applies the hold first. Each
 * step is keyed `(dispute, id, step)`, so repeats change nothing.
 */
async function dispute(
  tx: Executor,
  tenant: TenantRow,
  event: StripeEventPayload,
  paymentRef: string | null,
): Promise<Applied> {
  const conversion = await paymentConversion(tx, tenant.id, paymentRef);
  if (!conversion) return parked(paymentRef);
  const d = event.data.object;
  const disputeId = str(d.id);
  if (!disputeId) return { status: 'ignored', note: 'dispute without an id' };
  const key = (purpose: string) => ({ sourceType: 'dispute', sourceId: disputeId, purpose });
  const closed =
    (await hasEntry(tx, tenant.id, key('release'))) ||
    (await hasEntry(tx, tenant.id, key('clawback')));
  if (closed) return { status: 'processed', note: 'the dispute was closed already' };

  const currency = conversion.currency as Currency;
  const commissions = await listCommissionsOfConversion(tx, tenant.id, conversion.id);
  const held = !(await hasEntry(tx, tenant.id, key('hold')));
  if (held) {
    // Only what sits in pending can be held; lines under review are held already.
    const pending = commissions.filter((c) => c.status === 'pending');
    await writeEntries(
      tx,
      tenant.id,
      holdEntries({ disputeId, currency, lines: pending.map(remainingLine) }),
      conversion.id,
    );
    for (const c of pending) await updateCommission(tx, tenant.id, c.id, { status: 'held' });
  }
  if (event.type === 'charge.dispute.created') return { status: 'processed', note: null };

  const lines = (await listCommissionsOfConversion(tx, tenant.id, conversion.id)).filter(
    (c) => c.status === 'held',
  );
  if (d.status === 'lost') {
    await writeEntries(
      tx,
      tenant.id,
      disputeLostEntries({ disputeId, currency, lines: lines.map(remainingLine) }),
      conversion.id,
    );
    for (const c of lines) {
      await updateCommission(tx, tenant.id, c.id, { status: 'voided', clawedBack: c.amount });
    }
  } else if (conversion.status !== 'review') {
    await writeEntries(
      tx,
      tenant.id,
      releaseHoldEntries({ disputeId, currency, lines: lines.map(remainingLine) }),
      conversion.id,
    );
    for (const c of lines) await updateCommission(tx, tenant.id, c.id, { status: 'pending' });
  }
  return { status: 'processed', note: `dispute ${String(d.status)}` };
}

/**
 * PUT/DELETE /v1/tenant/stripe-webhook-secret: stores the endpoint's signing secret encrypted
 * (it must be read back to verify signatures, so it cannot be hashed), or removes it. The
 * audit row says that it changed, never what it is.
 */
export async function setStripeWebhookSecret(
  deps: Deps,
  actor: Actor,
  secret: string | null,
): Promise<void> {
  const sealed = secret === null ? null : await deps.secretBox.seal(secret);
  await deps.database.db.transaction(async (tx) => {
    const before = await getTenant(tx, actor.tenantId);
    if (!before) throw notFound('tenant', actor.tenantId);
    await updateTenant(tx, actor.tenantId, {
      stripeWebhookSecret: sealed,
      updatedAt: deps.clock.now(),
    });
    await recordAudit(tx, actor, {
      action:
        secret === null
          ? 'tenant.stripe_webhook_secret.remove'
          : 'tenant.stripe_webhook_secret.set',
      entityType: 'tenant',
      entityId: actor.tenantId,
      before: { stripeWebhookConfigured: before.stripeWebhookSecret !== null },
      after: { stripeWebhookConfigured: sealed !== null },
    });
  });
  deps.settings.changed('tenants', actor.tenantId);
}
