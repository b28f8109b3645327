import {
  type Attribution,
  accrualEntries,
  attribute,
  type ClickIdFact,
  type CompiledRuleSet,
  type Currency,
  cachedRuleSet,
  clawbackForRefund,
  compiledRuleSet,
  type FraudScore,
  type JournalEntry,
  type LedgerLine,
  localTime,
  newId,
  type Order,
  parseFraudSettings,
  RuleSetContentSchema,
  remainingAfterRefunds,
  reviewEntries,
  scoreConversion,
  timeOfId,
  voidEntries,
} from '@tuike/core';
import {
  type Actor,
  type CommissionRow,
  type ConversionFilter,
  type ConversionRow,
  type CustomerFacts,
  conversionWriter,
  type Executor,
  getActivePublishedVersion,
  getConversion,
  getConversionByOrderId,
  getRefundByExternalId,
  getRuleSetVersion,
  insertRefundUnlessKnown,
  listCommissionsOfConversion,
  listCommissionsOfConversions,
  listConversions as listConversionRows,
  listRefundsOfConversion,
  loadConversionFacts,
  loadPromoterFacts,
  loadTenantConversionRate,
  type Page,
  type PageRequest,
  type PromoterFacts,
  type RefundRow,
  recordAudit,
  type TenantRow,
  updateCommission,
  updateConversion,
  writeEntries,
  writeNewConversion,
} from '@tuike/db';
import type { Deps } from '../deps';
import { ApiError, notFound } from '../lib/errors';
import type { SettingsCache } from '../lib/settings-cache';
import { hashIp } from '../redirect/click-recorder';
import { fraudFactsOf } from './fraud-facts';
import { cachedTenantOrThrow, engineContext, tenantOrThrow } from './rule-sets';

export interface ConversionItemInput {
  sku: string;
  category?: string | null | undefined;
  quantity: number;
  unitAmount: bigint;
  discount?: bigint | undefined;
}

/** A sale as the postback API (or the Stripe adapter) reports it. */
export interface ConversionInput {
  orderId: string;
  amount: bigint;
  currency: Currency;
  discount?: bigint | undefined;
  items?: ConversionItemInput[] | undefined;
  customerRef?: string | undefined;
  clickId?: string | undefined;
  couponCode?: string | undefined;
  deviceId?: string | undefined;
  clientIp?: string | undefined;
  userAgent?: string | undefined;
  campaign?: string | undefined;
  subId?: string | undefined;
  occurredAt?: Date | undefined;
  metadata?: Record<string, unknown> | undefined;
}

/** Where a conversion came from; Stripe conversions carry the payment refunds point at. */
export interface ConversionSource {
  kind: 'postback' | 'stripe';
  paymentRef?: string | undefined;
  subscriptionRef?: string | undefined;
  /** For subscriptions: 1 for the first payment, 2 for the second, … */
  paymentNumber?: number | undefined;
  subscriptionStartedAt?: Date | undefined;
}

export interface RecordOptions {
  /**
   * Runs last inside the transaction that writes a new conversion (not for a known order), with
   * the conversion and the commission lines just written.
   */
  inTransaction?:
    | ((tx: Executor, conversion: ConversionRow, commissions: CommissionRow[]) => Promise<void>)
    | undefined;
  /** An open transaction to work in (the Stripe processor's); the write is a savepoint in it. */
  on?: Executor | undefined;
}

export interface RecordedConversion {
  conversion: ConversionRow;
  /** False when the order was known already: the stored conversion is answered unchanged. */
  created: boolean;
  /** The commission lines written with a new conversion; null for a known order. */
  commissions: CommissionRow[] | null;
}

const DAY_MS = 86_400_000;
/** An order may be dated at most this far ahead of our clock (merchant clock skew). */
const FUTURE_SKEW_MS = 5 * 60_000;

/** The customer key as compared everywhere: trimmed, e-mail addresses in lower case. */
export function normaliseCustomerRef(ref: string | undefined): string | null {
  const trimmed = ref?.trim();
  if (!trimmed) return null;
  return trimmed.includes('@') ? trimmed.toLowerCase() : trimmed;
}

/** Start of the calendar month of `at` in the tenant's zone (the commission period). */
export function periodStartOf(at: Date, timeZone: string): Date {
  const local = localTime(at.getTime(), timeZone);
  const intoMonth = (local.day - 1) * DAY_MS + local.minutes * 60_000;
  const intoMinute = at.getTime() % 60_000;
  return new Date(at.getTime() - intoMonth - intoMinute);
}

