import type { Currency } from '../money';
import { type CompiledCondition, compileCondition } from './conditions';
import type { Condition } from './conditions-schema';
import { EXACT_SCALE, parseRate, RATE_SCALE } from './decimal';
import { fieldKind } from './fields';
import type { Rule } from './schema';

/**
 * Payouts with every rate already multiplied by RATE_SCALE (`rateS`) and every amount by
 * EXACT_SCALE (`amountS`), so that a commission costs one bigint multiplication.
 */
export type CompiledPayout =
  | { kind: 'percent'; rate: bigint; rateS: bigint }
  | { kind: 'fixed_order'; amount: bigint; amountS: bigint }
  | { kind: 'fixed_item'; amount: bigint; amountS: bigint }
  | { kind: 'tiered'; byVolume: boolean; marginal: boolean; froms: bigint[]; rates: bigint[] };

/** An upline level: `rate` of the basis, or `share` of the promoter commission (both ×10^-8). */
export interface CompiledLevel {
  mode: 'rate' | 'share';
  value: bigint;
  /** value × RATE_SCALE, for the rate mode. */
  valueS: bigint;
}

/** A rule with every string parsed and its condition turned into closures. */
export interface CompiledRule {
  rule: Rule;
  index: number;
  id: string;
  exclusive: boolean;
  priority: number;
  condition: CompiledCondition | null;
  /** Holds money amounts of the rule set currency, so it applies only to orders in it. */
  moneyBound: boolean;
  fromMs: number;
  toMs: number;
  itemsBasis: boolean;
  afterDiscounts: boolean;
  payout: CompiledPayout;
  upline: CompiledLevel[];
  capPerItem: bigint | null;
  capPerOrder: bigint | null;
  capPerOrderS: bigint | null;
  capPerPeriod: bigint | null;
}

function rate(value: string): bigint {
  const r = parseRate(value);
  if (r === null) throw new RangeError(`not a rate: ${value}`);
  return r;
}

const amount = (value: string | undefined) => (value === undefined ? null : BigInt(value));
const scaled = (value: string | undefined) =>
  value === undefined ? null : BigInt(value) * EXACT_SCALE;

function compilePayout(p: Rule['payout']): CompiledPayout {
  if (p.kind === 'percent') {
    const r = rate(p.rate);
    return { kind: 'percent', rate: r, rateS: r * RATE_SCALE };
  }
  if (p.kind === 'fixed') {
    const amount = BigInt(p.amount);
    const kind = p.per === 'item' ? 'fixed_item' : 'fixed_order';
    return { kind, amount, amountS: amount * EXACT_SCALE };
  }
  return {
    kind: 'tiered',
    byVolume: p.by === 'period_volume',
    marginal: p.method === 'marginal',
    froms: p.brackets.map((b) => BigInt(b.from)),
    rates: p.brackets.map((b) => rate(b.rate)),
  };
}

function hasMoneyPredicate(c: Condition): boolean {
  if ('all' in c) return c.all.some(hasMoneyPredicate);
  if ('any' in c) return c.any.some(hasMoneyPredicate);
  if ('not' in c) return hasMoneyPredicate(c.not);
  return fieldKind(c.field) === 'money';
}

function isMoneyBound(rule: Rule): boolean {
  return (
    rule.payout.kind !== 'percent' ||
    rule.caps !== undefined ||
    (rule.when !== undefined && hasMoneyPredicate(rule.when))
  );
}

/** Parses one validated rule. Throws only on content that skipped validation. */
export function compileRule(rule: Rule, index: number, currency: Currency): CompiledRule {
  return {
    rule,
    index,
    id: rule.id,
    exclusive: rule.stacking === 'exclusive',
    priority: rule.priority,
    condition: rule.when ? compileCondition(rule.when, currency) : null,
    moneyBound: isMoneyBound(rule),
    fromMs: rule.effective?.from ? Date.parse(rule.effective.from) : Number.NEGATIVE_INFINITY,
    toMs: rule.effective?.to ? Date.parse(rule.effective.to) : Number.POSITIVE_INFINITY,
    itemsBasis: rule.basis.scope === 'items',
    afterDiscounts: rule.basis.discounts === 'after',
    payout: compilePayout(rule.payout),
    upline: rule.upline.map((l): CompiledLevel => {
      const mode = l.rate !== undefined ? 'rate' : 'share';
      const value = rate(l.rate ?? l.share ?? '0');
      return { mode, value, valueS: value * RATE_SCALE };
    }),
    capPerItem: amount(rule.caps?.perItem),
    capPerOrder: amount(rule.caps?.perOrder),
    capPerOrderS: scaled(rule.caps?.perOrder),
    capPerPeriod: amount(rule.caps?.perPromoterPeriod),
  };
}
