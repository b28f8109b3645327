import fc from 'fast-check';
import type { Condition } from '../conditions-schema';
import type { RuleInput } from '../schema';
import type { ChainMember, EvaluationContext, Order, OrderItem } from '../types';

/**
 * Random rule sets, orders, chains and contexts for property tests. Values come from small
 * domains (a few SKUs, categories, campaigns, dates) so that conditions match often enough.
 */

export const SKUS = ['A', 'B', 'C', 'D'];
export const CATEGORIES = ['x', 'y', 'z'];
const CAMPAIGNS = ['c1', 'c2'];
const TIERS = ['t1', 't2'];
const GROUPS = ['g1', 'g2', 'g3'];
/** 2026-01-01T00:00:00Z; orders fall within ten days of it. */
export const EPOCH = Date.UTC(2026, 0, 1);

const money = (max: number) => fc.integer({ min: 0, max }).map(String);

/** A rate: common round ones, or any with up to 8 decimals below 0.3. */
export const rateArb = fc.oneof(
  fc.constantFrom('0', '0.01', '0.02', '0.05', '0.1', '0.15', '0.5', '1'),
  fc
    .integer({ min: 0, max: 30_000_000 })
    .map((n) => (n / 1e8).toFixed(8).replace(/\.?0+$/, '') || '0'),
);

const dateArb = fc
  .integer({ min: 0, max: 9 })
  .map((d) => new Date(EPOCH + d * 86400000).toISOString().slice(0, 10));
const clockArb = fc.integer({ min: 0, max: 23 }).map((h) => `${String(h).padStart(2, '0')}:00`);

function pair<T>(arb: fc.Arbitrary<T>, less: (a: T, b: T) => boolean): fc.Arbitrary<[T, T]> {
  return fc.tuple(arb, arb).map(([a, b]): [T, T] => (less(b, a) ? [b, a] : [a, b]));
}

const cmpOp = fc.constantFrom('eq', 'ne', 'gt', 'gte', 'lt', 'lte') as fc.Arbitrary<'eq'>;
const textOp = fc.constantFrom('eq', 'ne') as fc.Arbitrary<'eq'>;
const listOp = fc.constantFrom('in', 'notIn') as fc.Arbitrary<'in'>;

function textPredicate(field: string, values: string[]): fc.Arbitrary<Condition> {
  return fc.oneof(
    fc.record({ field: fc.constant(field), op: textOp, value: fc.constantFrom(...values) }),
    fc.record({
      field: fc.constant(field),
      op: listOp,
      value: fc.subarray(values, { minLength: 1 }),
    }),
  ) as fc.Arbitrary<Condition>;
}

function orderedPredicate<T>(field: string, value: fc.Arbitrary<T>, less: (a: T, b: T) => boolean) {
  return fc.oneof(
    fc.record({ field: fc.constant(field), op: cmpOp, value }),
    fc.record({ field: fc.constant(field), op: fc.constant('between'), value: pair(value, less) }),
  ) as fc.Arbitrary<Condition>;
}

const lessNum = (a: number, b: number) => a < b;
const lessMoney = (a: string, b: string) => BigInt(a) < BigInt(b);
const lessText = (a: string, b: string) => a < b;

export const predicateArb: fc.Arbitrary<Condition> = fc.oneof(
  orderedPredicate('order.amount', money(20000), lessMoney),
  textPredicate('order.currency', ['CNY', 'USD']),
  textPredicate('order.campaign', CAMPAIGNS),
  textPredicate('order.subId', ['s1', 's2']),
  orderedPredicate('order.date', dateArb, lessText),
  fc.record({
    field: fc.constant('order.time'),
    op: fc.constant('between'),
    value: fc.tuple(clockArb, clockArb).filter(([a, b]) => a !== b),
  }) as fc.Arbitrary<Condition>,
  textPredicate('item.sku', SKUS),
  textPredicate('item.category', CATEGORIES),
  orderedPredicate('item.quantity', fc.integer({ min: 0, max: 4 }), lessNum),
  orderedPredicate('item.unitPrice', money(5000), lessMoney),
  fc.record({
    field: fc.constant('customer.isNew'),
    op: fc.constant('eq'),
    value: fc.boolean(),
  }) as fc.Arbitrary<Condition>,
  orderedPredicate('customer.orderNumber', fc.integer({ min: 1, max: 4 }), lessNum),
  textPredicate('promoter.tier', TIERS),
  orderedPredicate('promoter.tierLevel', fc.integer({ min: 1, max: 3 }), lessNum),
  textPredicate('promoter.group', GROUPS),
  orderedPredicate('promoter.periodVolume', money(100000), lessMoney),
  fc.record({
    field: fc.constant('order.weekday'),
    op: listOp,
    value: fc.subarray([1, 2, 3, 4, 5, 6, 7], { minLength: 1 }),
  }) as fc.Arbitrary<Condition>,
);

