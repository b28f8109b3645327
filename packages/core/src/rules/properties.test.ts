import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CompiledRuleSet, compileRuleSet } from './compile';
import { EXACT_SCALE } from './decimal';
import { type RuleSetContent, RuleSetContentSchema } from './schema';
import {
  chainArb,
  contextArb,
  orderArb,
  ruleSetArb,
  SHANGHAI_OFFSET_MINUTES,
} from './testing/arbitraries';
import { oracleEvaluate } from './testing/oracle';
import type { ChainMember, CommissionLine, EvaluationContext, Order } from './types';

// One seed per run, printed, so a failure can be replayed: FC_SEED=<seed> npx vitest run ...
// (fast-check also prints the seed and path of a failing case).
const seed = Number(process.env.FC_SEED ?? Math.floor(Math.random() * 2 ** 31));
// biome-ignore lint/suspicious/noConsole: the seed is printed so that a failing run can be replayed
console.info(`rules property tests: fast-check seed ${seed} (replay with FC_SEED=${seed})`);

const RULE_SETS = 200;
const ORDERS_PER_SET = 50;

interface Case {
  content: RuleSetContent;
  orders: { order: Order; chain: ChainMember[]; context: EvaluationContext; shuffle: number[] }[];
}

const caseArb: fc.Arbitrary<Case> = fc.record({
  content: ruleSetArb.map((raw) => RuleSetContentSchema.parse(raw)),
  orders: fc.array(
    fc.record({
      order: orderArb,
      chain: chainArb,
      context: contextArb,
      shuffle: fc.array(fc.nat(), { minLength: 5, maxLength: 5 }),
    }),
    { minLength: ORDERS_PER_SET, maxLength: ORDERS_PER_SET },
  ),
});

const brief = (lines: CommissionLine[]) =>
  lines.map((l) => ({
    beneficiaryId: l.beneficiaryId,
    level: l.level,
    amount: l.amount,
    ruleId: l.ruleId,
  }));

/** The items reordered by sort keys, so a failure shows which permutation broke. */
function permuted(order: Order, keys: number[]): Order {
  const items = order.items
    .map((item, i) => ({ item, k: keys[i] ?? 0, i }))
    .sort((a, b) => a.k - b.k || b.i - a.i)
    .map((x) => x.item);
  return { ...order, items };
}

/** How often each interesting path ran, so a weak generator cannot pass unnoticed. */
const seen = new Map<string, number>();
const note = (what: string) => seen.set(what, (seen.get(what) ?? 0) + 1);

function checkOne(content: RuleSetContent, c: Case['orders'][number], compiled: CompiledRuleSet) {
  const { order, chain, context, shuffle } = c;
  const result = compiled.evaluate(order, chain, context);
  const lines = brief(result.lines);

  // The engine and the oracle give the same lines.
  expect(lines).toEqual(oracleEvaluate(content, order, chain, context, SHANGHAI_OFFSET_MINUTES));

  // Lines sum exactly to the pool they split; none is negative.
  expect(result.lines.reduce((a, l) => a + l.amount, 0n)).toBe(result.total);
  for (const l of result.lines) expect(l.amount).toBeGreaterThan(0n);

  // Depth and the maximum share hold.
  const depth = Math.min(context.distributionDepth, context.complianceProfile === 'CN' ? 2 : 3);
  for (const l of result.lines) expect(l.level).toBeLessThan(depth);
  expect(result.total * 10000n).toBeLessThanOrEqual(
    order.amount * BigInt(context.maxCommissionShareBps),
  );

  // Caps hold for each rule.
  for (const rule of content.rules) {
    const paid = result.lines
      .filter((l) => l.ruleId === rule.id)
      .reduce((a, l) => a + l.amount, 0n);
    if (rule.caps?.perOrder !== undefined) {
      expect(paid).toBeLessThanOrEqual(BigInt(rule.caps.perOrder));
    }
    if (rule.caps?.perPromoterPeriod !== undefined) {
      const left = BigInt(rule.caps.perPromoterPeriod) - (context.periodPaid?.[rule.id] ?? 0n);
      expect(paid).toBeLessThanOrEqual(left > 0n ? left : 0n);
    }
  }
  for (const x of result.explanation.outcomes) {
    if (x.status !== 'paid' || x.rule.capPerItem === null || !x.amounts) continue;
    const items = x.matchedItems ?? order.items;
    const units = items.reduce((a, i) => a + BigInt(i.quantity), 0n);
    expect(x.amounts.pool).toBeLessThanOrEqual(units * x.rule.capPerItem * EXACT_SCALE);
  }

  if (result.explanation.clamped && result.total > 0n) note('maximum share clamped');
  for (const x of result.explanation.outcomes) {
    note(x.status);
    for (const cap of x.amounts?.caps ?? []) note(`cap ${cap.cap}`);
    if (x.status === 'paid') note(`paid ${x.rule.payout.kind}`);
  }
  if (result.lines.some((l) => l.level === 2)) note('level 2 paid');

  // The same for any permutation of the items.
  expect(brief(compiled.evaluate(permuted(order, shuffle), chain, context).lines)).toEqual(lines);
  return lines.length;
}

const json = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x));

describe('rules engine properties', () => {
  it(`agrees with an exact-rational oracle on ${RULE_SETS} rule sets × ${ORDERS_PER_SET} orders, and keeps every bound`, () => {
    let evaluated = 0;
    let paidLines = 0;
    fc.assert(
      fc.property(caseArb, ({ content, orders }) => {
        const compiled = compileRuleSet({ id: 'rls_prop', version: 1, content });
        for (const c of orders) {
          try {
            paidLines += checkOne(content, c, compiled);
          } catch (error) {
            // Name the one order that failed, not all fifty.
            const detail = json({ content, ...c });
            throw new Error(`${(error as Error).message}\ncase: ${detail}`);
          }
          evaluated++;
        }
      }),
      { seed, numRuns: RULE_SETS, endOnFailure: true },
    );
    expect(evaluated).toBe(RULE_SETS * ORDERS_PER_SET);
    // The generators must actually produce commissions, or the comparison proves little.
    expect(paidLines).toBeGreaterThan(evaluated / 4);
    for (const path of [
      'maximum share clamped',
      'outranked',
      'cap perItem',
      'cap perOrder',
      'cap perPromoterPeriod',
      'paid percent',
      'paid fixed_order',
      'paid fixed_item',
      'paid tiered',
      'level 2 paid',
    ]) {
      expect(seen.get(path) ?? 0, path).toBeGreaterThan(20);
    }
  });
});