interface Decided {
  at: Date;
  customerRef: string | null;
  ipHash: string | null;
  customer: CustomerFacts;
  attribution: Attribution;
  promoter: PromoterFacts | null;
  fraud: FraudScore | null;
  status: ConversionRow['status'];
  ruleSet: { id: string; version: number } | null;
  lines: { beneficiaryId: string; level: number; amount: bigint; ruleId: string }[];
  clickedAt: Date | null;
}

/**
 * POST /v1/conversions and Stripe payments: attributes the sale, scores it for fraud, computes
 * the commission with the published rule set, and writes the conversion, its commission lines
 * and their journal entries in one transaction. An order the tenant has already reported
 * answers the stored conversion: under concurrent reports of one order, exactly one writes.
 */
export async function recordConversion(
  deps: Deps,
  tenantId: string,
  input: ConversionInput,
  source: ConversionSource = { kind: 'postback' },
  options: RecordOptions = {},
): Promise<RecordedConversion> {
  const db = options.on ?? deps.database.db;
  const { inTransaction } = options;
  // Inside a caller's transaction, settings are read on it: the cache reads through the pool,
  // which on PGlite (one connection) would wait for that very transaction.
  const tenant = options.on
    ? await tenantOrThrow(options.on, tenantId)
    : await cachedTenantOrThrow(deps, tenantId);
  const now = deps.clock.now();
  const at = input.occurredAt ?? now;
  if (at.getTime() > now.getTime() + FUTURE_SKEW_MS) {
    throw new ApiError('validation_failed', 'occurredAt: must not be in the future', {
      errors: [{ path: 'occurredAt', message: 'must not be in the future' }],
    });
  }
  checkItems(input);

  const cached = options.on ? null : { settings: deps.settings, pool: deps.database.db };
  const decided = await decide(cached, db, tenant, input, source, at);
  if ('knownConversionId' in decided) {
    // The tenant has the order: its stored conversion is the answer, unchanged.
    const known = await getConversion(db, tenantId, decided.knownConversionId);
    if (known) return { conversion: known, created: false, commissions: null };
    throw new ApiError('conflict', `order ${input.orderId} is being recorded`);
  }
  const conversion: ConversionRow = {
    tenantId,
    id: newId('conversion', now.getTime()),
    orderId: input.orderId,
    source: source.kind,
    status: decided.status,
    amount: input.amount,
    discount: input.discount ?? 0n,
    currency: input.currency,
    refundedAmount: 0n,
    items: (input.items ?? []).map((i) => ({
      sku: i.sku,
      category: i.category ?? null,
      quantity: i.quantity,
      unitAmount: i.unitAmount.toString(),
      discount: (i.discount ?? 0n).toString(),
    })),
    customerRef: decided.customerRef,
    deviceId: input.deviceId ?? null,
    ipHash: decided.ipHash,
    userAgent: input.userAgent ?? null,
    clickId: input.clickId ?? null,
    couponCode: input.couponCode?.toUpperCase() ?? null,
    campaign: input.campaign ?? null,
    subId: input.subId ?? null,
    promoterId: decided.attribution.promoterId,
    linkId: decided.attribution.linkId,
    clickedAt: decided.clickedAt,
    attributionKind: decided.attribution.kind,
    attributionPath: decided.attribution.path,
    chain: decided.promoter?.chain ?? [],
    customerOrderNumber: decided.customer.customerOrders + 1,
    fraudScore: decided.fraud?.score ?? 0,
    fraudReasons: decided.fraud?.reasons ?? [],
    ruleSetId: decided.ruleSet?.id ?? null,
    ruleSetVersion: decided.ruleSet?.version ?? null,
    paymentRef: source.paymentRef ?? null,
    subscriptionRef: source.subscriptionRef ?? null,
    paymentNumber: source.paymentNumber ?? null,
    metadata: input.metadata ?? {},
    reviewedBy: null,
    reviewedAt: null,
    reviewNote: null,
    occurredAt: at,
    createdAt: now,
    updatedAt: now,
  };
  const lineStatus =
    decided.status === 'rejected' ? 'voided' : decided.status === 'review' ? 'held' : 'pending';
  const commissions: CommissionRow[] = decided.lines.map((line) => ({
    tenantId,
    id: newId('commission', now.getTime()),
    conversionId: conversion.id,
    beneficiaryId: line.beneficiaryId,
    level: line.level,
    amount: line.amount,
    currency: input.currency,
    clawedBack: 0n,
    status: lineStatus,
    ruleId: line.ruleId,
    ruleSetId: decided.ruleSet?.id ?? '',
    ruleSetVersion: decided.ruleSet?.version ?? 0,
    createdAt: now,
    updatedAt: now,
  }));
  // A rejected conversion's lines are kept to show what was refused; nothing is accrued.
  const entries: JournalEntry[] = [];
  if (decided.status !== 'rejected') {
    const ledgerLines = commissions.map((r) => ({ ...ledgerLine(r), currency: input.currency }));
    entries.push(...accrualEntries(ledgerLines));
    if (decided.status === 'review') {
      entries.push(
        ...reviewEntries('hold', {
          conversionId: conversion.id,
          currency: input.currency,
          lines: ledgerLines,
        }),
      );
    }
  }
  const newBinding = decided.attribution.newBinding;
  const binding =
    newBinding && decided.customerRef && decided.status !== 'rejected'
      ? {
          tenantId,
          customerRef: decided.customerRef,
          promoterId: newBinding.promoterId,
          source: tenant.bindOn,
          active: true,
          boundAt: at,
          expiresAt: newBinding.expiresAt,
          createdAt: now,
          updatedAt: now,
        }
      : null;
  const write = { conversion, commissions, entries, binding };

  const written = async (tx: Executor): Promise<RecordedConversion> => {
    // On the pool, concurrent postbacks share statements and commits (group commit); in a
    // transaction (a caller's, or the one an Idempotency-Key answer needs) the write is its own.
    const stored =
      tx === deps.database.db
        ? await conversionWriter(tx).write(write)
        : await writeNewConversion(tx, write);
    if (!stored) {
      const existing = await getConversionByOrderId(tx, tenantId, input.orderId);
      if (!existing) throw new ApiError('conflict', `order ${input.orderId} is being recorded`);
      return { conversion: existing, created: false, commissions: null };
    }
    await inTransaction?.(tx, conversion, commissions);
    return { conversion, created: true, commissions };
  };
  // One statement is atomic by itself: a transaction only when more must commit with it.
  if (inTransaction || options.on) return db.transaction(written);
  return written(db);
}