/**
 * Condition trees within the schema's limits (at most 100 predicates, 8 deep): at most four
 * levels of all/any/not of at most three branches, so 81 predicates at the very most.
 */
export const conditionArb: fc.Arbitrary<Condition> = fc.letrec<{ c: Condition }>((tie) => ({
  c: fc.oneof(
    { depthSize: 'small', withCrossShrink: true, maxDepth: 4 },
    predicateArb,
    fc.record({ all: fc.array(tie('c'), { minLength: 1, maxLength: 3 }) }),
    fc.record({ any: fc.array(tie('c'), { minLength: 1, maxLength: 3 }) }),
    fc.record({ not: tie('c') }),
  ),
})).c;

const bracketsArb = fc
  .uniqueArray(fc.integer({ min: 1, max: 50000 }), { maxLength: 3 })
  .chain((froms) =>
    fc.tuple(
      ...[0, ...froms.sort((a, b) => a - b)].map((from) =>
        rateArb.map((rate) => ({ from: String(from), rate })),
      ),
    ),
  );

const payoutArb = fc.oneof(
  fc.record({ kind: fc.constant('percent' as const), rate: rateArb }),
  fc.record({
    kind: fc.constant('fixed' as const),
    per: fc.constantFrom('order' as const, 'item' as const),
    amount: money(3000),
  }),
  fc.record({
    kind: fc.constant('tiered' as const),
    by: fc.constantFrom('period_volume' as const, 'order_amount' as const),
    method: fc.constantFrom('flat' as const, 'marginal' as const),
    brackets: bracketsArb,
  }),
);

const uplineArb = fc.array(
  fc.oneof(
    rateArb.map((rate) => ({ rate })),
    rateArb.map((share) => ({ share })),
  ),
  { maxLength: 3 },
);

const recurringArb = fc.oneof(
  fc.constant({ mode: 'first_payment' as const }),
  fc.constant({ mode: 'every_payment' as const }),
  fc.integer({ min: 1, max: 3 }).map((months) => ({ mode: 'first_months' as const, months })),
);

function ruleArb(id: string): fc.Arbitrary<RuleInput> {
  return fc
    .record(
      {
        priority: fc.integer({ min: 0, max: 2 }),
        stacking: fc.constantFrom('exclusive' as const, 'additive' as const),
        when: fc.option(conditionArb, { nil: undefined, freq: 3 }),
        basis: fc.record({
          scope: fc.constantFrom('order' as const, 'items' as const),
          discounts: fc.constantFrom('after' as const, 'before' as const),
        }),
        payout: payoutArb,
        upline: uplineArb,
        perItem: fc.option(money(800), { nil: undefined, freq: 2 }),
        perOrder: fc.option(money(3000), { nil: undefined, freq: 2 }),
        perPromoterPeriod: fc.option(money(5000), { nil: undefined, freq: 2 }),
        effective: fc.option(
          pair(fc.integer({ min: -2, max: 12 }), lessNum)
            .filter(([a, b]) => a !== b)
            .map(([a, b]) => ({
              from: new Date(EPOCH + a * 86400000).toISOString(),
              to: new Date(EPOCH + b * 86400000).toISOString(),
            })),
          { nil: undefined, freq: 4 },
        ),
        recurring: recurringArb,
      },
      { requiredKeys: ['priority', 'stacking', 'basis', 'payout', 'upline', 'recurring'] },
    )
    .map((r) => {
      const perItemAllowed =
        (r.payout.kind === 'fixed' && r.payout.per === 'item') ||
        (r.payout.kind === 'percent' && r.basis.scope === 'items');
      const caps = {
        ...(r.perItem !== undefined && perItemAllowed ? { perItem: r.perItem } : {}),
        ...(r.perOrder !== undefined ? { perOrder: r.perOrder } : {}),
        ...(r.perPromoterPeriod !== undefined ? { perPromoterPeriod: r.perPromoterPeriod } : {}),
      };
      return {
        id,
        name: `Rule ${id}`,
        priority: r.priority,
        stacking: r.stacking,
        ...(r.when ? { when: r.when } : {}),
        basis: r.basis,
        payout: r.payout,
        upline: r.upline,
        ...(Object.keys(caps).length > 0 ? { caps } : {}),
        ...(r.effective ? { effective: r.effective } : {}),
        recurring: r.recurring,
      };
    });
}

