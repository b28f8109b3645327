import type Decimal from 'decimal.js';
import {
  type ComplianceProfile,
  HARD_MAX_DISTRIBUTION_DEPTH,
  maxDistributionDepth,
} from '../tenant-settings';
import type { Condition } from './conditions-schema';
import { Exact, formatMoney } from './decimal';
import type { Rule, RuleSetContent } from './schema';

export type BreachCode = 'too_many_levels' | 'recruitment_only' | 'max_share';

export interface ComplianceBreach {
  code: BreachCode;
  /** Where in the content, such as `rules.2.upline`. */
  path: string;
  ruleId: string | null;
  message: string;
}

export interface ComplianceSettings {
  complianceProfile: ComplianceProfile;
  maxCommissionShareBps: number;
}

const PROFILE_WORDS: Record<ComplianceProfile, string> = {
  CN: 'the promoter and at most one inviter (paying further uplines on downline sales, 团队计酬, is restricted in China)',
  GLOBAL: `at most ${HARD_MAX_DISTRIBUTION_DEPTH} levels`,
};

function levelBreach(rule: Rule, i: number, s: ComplianceSettings): ComplianceBreach | null {
  const levels = 1 + rule.upline.length;
  const allowed = maxDistributionDepth(s.complianceProfile);
  if (levels <= allowed) return null;
  const cap =
    levels > HARD_MAX_DISTRIBUTION_DEPTH
      ? `; no profile allows more than ${HARD_MAX_DISTRIBUTION_DEPTH}`
      : '';
  return {
    code: 'too_many_levels',
    path: `rules.${i}.upline`,
    ruleId: rule.id,
    message: `rule "${rule.id}" pays ${levels} levels (the promoter and ${rule.upline.length} upline level(s)); the ${s.complianceProfile} compliance profile allows ${PROFILE_WORDS[s.complianceProfile]}${cap} / 分佣层级超出合规上限`,
  };
}

/** True when the promoter's own payout can be zero on some order. */
function promoterCanEarnNothing(rule: Rule): boolean {
  const p = rule.payout;
  if (p.kind === 'percent') return new Exact(p.rate).isZero();
  if (p.kind === 'fixed') return p.amount === '0';
  return p.brackets.some((b) => new Exact(b.rate).isZero());
}

function recruitmentBreach(rule: Rule, i: number): ComplianceBreach | null {
  const paysUplines = rule.upline.some((l) => l.rate !== undefined && !new Exact(l.rate).isZero());
  if (!paysUplines || !promoterCanEarnNothing(rule)) return null;
  return {
    code: 'recruitment_only',
    path: `rules.${i}.payout`,
    ruleId: rule.id,
    message: `rule "${rule.id}" can pay its upline levels on an order where the promoter who made the sale earns nothing: that pays for recruitment alone (拉人头), not for sales / 不得仅因发展下线计酬`,
  };
}

const bigMax = (a: bigint, b: bigint) => (a > b ? a : b);
const bigMin = (a: bigint, b: bigint) => (a < b ? a : b);

/** The smallest order amount the condition lets through (0 when it sets none). */
export function minimumOrderAmount(c: Condition | undefined): bigint {
  if (!c) return 0n;
  if ('all' in c) return c.all.reduce((m, x) => bigMax(m, minimumOrderAmount(x)), 0n);
  if ('any' in c) {
    return c.any.map(minimumOrderAmount).reduce(bigMin);
  }
  if ('not' in c || c.field !== 'order.amount') return 0n;
  const v = Array.isArray(c.value) ? String(c.value[0]) : String(c.value);
  if (c.op === 'gt') return BigInt(v) + 1n;
  return c.op === 'gte' || c.op === 'eq' || c.op === 'between' ? BigInt(v) : 0n;
}

interface Worst {
  /** Largest share of an order amount the rule can pay, or null when nothing bounds it. */
  share: Decimal | null;
  why: string;
}

/**
 * The most a rule can pay as a share of the order amount, counting the basis as at most the
 * order amount (the engine also clamps every order to the maximum share, so a basis before a
 * deep discount still cannot break it). Fixed amounts are measured against the smallest order
 * the rule's condition admits.
 */
