import { type Currency, isCurrency } from '../money';
import { maxDistributionDepth } from '../tenant-settings';
import { allocate, roundScaled } from './allocate';
import type { CompiledRule } from './compile-rule';
import { traceCondition } from './conditions';
import { EXACT_SCALE } from './decimal';
import { type ItemFacts, OrderFacts } from './facts';
import { type ItemIndex, itemCandidates } from './item-index';
import { monthsBetween } from './local-time';
import { computeRule, type RuleAmounts } from './payout';
import type {
  ChainMember,
  CommissionLine,
  EvaluationContext,
  Order,
  RuleSetVersionRef,
} from './types';

export type RuleStatus =
  | 'paid'
  | 'outranked'
  | 'no_match'
  | 'not_effective'
  | 'not_recurring'
  | 'other_currency';

/** What happened to one rule. Without tracing, only rules that matched are listed. */
export interface RuleOutcome {
  rule: CompiledRule;
  status: RuleStatus;
  /** The items the condition matched, when it tests items. */
  matchedItems?: readonly ItemFacts[];
  amounts?: RuleAmounts;
  /** What the rule pays after the order-wide rounding and maximum share. */
  allocated?: bigint;
  /** How `allocated` was split among the paid levels (index = level). */
  split?: bigint[];
  /** Predicate by predicate, when tracing. */
  trace?: string[];
}

export interface Explanation {
  ruleSetId: string;
  ruleSetVersion: number;
  currency: Currency;
  orderAmount: bigint;
  beneficiaries: string[];
  paidLevels: number;
  outcomes: RuleOutcome[];
  ruleCount: number;
  winner: string | null;
  /** Sum of the paying rules' pools, exact (10^-16 minor units). */
  exact: bigint;
  /** The tenant's maximum share of this order, in minor units. */
  maxShare: bigint;
  maxShareBps: number;
  clamped: boolean;
  rounding: EvaluationContext['roundingMode'];
  total: bigint;
}

export interface EvaluationResult {
  lines: CommissionLine[];
  total: bigint;
  currency: Currency;
  explanation: Explanation;
}

function checkChain(chain: readonly ChainMember[]): void {
  if (chain.length === 0) throw new RangeError('the promoter chain is empty');
  for (let i = 1; i < chain.length; i++) {
    for (let j = 0; j < i; j++) {
      if (chain[i]?.id === chain[j]?.id)
        throw new RangeError('the promoter chain repeats a promoter');
    }
  }
}

function skipReason(
  r: CompiledRule,
  order: Order,
  o: OrderFacts,
  setCurrency: Currency,
  tz: string,
) {
  const at = o.occurredAtMs;
  if (at < r.fromMs || at >= r.toMs) return 'not_effective';
  if (r.moneyBound && order.currency !== setCurrency) return 'other_currency';
  const sub = order.subscription;
  if (!sub) return null;
  const mode = r.rule.recurring;
  if (mode.mode === 'first_payment' && sub.paymentNumber !== 1) return 'not_recurring';
  if (mode.mode === 'first_months') {
    if (monthsBetween(sub.startedAt.getTime(), at, tz) >= mode.months) return 'not_recurring';
  }
  return null;
}

/** The items a rule matched, or null when the rule does not match the order. */
function matchItems(r: CompiledRule, o: OrderFacts): ItemFacts[] | null {
  const c = r.condition;
  if (!c) return o.items;
  if (!c.usesItems || o.items.length === 0) return c.test(o, null) ? o.items : null;
  let matched: ItemFacts[] | null = null;
  for (const item of o.items) {
    if (!c.test(o, item)) continue;
    if (matched) matched.push(item);
    else matched = [item];
  }
  return matched;
}

function traceOf(r: CompiledRule, o: OrderFacts): string[] {
  const c = r.condition;
  if (!c) return ['✓ no condition: every order matches'];
  if (!c.usesItems || o.items.length === 0) return traceCondition(c, o, null);
  return o.items.slice(0, 20).flatMap((item, i) => {
    const lines = traceCondition(c, o, item).map((l) => `  ${l}`);
    return [`item ${i + 1} (${item.sku}):`, ...lines];
  });
}