/** 1 to 6 rules with ids r0, r1, ... */
export const ruleSetArb = fc
  .integer({ min: 1, max: 6 })
  .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => ruleArb(`r${i}`))))
  .map((rules) => ({ currency: 'CNY' as const, rules }));

const itemArb: fc.Arbitrary<OrderItem> = fc.record({
  sku: fc.constantFrom(...SKUS),
  category: fc.option(fc.constantFrom(...CATEGORIES), { nil: null, freq: 5 }),
  quantity: fc.integer({ min: 1, max: 4 }),
  unitPrice: fc.bigInt({ min: 0n, max: 5000n }),
  discount: fc.bigInt({ min: 0n, max: 3000n }),
});

export const orderArb: fc.Arbitrary<Order> = fc.record({
  amount: fc.bigInt({ min: 0n, max: 20000n }),
  discount: fc.bigInt({ min: 0n, max: 3000n }),
  currency: fc.constantFrom('CNY', 'CNY', 'CNY', 'USD'),
  items: fc.array(itemArb, { maxLength: 5 }),
  occurredAt: fc.integer({ min: 0, max: 10 * 24 * 60 - 1 }).map((m) => new Date(EPOCH + m * 60000)),
  campaign: fc.option(fc.constantFrom(...CAMPAIGNS), { nil: null }),
  subId: fc.option(fc.constantFrom('s1', 's2'), { nil: null }),
  customer: fc.record({ isNew: fc.boolean(), orderNumber: fc.integer({ min: 1, max: 4 }) }),
  subscription: fc.option(
    fc.record({
      paymentNumber: fc.integer({ min: 1, max: 6 }),
      startedAt: fc.integer({ min: -120, max: 0 }).map((d) => new Date(EPOCH + d * 86400000)),
    }),
    { nil: null, freq: 3 },
  ),
});

/** 1 to 3 promoters with distinct, randomly ordered ids (so ties by id are exercised). */
export const chainArb: fc.Arbitrary<ChainMember[]> = fc
  .uniqueArray(fc.constantFrom('p1', 'p2', 'p3', 'p4', 'p5', 'p6'), { minLength: 1, maxLength: 3 })
  .chain((ids) =>
    fc.tuple(
      ...ids.map((id) =>
        fc.record({
          id: fc.constant(id),
          tierId: fc.option(fc.constantFrom(...TIERS), { nil: null }),
          tierLevel: fc.option(fc.integer({ min: 1, max: 3 }), { nil: null }),
          groups: fc.subarray(GROUPS),
        }),
      ),
    ),
  );

export const contextArb: fc.Arbitrary<EvaluationContext> = fc.record({
  timeZone: fc.constant('Asia/Shanghai'),
  roundingMode: fc.constantFrom('down' as const, 'half_up' as const, 'half_even' as const),
  maxCommissionShareBps: fc.oneof(
    fc.constant(5000),
    fc.constant(10000),
    fc.integer({ min: 0, max: 10000 }),
  ),
  distributionDepth: fc.integer({ min: 1, max: 3 }),
  complianceProfile: fc.constantFrom('CN' as const, 'GLOBAL' as const),
  periodVolume: fc.bigInt({ min: 0n, max: 100000n }),
  periodPaid: fc.record({
    r0: fc.bigInt({ min: 0n, max: 6000n }),
    r1: fc.bigInt({ min: 0n, max: 6000n }),
  }),
});

/** Asia/Shanghai is UTC+8 all year. */
export const SHANGHAI_OFFSET_MINUTES = 8 * 60;
