import {
  type ChainMember,
  type CommissionLine,
  type CompiledRuleSet,
  type Currency,
  compiledRuleSet,
  type EvaluationContext,
  type ExplanationJson,
  explanationJson,
  localTime,
  type Order,
} from '@tuike/core';
import {
  type Executor,
  getPublishedVersion,
  getWorkingVersion,
  listRecordedConversions,
  loadPromoterChain,
  type RecordedConversion,
  type RuleSetVersionRow,
} from '@tuike/db';
import type { Deps } from '../deps';
import { ApiError, invalidField } from '../lib/errors';
import {
  engineContext,
  ruleSetOrThrow,
  storedContent,
  tenantOrThrow,
  versionOrThrow,
} from './rule-sets';

/** An order to simulate, as the API takes it: money as minor-unit strings. */
export interface SimulatedOrder {
  id?: string | undefined;
  amount: string;
  discount?: string | undefined;
  currency?: Currency | undefined;
  items?:
    | {
        sku: string;
        category?: string | null | undefined;
        quantity: number;
        unitPrice: string;
        discount?: string | undefined;
      }[]
    | undefined;
  occurredAt?: string | undefined;
  campaign?: string | null | undefined;
  subId?: string | null | undefined;
  customer?: { isNew?: boolean | undefined; orderNumber?: number | undefined } | undefined;
  subscription?: { paymentNumber: number; startedAt: string } | undefined;
  promoterId?: string | undefined;
  chain?: ChainMember[] | undefined;
  periodVolume?: string | undefined;
  periodPaid?: Record<string, string> | undefined;
}

export interface SimulationResult {
  orderId: string | null;
  currency: Currency;
  total: bigint;
  lines: CommissionLine[];
  explanation: ExplanationJson;
}

/** The version to use: the one named, else the working draft, else the published one. */
async function pickVersion(db: Executor, tenantId: string, ruleSetId: string, version?: number) {
  const view = await ruleSetOrThrow(db, tenantId, ruleSetId);
  const chosen = version ?? view.workingVersion ?? view.publishedVersion;
  if (chosen === null) {
    throw new ApiError('conflict', `rule set ${ruleSetId} has no version to simulate`);
  }
  return versionOrThrow(db, tenantId, ruleSetId, chosen);
}

/** Compiled once per request; a released version comes from the cache. */
function compile(row: RuleSetVersionRow): CompiledRuleSet {
  const released = row.status === 'published' || row.status === 'archived';
  return compiledRuleSet({
    id: row.ruleSetId,
    version: row.version,
    content: storedContent(row),
    contentHash: released ? row.contentHash : null,
  });
}

function toOrder(o: SimulatedOrder, currency: Currency, now: Date): Order {
  const orderNumber = o.customer?.orderNumber ?? 1;
  return {
    ...(o.id ? { id: o.id } : {}),
    amount: BigInt(o.amount),
    discount: BigInt(o.discount ?? '0'),
    currency: o.currency ?? currency,
    items: (o.items ?? []).map((i) => ({
      sku: i.sku,
      category: i.category ?? null,
      quantity: i.quantity,
      unitPrice: BigInt(i.unitPrice),
      discount: BigInt(i.discount ?? '0'),
    })),
    occurredAt: o.occurredAt ? new Date(o.occurredAt) : now,
    campaign: o.campaign ?? null,
    subId: o.subId ?? null,
    customer: { isNew: o.customer?.isNew ?? orderNumber === 1, orderNumber },
    subscription: o.subscription
      ? {
          paymentNumber: o.subscription.paymentNumber,
          startedAt: new Date(o.subscription.startedAt),
        }
      : null,
  };
}

async function chainOf(db: Executor, tenantId: string, o: SimulatedOrder, i: number) {
  if (o.chain) return o.chain;
  const chain = await loadPromoterChain(db, tenantId, o.promoterId ?? '', 3);
  if (!chain)
    throw invalidField(`orders.${i}.promoterId`, `promoter ${o.promoterId} does not exist`);
  return chain;
}