function checkItems(input: ConversionInput): void {
  const items = input.items ?? [];
  const skus = new Set<string>();
  items.forEach((item, i) => {
    if (skus.has(item.sku)) {
      throw new ApiError('validation_failed', `items.${i}.sku: appears twice in the order`, {
        errors: [{ path: `items.${i}.sku`, message: 'appears twice in the order' }],
      });
    }
    skus.add(item.sku);
  });
}

/**
 * The compiled rule set of a published version: from the cache when its hash is known there,
 * else read, validated and compiled once.
 */
async function activeRuleSet(
  db: Executor,
  tenantId: string,
  ref: { ruleSetId: string; version: number; contentHash: string | null },
): Promise<CompiledRuleSet> {
  const cached = ref.contentHash
    ? cachedRuleSet(ref.ruleSetId, ref.version, ref.contentHash)
    : undefined;
  if (cached) return cached;
  const row = await getRuleSetVersion(db, tenantId, ref.ruleSetId, ref.version);
  if (!row) throw new Error(`rule set version ${ref.ruleSetId}@${ref.version} vanished`);
  return compiledRuleSet({
    id: row.ruleSetId,
    version: row.version,
    content: RuleSetContentSchema.parse(row.content),
    contentHash: row.contentHash,
  });
}

/** The settings cache and the pool it loads through; null inside a caller's transaction. */
interface CachedReads {
  settings: SettingsCache;
  pool: Executor;
}