/** Every outcome gets every field up front, so all share one object shape (fast property reads). */
function newOutcome(
  rule: CompiledRule,
  status: RuleStatus,
  trace: string[] | undefined,
): RuleOutcome {
  return {
    rule,
    status,
    matchedItems: undefined,
    amounts: undefined,
    allocated: undefined,
    split: undefined,
    trace,
  };
}

/** Among exclusive rules of equal priority: the larger pool, then the earlier rule. */
function better(a: RuleOutcome, b: RuleOutcome): boolean {
  const pa = a.amounts?.pool ?? 0n;
  const pb = b.amounts?.pool ?? 0n;
  if (pa !== pb) return pa > pb;
  return a.rule.index < b.rule.index;
}

/**
 * Which rules match, and the amounts of those that may pay: every additive rule and the
 * exclusive rules of the highest matching priority (the best of which wins). Lower-priority
 * exclusive rules are outranked without computing them, unless tracing.
 */
function collectOutcomes(
  rules: readonly CompiledRule[],
  index: ItemIndex | null,
  ref: RuleSetVersionRef,
  order: Order,
  o: OrderFacts,
  paid: number,
  context: EvaluationContext,
): RuleOutcome[] {
  const outcomes: RuleOutcome[] = [];
  const matchedItems: ItemFacts[][] = [];
  let top = Number.NEGATIVE_INFINITY;
  const candidates = index ? itemCandidates(index, o) : null;
  for (const r of rules) {
    const skip = skipReason(r, order, o, ref.content.currency, context.timeZone);
    const ruledOut = candidates !== null && index?.keyed[r.index] && candidates[r.index] === 0;
    const items = skip || ruledOut ? null : matchItems(r, o);
    if (!items) {
      if (context.trace) {
        outcomes.push(newOutcome(r, skip ?? 'no_match', traceOf(r, o)));
      }
      continue;
    }
    const outcome = newOutcome(r, 'paid', context.trace ? traceOf(r, o) : undefined);
    if (r.condition?.usesItems) outcome.matchedItems = items;
    if (r.exclusive && r.priority > top) top = r.priority;
    outcomes.push(outcome);
    matchedItems.push(items);
  }

  let winner: RuleOutcome | null = null;
  let m = 0;
  for (const x of outcomes) {
    if (x.status !== 'paid') continue;
    const items = matchedItems[m++] ?? [];
    const contends = !x.rule.exclusive || x.rule.priority === top;
    if (contends || context.trace) {
      x.amounts = computeRule(x.rule, o, items, paid, context.periodPaid?.[x.rule.id] ?? 0n);
    }
    if (!x.rule.exclusive) continue;
    if (!contends) x.status = 'outranked';
    else if (!winner || better(x, winner)) {
      if (winner) winner.status = 'outranked';
      winner = x;
    } else x.status = 'outranked';
  }
  return outcomes;
}

/** Exact values are `amount × mul / den` minor units. */
interface Scale {
  mul: bigint;
  den: bigint;
}
const UNCLAMPED: Scale = { mul: 1n, den: EXACT_SCALE };

let lastBps = -1;
let lastBpsBig = 0n;
/** The maximum share as a bigint, remembered: tenants rarely change it. */
function bpsOf(bps: number): bigint {
  if (bps !== lastBps) {
    lastBps = bps;
    lastBpsBig = BigInt(bps);
  }
  return lastBpsBig;
}

/** Splits the order total among the paying rules, ties by rule id. */
function splitAmongRules(total: bigint, paying: RuleOutcome[], { mul, den }: Scale): bigint[] {
  const nums = paying.map((x) => (x.amounts?.pool ?? 0n) * mul);
  return allocate(
    total,
    nums,
    den,
    paying.map((x) => x.rule.id),
  );
}

