import type { Currency } from '../money';
import type { CompiledRule } from './compile-rule';
import { Exact, formatExact, formatMoney, formatRate, formatShare } from './decimal';
import type { Explanation, RuleOutcome } from './evaluate';

/**
 * Turns an evaluation's explanation into sentences a person can check with a calculator, and
 * into a JSON-safe object (amounts as strings) for the API.
 */

const BASIS_WORDS = {
  order: 'the order amount',
  items: 'the matching items',
};

function basisText(r: CompiledRule, basis: bigint, c: Currency): string {
  const scope = BASIS_WORDS[r.rule.basis.scope];
  return `basis: ${scope} ${r.afterDiscounts ? 'after' : 'before'} discounts = ${formatMoney(basis, c)}`;
}

function payoutText(x: RuleOutcome, c: Currency): string {
  const a = x.amounts;
  const p = x.rule.payout;
  if (!a) return '';
  const promoter = formatExact(a.levels[0] ?? 0n, c);
  switch (p.kind) {
    case 'percent':
      return `promoter: ${formatMoney(a.basis, c)} × ${formatRate(p.rate)} = ${promoter}`;
    case 'fixed_order':
      return `promoter: a fixed ${formatMoney(p.amount, c)} per order = ${promoter}`;
    case 'fixed_item':
      return `promoter: ${formatMoney(p.amount, c)} × ${a.quantity} item(s) = ${promoter}`;
    default: {
      const how = p.marginal ? 'marginal (each part at its bracket rate)' : 'flat';
      const by = p.byVolume ? 'period volume' : 'order amount';
      const brackets = p.froms
        .map((f, j) => `from ${formatMoney(f, c)}: ${formatRate(p.rates[j] ?? 0n)}`)
        .join('; ');
      return `promoter: tiered by ${by}, ${how} [${brackets}] on ${formatMoney(a.basis, c)} = ${promoter}`;
    }
  }
}

function levelTexts(x: RuleOutcome, beneficiaries: string[], c: Currency): string[] {
  const a = x.amounts;
  if (!a) return [];
  return a.levels.slice(1).map((amount, i) => {
    const level = x.rule.upline[i];
    const who = `level ${i + 1} (${beneficiaries[i + 1] ?? '?'})`;
    if (!level) return `${who}: ${formatExact(amount, c)}`;
    return level.mode === 'rate'
      ? `${who}: ${formatMoney(a.basis, c)} × ${formatRate(level.value)} = ${formatExact(amount, c)}`
      : `${who}: ${formatShare(level.value)} of the promoter's ${formatExact(a.levels[0] ?? 0n, c)} = ${formatExact(amount, c)}`;
  });
}

const CAP_WORDS = {
  perItem: 'per item',
  perOrder: 'per order',
  perPromoterPeriod: 'per promoter per period',
};

function splitText(x: RuleOutcome, e: Explanation): string {
  if (!x.split || x.split.length < 2) return '';
  const parts = x.split.map(
    (amount, k) => `${e.beneficiaries[k] ?? '?'} ${formatMoney(amount, e.currency)}`,
  );
  return ` (${parts.join(', ')})`;
}

function ruleTexts(x: RuleOutcome, e: Explanation): string[] {
  const c = e.currency;
  const r = x.rule;
  const head = `rule "${r.id}" (${r.rule.name}, ${r.exclusive ? 'exclusive' : 'additive'}, priority ${r.priority})`;
  const condition = r.condition ? r.condition.text : 'no condition';
  if (x.status !== 'paid' && x.status !== 'outranked') {
    const why = {
      no_match: `did not match: ${condition}`,
      not_effective: 'is not in effect at the order time',
      not_recurring: 'does not pay this subscription payment',
      other_currency: 'holds amounts in another currency than the order',
    }[x.status];
    return [`${head} ${why}`, ...(x.trace ?? []).map((t) => `  ${t}`)];
  }
  const a = x.amounts;
  const out = [`${head} matched: ${condition}`];
  const skus = matchedSkus(x);
  if (skus) out.push(`  matching items: ${skus.join(', ')}`);
  for (const t of x.trace ?? []) out.push(`  ${t}`);
  if (!a) return out;
  out.push(`  ${basisText(r, a.basis, c)}`, `  ${payoutText(x, c)}`);
  for (const t of levelTexts(x, e.beneficiaries, c)) out.push(`  ${t}`);
  for (const cap of a.caps) {
    out.push(`  capped ${CAP_WORDS[cap.cap]} at ${formatMoney(cap.limit, c)}`);
  }
  out.push(`  rule pool: ${formatExact(a.uncapped, c)} → ${formatExact(a.pool, c)} after caps`);
  out.push(
    x.status === 'outranked'
      ? `  not paid: rule "${e.winner}" won (exclusive rules pay only the best match)`
      : `  pays ${formatMoney(x.allocated ?? 0n, c)}${splitText(x, e)}`,
  );
  return out;
}