/** POST /v1/rule-sets/{id}/simulate: lines and explanations; nothing is stored. */
export async function simulate(
  deps: Deps,
  tenantId: string,
  ruleSetId: string,
  input: { version?: number | undefined; orders: SimulatedOrder[]; trace?: boolean | undefined },
) {
  const db = deps.database.db;
  const row = await pickVersion(db, tenantId, ruleSetId, input.version);
  const tenant = await tenantOrThrow(db, tenantId);
  const compiled = compile(row);
  const base = engineContext(tenant);
  const results: SimulationResult[] = [];
  for (const [i, o] of input.orders.entries()) {
    const chain = await chainOf(db, tenantId, o, i);
    const context: EvaluationContext = {
      ...base,
      periodVolume: BigInt(o.periodVolume ?? '0'),
      periodPaid: Object.fromEntries(
        Object.entries(o.periodPaid ?? {}).map(([k, v]) => [k, BigInt(v)]),
      ),
      trace: input.trace ?? true,
    };
    const order = toOrder(o, tenant.currency as Currency, deps.clock.now());
    const result = compiled.evaluate(order, chain, context);
    results.push({
      orderId: o.id ?? null,
      currency: result.currency,
      total: result.total,
      lines: result.lines,
      explanation: explanationJson(result.explanation),
    });
  }
  return { ruleSetId, version: row.version, status: row.status, results };
}

export interface BacktestRow {
  promoterId: string;
  currency: Currency;
  draft: bigint;
  published: bigint;
}

/** Evaluates conversions in order, counting what each rule paid per promoter and month. */
function replay(
  compiled: CompiledRuleSet | null,
  conversions: RecordedConversion[],
  base: EvaluationContext,
  add: (line: CommissionLine) => void,
): void {
  if (!compiled) return;
  const paidInPeriod = new Map<string, Record<string, bigint>>();
  for (const c of conversions) {
    const seller = c.chain[0]?.id ?? '';
    const month = localTime(c.occurredAt.getTime(), base.timeZone);
    const key = `${seller}|${month.year}-${month.month}`;
    const periodPaid = paidInPeriod.get(key) ?? {};
    const result = compiled.evaluate(c.order, c.chain, {
      ...base,
      periodVolume: c.periodVolume,
      periodPaid,
    });
    for (const line of result.lines) {
      periodPaid[line.ruleId] = (periodPaid[line.ruleId] ?? 0n) + line.amount;
      add(line);
    }
    paidInPeriod.set(key, periodPaid);
  }
}

/**
 * POST /v1/rule-sets/{id}/backtest: replays the tenant's recorded conversions in [from, to)
 * under the working draft and under the published version, and returns what each promoter
 * would earn under each and the difference.
 */
export async function backtest(
  deps: Deps,
  tenantId: string,
  ruleSetId: string,
  range: { from: Date; to: Date },
) {
  const db = deps.database.db;
  await ruleSetOrThrow(db, tenantId, ruleSetId);
  const tenant = await tenantOrThrow(db, tenantId);
  const [draft, published] = await Promise.all([
    getWorkingVersion(db, tenantId, ruleSetId),
    getPublishedVersion(db, tenantId, ruleSetId),
  ]);
  const conversions = await listRecordedConversions(db, tenantId, range);
  const base = engineContext(tenant);

  const rows = new Map<string, BacktestRow>();
  const tally = (which: 'draft' | 'published') => (line: CommissionLine) => {
    const key = `${line.beneficiaryId}|${line.currency}`;
    const row = rows.get(key) ?? {
      promoterId: line.beneficiaryId,
      currency: line.currency,
      draft: 0n,
      published: 0n,
    };
    row[which] += line.amount;
    rows.set(key, row);
  };
  replay(draft ? compile(draft) : null, conversions, base, tally('draft'));
  replay(published ? compile(published) : null, conversions, base, tally('published'));

  const promoters = [...rows.values()].sort((a, b) =>
    a.promoterId === b.promoterId
      ? a.currency < b.currency
        ? -1
        : 1
      : a.promoterId < b.promoterId
        ? -1
        : 1,
  );
  const totals = new Map<Currency, { currency: Currency; draft: bigint; published: bigint }>();
  for (const p of promoters) {
    const t = totals.get(p.currency) ?? { currency: p.currency, draft: 0n, published: 0n };
    t.draft += p.draft;
    t.published += p.published;
    totals.set(p.currency, t);
  }
  return {
    ruleSetId,
    from: range.from,
    to: range.to,
    conversions: conversions.length,
    draftVersion: draft?.version ?? null,
    publishedVersion: published?.version ?? null,
    totals: [...totals.values()],
    promoters,
  };
}
