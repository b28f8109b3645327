import type { FraudFacts } from './facts';
import { FRAUD_REASON_CODES, type FraudDecision, type FraudReason } from './reason-codes';
import type { FraudSettings } from './settings';
import { FRAUD_SIGNALS } from './signals';

export interface FraudScore {
  /** Sum of the reasons' weights, capped at 100; an integer. */
  score: number;
  decision: FraudDecision;
  /** Heaviest first; equal weights in the order of `FRAUD_REASON_CODES`. */
  reasons: FraudReason[];
}

export const MAX_FRAUD_SCORE = 100;

const codeRank = new Map(FRAUD_REASON_CODES.map((code, i) => [code, i]));

function byWeightThenCode(a: FraudReason, b: FraudReason): number {
  return b.weight - a.weight || (codeRank.get(a.code) ?? 0) - (codeRank.get(b.code) ?? 0);
}

export function decide(score: number, settings: FraudSettings): FraudDecision {
  if (score >= settings.bands.rejectFrom) return 'reject';
  if (score >= settings.bands.reviewFrom) return 'review';
  return 'approve';
}

/**
 * Scores one conversion from its facts: every signal that fires adds its weight, the sum is
 * capped at 100, and the tenant's bands turn it into a decision. Deterministic: the same
 * facts and settings always give the same score and the same reasons in the same order.
 *
 * @example
 *   const result = scoreConversion(facts, parseFraudSettings(tenant.fraud));
 *   // => { score: 75, decision: 'reject', reasons: [{ code: 'self_referral', weight: 75,
 *   //      detail: 'same device as the promoter' }] }
 */
export function scoreConversion(facts: FraudFacts, settings: FraudSettings): FraudScore {
  const reasons: FraudReason[] = [];
  for (const signal of FRAUD_SIGNALS) {
    const reason = signal(facts, settings);
    if (reason) reasons.push(reason);
  }
  reasons.sort(byWeightThenCode);

  const total = reasons.reduce((sum, r) => sum + r.weight, 0);
  const score = Math.min(total, MAX_FRAUD_SCORE);
  return { score, decision: decide(score, settings), reasons };
}
