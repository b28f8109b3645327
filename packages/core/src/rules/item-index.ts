import type { CompiledRule } from './compile-rule';
import type { Condition } from './conditions-schema';
import type { OrderFacts, Slot } from './facts';
import { FIELD_SLOTS } from './fields';

/**
 * An inverted index from item SKUs and categories to the rules that need one of them. A rule
 * whose condition is (or is a conjunction holding) `item.sku` or `item.category` `eq`/`in`
 * can only match an order with such an item, so a few map lookups per item rule out most
 * product-specific rules without running their conditions.
 */
export interface ItemIndex {
  slots: { slot: number; rules: Map<Slot, number[]> }[];
  /** True at a rule's index when the index decides whether the rule can match. */
  keyed: boolean[];
}

function requiredValues(c: Condition): { slot: number; values: Slot[] } | null {
  if ('all' in c) {
    for (const child of c.all) {
      const found = requiredValues(child);
      if (found) return found;
    }
    return null;
  }
  if (!('field' in c) || (c.field !== 'item.sku' && c.field !== 'item.category')) return null;
  const where = FIELD_SLOTS[c.field];
  if (where.from !== 'item') return null;
  if (c.op === 'eq') return { slot: where.slot, values: [c.value as string] };
  if (c.op === 'in') return { slot: where.slot, values: [...(c.value as string[])] };
  return null;
}

export function buildItemIndex(rules: readonly CompiledRule[]): ItemIndex | null {
  const bySlot = new Map<number, Map<Slot, number[]>>();
  const keyed = rules.map(() => false);
  for (const r of rules) {
    const need = r.rule.when ? requiredValues(r.rule.when) : null;
    if (!need) continue;
    keyed[r.index] = true;
    let map = bySlot.get(need.slot);
    if (!map) {
      map = new Map();
      bySlot.set(need.slot, map);
    }
    for (const v of need.values) {
      const list = map.get(v);
      if (list) list.push(r.index);
      else map.set(v, [r.index]);
    }
  }
  if (bySlot.size === 0) return null;
  return { slots: [...bySlot].map(([slot, map]) => ({ slot, rules: map })), keyed };
}

/** 1 at the index of every keyed rule that one of the order's items can satisfy. */
export function itemCandidates(index: ItemIndex, o: OrderFacts): Uint8Array {
  const out = new Uint8Array(index.keyed.length);
  for (const item of o.items) {
    for (const { slot, rules } of index.slots) {
      const hit = rules.get(item.slots[slot] ?? null);
      if (hit) for (const i of hit) out[i] = 1;
    }
  }
  return out;
}
