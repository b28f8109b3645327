import { type CompiledRule, compileRule } from './compile-rule';
import { type EvaluationResult, evaluateCompiled } from './evaluate';
import { buildItemIndex } from './item-index';
import type { ChainMember, EvaluationContext, Order, RuleSetVersionRef } from './types';

/** A rule set version compiled once: parsed rates, conditions as closures. */
export interface CompiledRuleSet {
  readonly ref: RuleSetVersionRef;
  readonly rules: readonly CompiledRule[];
  evaluate(
    order: Order,
    chain: readonly ChainMember[],
    context: EvaluationContext,
  ): EvaluationResult;
}

/** Compiles validated content (see `RuleSetContentSchema`). */
export function compileRuleSet(ref: RuleSetVersionRef): CompiledRuleSet {
  const rules = ref.content.rules.map((rule, i) => compileRule(rule, i, ref.content.currency));
  const index = buildItemIndex(rules);
  return {
    ref,
    rules,
    evaluate: (order, chain, context) => evaluateCompiled(rules, index, ref, order, chain, context),
  };
}

/** How many compiled versions one process keeps; the least recently used go first. */
export const COMPILED_CACHE_SIZE = 256;
const cache = new Map<string, CompiledRuleSet>();

/**
 * The compiled evaluator of a version, from a bounded cache keyed by rule set, version and
 * content hash. A version without a hash (a draft, whose content may still change) is compiled
 * afresh each time.
 */
export function compiledRuleSet(ref: RuleSetVersionRef): CompiledRuleSet {
  if (!ref.contentHash) return compileRuleSet(ref);
  const key = cacheKey(ref.id, ref.version, ref.contentHash);
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const compiled = compileRuleSet(ref);
  cache.set(key, compiled);
  if (cache.size > COMPILED_CACHE_SIZE) {
    const oldest = cache.keys().next();
    if (!oldest.done) cache.delete(oldest.value);
  }
  return compiled;
}

function cacheKey(id: string, version: number, contentHash: string): string {
  return `${id}@${version}#${contentHash}`;
}

/**
 * The compiled evaluator of a published version if the cache has it: a caller that knows the
 * version's hash need not load (or validate) its content again.
 */
export function cachedRuleSet(
  id: string,
  version: number,
  contentHash: string,
): CompiledRuleSet | undefined {
  const key = cacheKey(id, version, contentHash);
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key);
    cache.set(key, hit);
  }
  return hit;
}

/** How many compiled versions the cache holds (for tests and metrics). */
export function compiledCacheSize(): number {
  return cache.size;
}

/**
 * Commission lines and an explanation for one order under one rule set version.
 *
 * @example
 *   const { lines } = evaluate(
 *     { id: 'rls_1', version: 1, content },
 *     { amount: 10000n, currency: 'CNY', items: [], occurredAt: new Date(),
 *       customer: { isNew: true, orderNumber: 1 } },
 *     [{ id: 'prm_seller' }, { id: 'prm_inviter' }],
 *     { timeZone: 'Asia/Shanghai', roundingMode: 'down', maxCommissionShareBps: 5000,
 *       distributionDepth: 2, complianceProfile: 'CN' },
 *   );
 *   // 10 % and 2 %: lines of 1000n for prm_seller and 200n for prm_inviter
 */
export function evaluate(
  ruleSet: RuleSetVersionRef,
  order: Order,
  chain: readonly ChainMember[],
  context: EvaluationContext,
): EvaluationResult {
  return compiledRuleSet(ruleSet).evaluate(order, chain, context);
}