async function decide(
  cached: CachedReads | null,
  db: Executor,
  tenant: TenantRow,
  input: ConversionInput,
  source: ConversionSource,
  at: Date,
): Promise<Decided | { knownConversionId: string }> {
  const customerRef = normaliseCustomerRef(input.customerRef);
  const ipHash = input.clientIp ? hashIp(input.clientIp, tenant.ipSalt) : null;
  const clickMs = input.clickId ? timeOfId('click', input.clickId) : null;
  // The rule set comes first: the promoter's facts read what it paid in the period only when
  // one of its rules is capped per period (the commission lines of every sale since the month
  // began, the largest part of those facts).
  const version = cached
    ? await cached.settings.get({
        table: 'rule_set_versions',
        key: `${tenant.id}\n${input.currency}`,
        // Read through the pool: a load is shared by every caller waiting on it.
        load: () => getActivePublishedVersion(cached.pool, tenant.id, input.currency),
        tenantOf: () => tenant.id,
      })
    : await getActivePublishedVersion(db, tenant.id, input.currency);
  const ruleSet = version ? await activeRuleSet(db, tenant.id, version) : null;
  const fraudSettings = parseFraudSettings(tenant.fraudSettings);
  const promoterQuery = {
    tenantId: tenant.id,
    at,
    depth: tenant.distributionDepth,
    periodStart: periodStartOf(at, tenant.timeZone),
    lateClickHours: fraudSettings.thresholds.lateClickHours,
    trafficSince: new Date(at.getTime() - fraudSettings.thresholds.promoterWindowDays * DAY_MS),
    minClickSeconds: fraudSettings.thresholds.minClickToConversionSeconds,
    ipHash,
    deviceId: input.deviceId ?? null,
    periodPaid: ruleSet?.rules.some((r) => r.capPerPeriod !== null) ?? false,
  };
  // One round trip: the customer's facts and those of the promoter attribution likely picks.
  const { customer, likely } = await loadConversionFacts(
    db,
    {
      tenantId: tenant.id,
      orderId: input.orderId,
      at,
      windowDays: tenant.attributionWindowDays,
      amount: input.amount,
      customerRef,
      deviceId: input.deviceId ?? null,
      ipHash,
      clickId: input.clickId ?? null,
      clickTime: clickMs === null ? null : new Date(clickMs),
      couponCode: input.couponCode ?? null,
    },
    promoterQuery,
  );
  if (customer.knownConversionId !== null) return { knownConversionId: customer.knownConversionId };

  const click: ClickIdFact | null = customer.click
    ? { ...customer.click, valid: true }
    : input.clickId
      ? {
          id: input.clickId,
          promoterId: '',
          linkId: '',
          clickedAt: at,
          isBot: false,
          valid: false,
        }
      : null;
  const attribution = attribute(
    {
      binding: customer.binding,
      click,
      coupon: customer.coupon,
      visitorClicks: customer.visitorClicks,
      occurredAt: at,
    },
    {
      attributionWindowDays: tenant.attributionWindowDays,
      model: tenant.attributionModel,
      bindingDays: tenant.bindingDays,
      bindOn: tenant.bindOn,
    },
  );

  const usedClick =
    attribution.clickId === null
      ? null
      : customer.click?.id === attribution.clickId
        ? customer.click
        : (customer.visitorClicks.find((c) => c.id === attribution.clickId) ?? null);
  const base = {
    at,
    customerRef,
    ipHash,
    customer,
    attribution,
    clickedAt: usedClick?.clickedAt ?? null,
  };
  if (attribution.promoterId === null) {
    return { ...base, promoter: null, fraud: null, status: 'approved', ruleSet: null, lines: [] };
  }

  const promoter =
    likely?.promoterId === attribution.promoterId
      ? likely.facts
      : await loadPromoterFacts(db, { ...promoterQuery, promoterId: attribution.promoterId });
  const tenantRate = await tenantConversionRate(
    db,
    tenant.id,
    at,
    fraudSettings.thresholds.conversionRateMinClicks,
  );
  const fraud = scoreConversion(
    fraudFactsOf({ input, at, customerRef, ipHash, customer, promoter, usedClick, tenantRate }),
    fraudSettings,
  );
  const status =
    fraud.decision === 'reject' ? 'rejected' : fraud.decision === 'review' ? 'review' : 'approved';

  if (!version || !ruleSet || promoter.chain.length === 0) {
    return { ...base, promoter, fraud, status, ruleSet: null, lines: [] };
  }
  const order: Order = {
    id: input.orderId,
    amount: input.amount,
    discount: input.discount ?? 0n,
    currency: input.currency,
    items: (input.items ?? []).map((i) => ({
      sku: i.sku,
      category: i.category ?? null,
      quantity: i.quantity,
      unitPrice: i.unitAmount,
      discount: i.discount ?? 0n,
    })),
    occurredAt: at,
    campaign: input.campaign ?? null,
    subId: input.subId ?? null,
    customer: { isNew: customer.customerOrders === 0, orderNumber: customer.customerOrders + 1 },
    subscription:
      source.paymentNumber === undefined
        ? null
        : { paymentNumber: source.paymentNumber, startedAt: source.subscriptionStartedAt ?? at },
  };
  const result = ruleSet.evaluate(
    order,
    promoter.chain.map((m) => ({ ...m, groups: [] })),
    {
      ...engineContext(tenant),
      periodVolume: promoter.periodVolume,
      periodPaid: promoter.periodPaid,
    },
  );
  return {
    ...base,
    promoter,
    fraud,
    status,
    ruleSet: { id: version.ruleSetId, version: version.version },
    lines: result.lines
      .filter((l) => l.amount > 0n)
      .map((l) => ({
        beneficiaryId: l.beneficiaryId,
        level: l.level,
        amount: l.amount,
        ruleId: l.ruleId,
      })),
  };
}

