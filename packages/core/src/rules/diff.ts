import { canonicalJson } from './canonical';
import type { Rule, RuleSetContent } from './schema';

export interface FieldChange {
  /** Dotted path inside the rule (or the content), such as `payout.rate`. */
  path: string;
  before: unknown;
  after: unknown;
}

export interface RuleSetDiff {
  changes: FieldChange[];
  added: string[];
  removed: string[];
  changed: { ruleId: string; changes: FieldChange[] }[];
  /** True when the rules kept in both versions appear in another order. */
  reordered: boolean;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

function walk(before: unknown, after: unknown, path: string, out: FieldChange[]): void {
  if (canonicalJson(before) === canonicalJson(after)) return;
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    for (const k of keys) walk(before[k], after[k], path ? `${path}.${k}` : k, out);
    return;
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
    for (let i = 0; i < before.length; i++) walk(before[i], after[i], `${path}.${i}`, out);
    return;
  }
  out.push({ path, before: before ?? null, after: after ?? null });
}

/**
 * What changed from one version's content to another's: rules are matched by id, so a moved
 * rule shows as a reordering rather than as a removal and an addition.
 */
export function diffRuleSets(before: RuleSetContent, after: RuleSetContent): RuleSetDiff {
  const changes: FieldChange[] = [];
  if (before.currency !== after.currency) {
    changes.push({ path: 'currency', before: before.currency, after: after.currency });
  }
  const old = new Map<string, Rule>(before.rules.map((r) => [r.id, r]));
  const now = new Map<string, Rule>(after.rules.map((r) => [r.id, r]));
  const changed: RuleSetDiff['changed'] = [];
  for (const [id, rule] of now) {
    const was = old.get(id);
    if (!was) continue;
    const ruleChanges: FieldChange[] = [];
    walk(was, rule, '', ruleChanges);
    if (ruleChanges.length > 0) changed.push({ ruleId: id, changes: ruleChanges });
  }
  const keptBefore = before.rules.map((r) => r.id).filter((id) => now.has(id));
  const keptAfter = after.rules.map((r) => r.id).filter((id) => old.has(id));
  return {
    changes,
    added: after.rules.filter((r) => !old.has(r.id)).map((r) => r.id),
    removed: before.rules.filter((r) => !now.has(r.id)).map((r) => r.id),
    changed,
    reordered: keptBefore.join('\n') !== keptAfter.join('\n'),
  };
}