/**
 * Evaluates a compiled rule set against one order. Exact amounts are summed, clamped to the
 * tenant's maximum share of the order, rounded once by the tenant's rule, and then split by
 * largest remainder: first among the paying rules (ties by rule id), then within each rule
 * among its levels (ties by beneficiary id). Nothing depends on the order of items.
 */
export function evaluateCompiled(
  rules: readonly CompiledRule[],
  index: ItemIndex | null,
  ref: RuleSetVersionRef,
  order: Order,
  chain: readonly ChainMember[],
  context: EvaluationContext,
): EvaluationResult {
  checkChain(chain);
  if (!isCurrency(order.currency)) throw new RangeError(`unknown currency ${order.currency}`);
  const currency = order.currency;
  const paid = Math.min(
    context.distributionDepth,
    maxDistributionDepth(context.complianceProfile),
    chain.length,
  );
  const o = new OrderFacts(order, chain[0], context);
  const outcomes = collectOutcomes(rules, index, ref, order, o, paid, context);
  const paying: RuleOutcome[] = [];
  let exact = 0n;
  for (const x of outcomes) {
    if (x.status !== 'paid') continue;
    paying.push(x);
    exact += x.amounts?.pool ?? 0n;
  }
  const maxShare = (order.amount * bpsOf(context.maxCommissionShareBps)) / 10000n;
  const clamped = exact > maxShare * EXACT_SCALE;
  // The exact value of each rule's part is pool / EXACT_SCALE, or pool × maxShare / exact when
  // the maximum share clamps the order: the same proportions, a smaller total.
  const scale: Scale = clamped ? { mul: maxShare, den: exact } : UNCLAMPED;
  const total = clamped ? maxShare : roundScaled(exact, EXACT_SCALE, context.roundingMode);

  const lines: CommissionLine[] = [];
  if (total > 0n) {
    const parts = paying.length === 1 ? [total] : splitAmongRules(total, paying, scale);
    for (let i = 0; i < paying.length; i++) {
      const x = paying[i] as RuleOutcome;
      x.allocated = parts[i] ?? 0n;
      pushLines(lines, x, chain, scale, currency, ref);
    }
  }

  const winner = paying.find((x) => x.rule.exclusive)?.rule.id ?? null;
  return {
    lines,
    total,
    currency,
    explanation: {
      ruleSetId: ref.id,
      ruleSetVersion: ref.version,
      currency,
      orderAmount: order.amount,
      beneficiaries: chain.slice(0, paid).map((m) => m.id),
      paidLevels: paid,
      outcomes,
      ruleCount: rules.length,
      winner,
      exact,
      maxShare,
      maxShareBps: context.maxCommissionShareBps,
      clamped,
      rounding: context.roundingMode,
      total,
    },
  };
}

/** Splits a rule's allocated amount among its levels and appends the non-zero lines. */
function pushLines(
  lines: CommissionLine[],
  x: RuleOutcome,
  chain: readonly ChainMember[],
  { mul, den }: Scale,
  currency: Currency,
  ref: RuleSetVersionRef,
): void {
  const a = x.amounts;
  const allocated = x.allocated ?? 0n;
  if (!a || allocated === 0n) return;
  // Level k's exact value is levels[k] × (pool / uncapped) × (mul / den).
  const capped = a.pool !== a.uncapped;
  const split =
    a.levels.length === 1
      ? [allocated]
      : allocate(
          allocated,
          a.levels.map((l) => (capped ? l * a.pool * mul : mul === 1n ? l : l * mul)),
          capped ? a.uncapped * den : den,
          a.levels.map((_, k) => chain[k]?.id ?? ''),
        );
  x.split = split;
  split.forEach((amount, level) => {
    const beneficiary = chain[level];
    if (amount === 0n || !beneficiary) return;
    lines.push({
      beneficiaryId: beneficiary.id,
      level,
      amount,
      currency,
      ruleId: x.rule.id,
      ruleSetId: ref.id,
      ruleSetVersion: ref.version,
    });
  });
}