/** The tenant's typical conversion rate moves slowly: computed at most every 10 minutes. */
const TENANT_RATE_TTL_MS = 10 * 60_000;
const TENANT_RATE_WINDOW_MS = 60 * DAY_MS;
const tenantRates = new Map<
  string,
  { at: number; value: { clicks: number; conversions: number } | null }
>();

async function tenantConversionRate(db: Executor, tenantId: string, at: Date, minClicks: number) {
  const key = `${tenantId}:${minClicks}`;
  const cached = tenantRates.get(key);
  if (cached && Math.abs(at.getTime() - cached.at) < TENANT_RATE_TTL_MS) return cached.value;
  const value = await loadTenantConversionRate(db, {
    tenantId,
    since: new Date(at.getTime() - TENANT_RATE_WINDOW_MS),
    at,
    minClicks,
  });
  if (tenantRates.size > 10_000) tenantRates.clear();
  tenantRates.set(key, { at: at.getTime(), value });
  return value;
}

const ledgerLine = (c: CommissionRow): LedgerLine => ({
  id: c.id,
  beneficiaryId: c.beneficiaryId,
  amount: c.amount,
});

/** What a line still carries after refunds and disputes took their part. */
export const remainingLine = (c: CommissionRow): LedgerLine => ({
  id: c.id,
  beneficiaryId: c.beneficiaryId,
  amount: c.amount - c.clawedBack,
});

export interface ConversionDetail {
  conversion: ConversionRow;
  commissions: CommissionRow[];
  refunds: RefundRow[];
}

export async function getConversionDetail(
  deps: Deps,
  tenantId: string,
  id: string,
): Promise<ConversionDetail> {
  const conversion = await getConversion(deps.database.db, tenantId, id);
  if (!conversion) throw notFound('conversion', id);
  return { conversion, ...(await loadConversionDetail(deps.database.db, tenantId, id)) };
}

/** The commission lines of a page of conversions, in one query. */
export async function linesOfConversions(
  deps: Deps,
  tenantId: string,
  conversionIds: readonly string[],
): Promise<CommissionRow[]> {
  return listCommissionsOfConversions(deps.database.db, tenantId, conversionIds);
}

/** A conversion's lines and refunds, read on `db` (a transaction sees its own writes). */
async function loadConversionDetail(
  db: Executor,
  tenantId: string,
  id: string,
): Promise<Pick<ConversionDetail, 'commissions' | 'refunds'>> {
  const commissions = await listCommissionsOfConversion(db, tenantId, id);
  const refunds = await listRefundsOfConversion(db, tenantId, id);
  return { commissions, refunds };
}

export async function listConversions(
  deps: Deps,
  tenantId: string,
  filter: ConversionFilter,
  page: PageRequest,
): Promise<Page<ConversionRow>> {
  return listConversionRows(deps.database.db, tenantId, filter, page);
}

export interface RefundInput {
  /** The merchant's (or Stripe's) refund id; a repeat of it answers the first refund. */
  refundId?: string | undefined;
  amount: bigint;
  reason?: string | undefined;
  occurredAt?: Date | undefined;
}

export interface RecordedRefund {
  refund: RefundRow;
  created: boolean;
}

