import { evaluate } from '../compile';
import type { EvaluationResult } from '../evaluate';
import { type RuleInput, RuleSetContentSchema } from '../schema';
import type { ChainMember, EvaluationContext, Order, OrderItem } from '../types';

/** Shared fixtures for the engine's table tests: a 2026-03-02 (Monday) 10:30 Shanghai order. */
export const AT = new Date('2026-03-02T02:30:00Z');

export const CONTEXT: EvaluationContext = {
  timeZone: 'Asia/Shanghai',
  roundingMode: 'down',
  maxCommissionShareBps: 10000,
  distributionDepth: 3,
  complianceProfile: 'GLOBAL',
};

export const CHAIN: ChainMember[] = [
  { id: 'p_seller', tierId: 'tir_gold', tierLevel: 3, groups: ['vip', 'north'] },
  { id: 'p_inviter' },
  { id: 'p_grand' },
];

export function item(sku: string, unitPrice: bigint, quantity = 1, extra: Partial<OrderItem> = {}) {
  return { sku, unitPrice, quantity, ...extra };
}

export function order(extra: Partial<Order> = {}): Order {
  return {
    id: 'o1',
    amount: 10000n,
    currency: 'CNY',
    items: [],
    occurredAt: AT,
    customer: { isNew: true, orderNumber: 1 },
    ...extra,
  };
}

/** Evaluates rules (ids default to r0, r1, ...) and returns the result. */
export function run(
  rules: Omit<RuleInput, 'id' | 'name'>[] | RuleInput[],
  o: Order = order(),
  context: Partial<EvaluationContext> = {},
  chain: ChainMember[] = CHAIN,
): EvaluationResult {
  const content = RuleSetContentSchema.parse({
    currency: 'CNY',
    rules: rules.map((r, i) => ({ id: `r${i}`, name: `Rule ${i}`, ...r })),
  });
  return evaluate({ id: 'rls_t', version: 7, content }, o, chain, { ...CONTEXT, ...context });
}

/** Lines as compact `beneficiary:level:amount:rule` strings. */
export function linesOf(result: EvaluationResult): string[] {
  return result.lines.map((l) => `${l.beneficiaryId}:${l.level}:${l.amount}:${l.ruleId}`);
}
