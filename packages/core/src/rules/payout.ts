import type { CompiledPayout, CompiledRule } from './compile-rule';
import { EXACT_SCALE, RATE_SCALE } from './decimal';
import { grossOf, type ItemFacts, netOf, type OrderFacts } from './facts';

export type CapName = 'perItem' | 'perOrder' | 'perPromoterPeriod';
export interface CapHit {
  cap: CapName;
  limit: bigint;
}

/**
 * What one rule computes for one order, exactly (amounts in 10^-16 minor units): the basis,
 * each paid level's commission before caps, and the pool after caps. A capped pool is split
 * among the levels in proportion to what each would have earned without the cap.
 */
export interface RuleAmounts {
  /** Minor units the percentages apply to. */
  basis: bigint;
  /** Units the fixed-per-item payout counts. */
  quantity: number;
  /** Index 0 is the promoter; only levels that are paid. */
  levels: bigint[];
  uncapped: bigint;
  pool: bigint;
  caps: readonly CapHit[];
}

const NO_CAPS: readonly CapHit[] = Object.freeze([]);

type Tiered = Extract<CompiledPayout, { kind: 'tiered' }>;

function bracketAt(t: Tiered, x: bigint): number {
  let j = 0;
  while (j + 1 < t.froms.length && (t.froms[j + 1] ?? 0n) <= x) j++;
  return j;
}

/**
 * Tiered brackets over an interval of the bracket axis: the basis itself when tiered by order
 * amount, or the promoter's period volume from before this order to after it. Flat pays the
 * whole basis at the rate of the bracket where the interval ends; marginal pays each part of
 * the interval at its own bracket's rate, like tax brackets.
 */
function tieredExact(t: Tiered, basis: bigint, volume: bigint): bigint {
  const start = t.byVolume ? volume : 0n;
  const end = start + basis;
  if (!t.marginal) return basis * (t.rates[bracketAt(t, end)] ?? 0n) * RATE_SCALE;
  let sum = 0n;
  for (let j = 0; j < t.froms.length; j++) {
    const from = t.froms[j] ?? 0n;
    const next = t.froms[j + 1];
    const lo = start > from ? start : from;
    const hi = next === undefined || end < next ? end : next;
    if (hi > lo) sum += (hi - lo) * (t.rates[j] ?? 0n);
  }
  return sum * RATE_SCALE;
}

function promoterExact(p: CompiledPayout, basis: bigint, quantity: number, volume: bigint) {
  switch (p.kind) {
    case 'percent':
      return basis * p.rateS;
    case 'fixed_order':
      return p.amountS;
    case 'fixed_item':
      return quantity === 1 ? p.amountS : p.amountS * BigInt(quantity);
    default:
      return tieredExact(p, basis, volume);
  }
}

/**
 * Level 0 earns the payout; level k earns its rate of the basis or its share of level 0.
 * Returns the levels and their sum.
 */
function levelAmounts(r: CompiledRule, basis: bigint, promoter: bigint, paid: number) {
  const levels = [promoter];
  let total = promoter;
  const n = Math.min(paid, r.upline.length + 1);
  for (let k = 1; k < n; k++) {
    const level = r.upline[k - 1];
    if (!level) break;
    // The promoter commission is a whole number of 10^-8 units times a rate of 10^-8, so
    // dividing it by RATE_SCALE is exact.
    const amount =
      level.mode === 'rate' ? basis * level.valueS : (promoter / RATE_SCALE) * level.value;
    levels.push(amount);
    total += amount;
  }
  return { levels, total };
}

const itemBasis = (r: CompiledRule, i: ItemFacts) => (r.afterDiscounts ? netOf(i) : grossOf(i));

/** Per-item caps need the amounts item by item. */
function perItemAmounts(
  r: CompiledRule,
  o: OrderFacts,
  items: ItemFacts[],
  paid: number,
): RuleAmounts {
  const cap = (r.capPerItem ?? 0n) * EXACT_SCALE;
  const levels: bigint[] = new Array(Math.min(paid, r.upline.length + 1)).fill(0n);
  let basis = 0n;
  let quantity = 0;
  let uncapped = 0n;
  let pool = 0n;
  for (const item of items) {
    const b = itemBasis(r, item);
    const p = promoterExact(r.payout, b, item.quantity, o.periodVolume);
    const each = levelAmounts(r, b, p, paid);
    for (let k = 0; k < each.levels.length; k++) {
      levels[k] = (levels[k] ?? 0n) + (each.levels[k] ?? 0n);
    }
    const limit = item.quantity === 1 ? cap : cap * BigInt(item.quantity);
    basis += b;
    quantity += item.quantity;
    uncapped += each.total;
    pool += each.total < limit ? each.total : limit;
  }
  return { basis, quantity, levels, uncapped, pool, caps: NO_CAPS };
}

function basisAndQuantity(r: CompiledRule, o: OrderFacts, items: ItemFacts[]) {
  if (items === o.items) {
    const quantity = o.quantity();
    if (!r.itemsBasis) return { basis: r.afterDiscounts ? o.amount : o.gross, quantity };
    const t = o.totals();
    return { basis: r.afterDiscounts ? t.net : t.gross, quantity };
  }
  let quantity = 0;
  let basis = 0n;
  for (const item of items) {
    quantity += item.quantity;
    if (r.itemsBasis) basis += itemBasis(r, item);
  }
  if (!r.itemsBasis) basis = r.afterDiscounts ? o.amount : o.gross;
  return { basis, quantity };
}

/**
 * The amounts of one matching rule. `items` are the order items the rule's condition matched
 * (all items when the condition tests none); `paid` is how many levels are paid;
 * `periodPaid` is what the rule already paid on this promoter's sales in the period.
 */
export function computeRule(
  r: CompiledRule,
  o: OrderFacts,
  items: ItemFacts[],
  paid: number,
  periodPaid: bigint,
): RuleAmounts {
  let a: RuleAmounts;
  if (r.capPerItem !== null) {
    a = perItemAmounts(r, o, items, paid);
    if (a.pool < a.uncapped) a.caps = [{ cap: 'perItem', limit: r.capPerItem }];
  } else {
    const { basis, quantity } = basisAndQuantity(r, o, items);
    const p = promoterExact(r.payout, basis, quantity, o.periodVolume);
    const { levels, total } = levelAmounts(r, basis, p, paid);
    a = { basis, quantity, levels, uncapped: total, pool: total, caps: NO_CAPS };
  }

  if (r.capPerOrderS !== null && a.pool > r.capPerOrderS) {
    a.pool = r.capPerOrderS;
    a.caps = [...a.caps, { cap: 'perOrder', limit: r.capPerOrder ?? 0n }];
  }
  if (r.capPerPeriod !== null) {
    const left = r.capPerPeriod > periodPaid ? r.capPerPeriod - periodPaid : 0n;
    if (a.pool > left * EXACT_SCALE) {
      a.pool = left * EXACT_SCALE;
      a.caps = [...a.caps, { cap: 'perPromoterPeriod', limit: r.capPerPeriod }];
    }
  }
  return a;
}