/**
 * POST /v1/conversions/{id}/refunds: gives back part or all of a conversion. Each commission
 * line keeps what the rules would pay on the net amount, so the clawback is the difference
 * (see `clawbackForRefund`); a full refund leaves every line at zero. The conversion row is
 * locked, so refunds of one conversion apply one after another.
 */
export async function refundConversion(
  deps: Deps,
  tenantId: string,
  conversionId: string,
  input: RefundInput,
): Promise<RecordedRefund> {
  const { db } = deps.database;
  const tenant = await tenantOrThrow(db, tenantId);
  return db.transaction(async (tx) => {
    const conversion = await getConversion(tx, tenantId, conversionId, { lock: true });
    if (!conversion) throw notFound('conversion', conversionId);
    return applyRefund(tx, tenant, conversion, input, deps.clock.now());
  });
}

/** The refund step inside a transaction that holds the conversion's row lock. */
export async function applyRefund(
  tx: Executor,
  tenant: TenantRow,
  conversion: ConversionRow,
  input: RefundInput,
  now: Date,
): Promise<RecordedRefund> {
  if (input.refundId) {
    const known = await getRefundByExternalId(tx, tenant.id, conversion.id, input.refundId);
    if (known) {
      if (known.amount !== input.amount) {
        throw new ApiError(
          'conflict',
          `refundId: refund ${input.refundId} was recorded with another amount (${known.amount})`,
          { errors: [{ path: 'refundId', message: 'recorded already with another amount' }] },
        );
      }
      return { refund: known, created: false };
    }
  }
  if (conversion.status === 'cancelled') {
    throw new ApiError('conflict', `conversion ${conversion.id} is cancelled / 订单已取消`);
  }
  const left = conversion.amount - conversion.refundedAmount;
  if (input.amount > left) {
    throw new ApiError(
      'unprocessable',
      `amount: ${input.amount} exceeds what remains to refund (${left}) / 退款金额超过可退金额`,
      { errors: [{ path: 'amount', message: `must be at most ${left}` }] },
    );
  }

  const id = newId('refund', now.getTime());
  const commissions = await listCommissionsOfConversion(tx, tenant.id, conversion.id);
  const live = commissions.filter((c) => c.status !== 'voided');
  const clawback =
    live.length === 0
      ? null
      : clawbackForRefund({
          refundId: id,
          currency: conversion.currency as Currency,
          lines: live.map(ledgerLine),
          chargeAmount: conversion.amount,
          refundedBefore: conversion.refundedAmount,
          refundAmount: input.amount,
          roundingKey: tenant.roundingMode,
          from: live.some((c) => c.status === 'held') ? 'held' : 'pending',
        });

  const refund = await insertRefundUnlessKnown(tx, {
    tenantId: tenant.id,
    id,
    conversionId: conversion.id,
    externalId: input.refundId ?? id,
    amount: input.amount,
    currency: conversion.currency,
    clawback: clawback?.total ?? 0n,
    reason: input.reason ?? null,
    occurredAt: input.occurredAt ?? now,
  });
  if (!refund) throw new ApiError('conflict', `refund ${input.refundId} is being recorded`);

  for (const line of clawback?.lines ?? []) {
    const row = live.find((c) => c.id === line.id);
    if (row && line.clawback !== 0n) {
      await updateCommission(tx, tenant.id, line.id, {
        clawedBack: row.clawedBack + line.clawback,
      });
    }
  }
  await updateConversion(tx, tenant.id, conversion.id, {
    refundedAmount: conversion.refundedAmount + input.amount,
  });
  await writeEntries(tx, tenant.id, clawback?.entries ?? [], conversion.id);
  return { refund, created: true };
}

/**
 * POST /v1/conversions/{id}/cancel: the merchant cancelled the order. What the lines still
 * carry goes back to the expense; the conversion stays, marked cancelled. Cancelling twice
 * answers the cancelled conversion.
 */
export async function cancelConversion(
  deps: Deps,
  actor: Actor,
  conversionId: string,
  reason: string | undefined,
): Promise<ConversionRow> {
  const { db } = deps.database;
  return db.transaction(async (tx) => {
    const conversion = await getConversion(tx, actor.tenantId, conversionId, { lock: true });
    if (!conversion) throw notFound('conversion', conversionId);
    if (conversion.status === 'cancelled') return conversion;
    await voidLines(tx, conversion);
    const after = await updateConversion(tx, actor.tenantId, conversionId, {
      status: 'cancelled',
      reviewNote: reason ?? conversion.reviewNote,
    });
    await recordAudit(tx, actor, {
      action: 'conversion.cancel',
      entityType: 'conversion',
      entityId: conversionId,
      before: { status: conversion.status },
      after: { status: 'cancelled', reason: reason ?? null },
    });
    return after ?? conversion;
  });
}