function worstShare(rule: Rule, content: RuleSetContent, s: ComplianceSettings): Worst {
  const levels = rule.upline.slice(0, maxDistributionDepth(s.complianceProfile) - 1);
  const shares = levels.reduce((a, l) => a.plus(l.share ?? 0), new Exact(0));
  const rates = levels.reduce((a, l) => a.plus(l.rate ?? 0), new Exact(0));
  const p = rule.payout;
  const topRate =
    p.kind === 'percent'
      ? new Exact(p.rate)
      : p.kind === 'tiered'
        ? Exact.max(...p.brackets.map((b) => b.rate))
        : new Exact(0);
  const perAmount = topRate.times(shares.plus(1)).plus(rates);
  const min = new Exact(minimumOrderAmount(rule.when).toString());
  const cap = rule.caps?.perOrder === undefined ? null : new Exact(rule.caps.perOrder);
  const capShare =
    cap === null ? null : cap.isZero() ? new Exact(0) : min.isZero() ? null : cap.div(min);

  let fixed: Decimal | null = new Exact(0);
  let why = '';
  if (p.kind === 'fixed' && p.per === 'item' && !new Exact(p.amount).isZero()) {
    fixed = null;
    why = `pays ${formatMoney(BigInt(p.amount), content.currency)} per item, which no order amount bounds; add caps.perOrder and a minimum order.amount condition`;
  } else if (p.kind === 'fixed' && p.per === 'order' && !new Exact(p.amount).isZero()) {
    const total = new Exact(p.amount).times(shares.plus(1));
    fixed = min.isZero() ? null : total.div(min);
    const fix =
      s.maxCommissionShareBps === 0
        ? 'the tenant allows no commission at all'
        : `add a condition order.amount ≥ ${formatMoney(BigInt(total.times(10000).div(s.maxCommissionShareBps).ceil().toFixed(0)), content.currency)}`;
    why = `pays a fixed ${formatMoney(BigInt(p.amount), content.currency)} per order with no minimum order amount; ${fix}`;
  }
  const uncapped = fixed === null ? null : perAmount.plus(fixed);
  const share =
    uncapped === null ? capShare : capShare === null ? uncapped : Exact.min(uncapped, capShare);
  return { share, why };
}

const percent = (d: Decimal) => `${d.times(100).toDecimalPlaces(4).toFixed()} %`;

function shareBreaches(content: RuleSetContent, s: ComplianceSettings): ComplianceBreach[] {
  const limit = new Exact(s.maxCommissionShareBps).div(10000);
  const out: ComplianceBreach[] = [];
  let additive = new Exact(0);
  let exclusive = new Exact(0);
  let best = '';
  const parts: string[] = [];
  content.rules.forEach((rule, i) => {
    const w = worstShare(rule, content, s);
    if (w.share === null) {
      out.push({
        code: 'max_share',
        path: `rules.${i}`,
        ruleId: rule.id,
        message: `rule "${rule.id}" ${w.why}: on a small enough order it pays more than the tenant's maximum share of ${percent(limit)} / 佣金可能超过订单金额上限`,
      });
      return;
    }
    if (rule.stacking === 'additive') {
      additive = additive.plus(w.share);
      if (!w.share.isZero()) parts.push(`additive "${rule.id}" ${percent(w.share)}`);
    } else if (w.share.gt(exclusive)) {
      exclusive = w.share;
      best = rule.id;
    }
  });
  const total = additive.plus(exclusive);
  if (out.length === 0 && total.gt(limit)) {
    if (best) parts.unshift(`exclusive "${best}" ${percent(exclusive)}`);
    out.push({
      code: 'max_share',
      path: 'rules',
      ruleId: null,
      message: `the rules can pay up to ${percent(total)} of an order (${parts.join(', ')}); the tenant's maximum share is ${percent(limit)} / 佣金合计可能超过订单金额上限`,
    });
  }
  return out;
}

/**
 * What stops a rule set from being published: paying more levels than the tenant's compliance
 * profile allows, paying uplines for recruitment alone, or being able to pay more than the
 * tenant's maximum share of an order. An empty list means it may be published.
 */
export function checkCompliance(
  content: RuleSetContent,
  settings: ComplianceSettings,
): ComplianceBreach[] {
  const out: ComplianceBreach[] = [];
  content.rules.forEach((rule, i) => {
    const levels = levelBreach(rule, i, settings);
    if (levels) out.push(levels);
    const recruitment = recruitmentBreach(rule, i);
    if (recruitment) out.push(recruitment);
  });
  return [...out, ...shareBreaches(content, settings)];
}