/** The explanation as sentences, one per line. */
export function explanationText(e: Explanation): string[] {
  const c = e.currency;
  const who = e.beneficiaries.map((id, k) => (k === 0 ? `${id} (promoter)` : `${id} (level ${k})`));
  const out = [
    `Rule set ${e.ruleSetId} version ${e.ruleSetVersion}; order ${formatMoney(e.orderAmount, c)}; paid levels: ${who.join(', ')}`,
  ];
  for (const x of e.outcomes) out.push(...ruleTexts(x, e));
  const silent = e.ruleCount - e.outcomes.length;
  if (silent > 0) out.push(`${silent} other rule(s) did not match or did not apply`);
  out.push(e.winner ? `exclusive rule "${e.winner}" won` : 'no exclusive rule matched');
  const share = new Exact(e.maxShareBps).div(100).toFixed();
  out.push(
    `exact total ${formatExact(e.exact, c)}; maximum share ${share} % of the order = ${formatMoney(e.maxShare, c)}`,
  );
  out.push(
    e.clamped
      ? `the exact total exceeds the maximum share: every rule and level is cut in proportion to ${formatMoney(e.total, c)}`
      : `rounded ${e.rounding.replace('_', ' ')} once: ${formatMoney(e.total, c)}, split by largest remainder`,
  );
  return out;
}

/** Exact 10^-16 minor units as a decimal string of minor units: `"1990.5"`. */
export function exactMinorUnits(exact: bigint): string {
  return new Exact(exact.toString()).div('1e16').toFixed();
}

export interface RuleOutcomeJson {
  ruleId: string;
  name: string;
  status: RuleOutcome['status'];
  condition: string;
  matchedSkus?: string[];
  basis?: string;
  exactPool?: string;
  caps?: string[];
  paid?: string;
  trace?: string[];
}

export interface ExplanationJson {
  ruleSetId: string;
  ruleSetVersion: number;
  currency: Currency;
  winner: string | null;
  paidLevels: number;
  beneficiaries: string[];
  exactTotal: string;
  maxShare: string;
  clamped: boolean;
  rounding: string;
  total: string;
  rules: RuleOutcomeJson[];
  text: string[];
}

/** SKUs sorted, so the explanation does not depend on the order of items. */
function matchedSkus(x: RuleOutcome): string[] | undefined {
  return x.matchedItems?.map((i) => i.sku).sort();
}

function outcomeJson(x: RuleOutcome): RuleOutcomeJson {
  const out: RuleOutcomeJson = {
    ruleId: x.rule.id,
    name: x.rule.rule.name,
    status: x.status,
    condition: x.rule.condition?.text ?? '',
  };
  const skus = matchedSkus(x);
  if (skus) out.matchedSkus = skus;
  if (x.amounts) {
    out.basis = x.amounts.basis.toString();
    out.exactPool = exactMinorUnits(x.amounts.pool);
    out.caps = x.amounts.caps.map((c) => c.cap);
  }
  if (x.allocated !== undefined) out.paid = x.allocated.toString();
  if (x.trace) out.trace = x.trace;
  return out;
}

/** A JSON-safe explanation: amounts as strings of minor units, plus the sentences. */
export function explanationJson(e: Explanation): ExplanationJson {
  return {
    ruleSetId: e.ruleSetId,
    ruleSetVersion: e.ruleSetVersion,
    currency: e.currency,
    winner: e.winner,
    paidLevels: e.paidLevels,
    beneficiaries: e.beneficiaries,
    exactTotal: exactMinorUnits(e.exact),
    maxShare: e.maxShare.toString(),
    clamped: e.clamped,
    rounding: e.rounding,
    total: e.total.toString(),
    rules: e.outcomes.map(outcomeJson),
    text: explanationText(e),
  };
}