/** Voids every live line: held lines back from held, pending ones from pending. */
async function voidLines(tx: Executor, conversion: ConversionRow): Promise<void> {
  const commissions = await listCommissionsOfConversion(tx, conversion.tenantId, conversion.id);
  const currency = conversion.currency as Currency;
  const held = commissions.filter((c) => c.status === 'held').map(remainingLine);
  const pending = commissions.filter((c) => c.status === 'pending').map(remainingLine);
  const entries = [
    ...reviewEntries('void', { conversionId: conversion.id, currency, lines: held }),
    ...voidEntries(pending.map((l) => ({ ...l, currency }))),
  ];
  await writeEntries(tx, conversion.tenantId, entries, conversion.id);
  for (const c of commissions) {
    if (c.status !== 'voided') await updateCommission(tx, c.tenantId, c.id, { status: 'voided' });
  }
}

export type ReviewDecision = 'approve' | 'reject';

/**
 * POST /v1/reviews/{id}/approve|reject. A held conversion (review) is released to pending or
 * voided; a conversion the score rejected can be approved (its commission is then accrued
 * for what refunds left); an approved one can still be rejected when fraud shows up late.
 * A person's rejection is final. Audit logged with the reason.
 */
export async function decideReview(
  deps: Deps,
  actor: Actor,
  conversionId: string,
  decision: ReviewDecision,
  note: string | undefined,
): Promise<ConversionRow> {
  const { db } = deps.database;
  const tenant = await tenantOrThrow(db, actor.tenantId);
  return db.transaction(async (tx) => {
    const conversion = await getConversion(tx, actor.tenantId, conversionId, { lock: true });
    if (!conversion) throw notFound('conversion', conversionId);
    const from = conversion.status;
    const target = decision === 'approve' ? 'approved' : 'rejected';
    if (from === 'cancelled' || (from === 'rejected' && conversion.reviewedAt !== null)) {
      throw new ApiError(
        'conflict',
        `conversion ${conversionId} is ${from} and can no longer be reviewed / 该订单不可再审核`,
      );
    }
    if (from === target) return conversion;

    const currency = conversion.currency as Currency;
    const commissions = await listCommissionsOfConversion(tx, tenant.id, conversionId);
    if (decision === 'approve' && from === 'review') {
      const lines = commissions.filter((c) => c.status === 'held').map(remainingLine);
      await writeEntries(
        tx,
        tenant.id,
        reviewEntries('release', { conversionId, currency, lines }),
        conversionId,
      );
      for (const c of commissions) {
        if (c.status === 'held') await updateCommission(tx, tenant.id, c.id, { status: 'pending' });
      }
    } else if (decision === 'approve') {
      // Rejected by the score: nothing was accrued, so accrue what the refunds left.
      const kept = remainingAfterRefunds({
        lines: commissions.map(ledgerLine),
        chargeAmount: conversion.amount,
        refunded: conversion.refundedAmount,
        roundingKey: tenant.roundingMode,
      });
      await writeEntries(
        tx,
        tenant.id,
        accrualEntries(kept.map((l) => ({ ...l, currency }))),
        conversionId,
      );
      for (const c of commissions) {
        const keptAmount = kept.find((k) => k.id === c.id)?.amount ?? 0n;
        await updateCommission(tx, tenant.id, c.id, {
          status: 'pending',
          clawedBack: c.amount - keptAmount,
        });
      }
    } else {
      await voidLines(tx, conversion);
    }

    const after = await updateConversion(tx, tenant.id, conversionId, {
      status: target,
      reviewedBy: actor.id,
      reviewedAt: deps.clock.now(),
      reviewNote: note ?? null,
    });
    await recordAudit(tx, actor, {
      action: `review.${decision}`,
      entityType: 'conversion',
      entityId: conversionId,
      before: { status: from, fraudScore: conversion.fraudScore },
      after: { status: target, note: note ?? null },
    });
    return after ?? conversion;
  });
}
