import type { Currency } from '../money';
import type { Condition, Predicate, PredicateValue } from './conditions-schema';
import { formatMoney } from './decimal';
import type { ItemFacts, OrderFacts, Slot } from './facts';
import { FIELD_SLOTS, type FieldKind, fieldKind, isItemField } from './fields';
import { clockMinutes } from './local-time';

export type Test = (o: OrderFacts, item: ItemFacts | null) => boolean;

/** A condition compiled into closures, kept as a tree so a trace can say which parts held. */
export interface CompiledCondition {
  test: Test;
  text: string;
  usesItems: boolean;
  node:
    | { kind: 'all' | 'any'; children: CompiledCondition[] }
    | { kind: 'not'; child: CompiledCondition }
    | { kind: 'predicate'; predicate: Predicate };
}

// The values of one field all share one type (bigint, number or string), and JavaScript
// compares two of a kind correctly; `Cmp` only tells TypeScript so.
type Cmp = number;

/** A missing fact (null) fails every comparison but ne and notIn, which mean "not eq/in". */
function orderTest(slot: number, op: Predicate['op'], c: Cmp, list: readonly Cmp[]): Test {
  const set = new Set<Slot>(list);
  const [lo = 0, hi = 0] = list;
  switch (op) {
    case 'eq':
      return (o) => o.slots[slot] === c;
    case 'ne':
      return (o) => o.slots[slot] !== c;
    case 'gt':
      return (o) => o.slots[slot] !== null && (o.slots[slot] as Cmp) > c;
    case 'gte':
      return (o) => o.slots[slot] !== null && (o.slots[slot] as Cmp) >= c;
    case 'lt':
      return (o) => o.slots[slot] !== null && (o.slots[slot] as Cmp) < c;
    case 'lte':
      return (o) => o.slots[slot] !== null && (o.slots[slot] as Cmp) <= c;
    case 'between':
      return (o) => {
        const v = o.slots[slot] as Cmp | null;
        return v !== null && v >= lo && v <= hi;
      };
    case 'in':
      return (o) => o.slots[slot] !== null && set.has(o.slots[slot] ?? null);
    default:
      return (o) => o.slots[slot] === null || !set.has(o.slots[slot] ?? null);
  }
}

/** The same tests on an item's facts; with no item (an order without items) they fail. */
function itemTest(slot: number, op: Predicate['op'], c: Cmp, list: readonly Cmp[]): Test {
  const set = new Set<Slot>(list);
  const [lo = 0, hi = 0] = list;
  switch (op) {
    case 'eq':
      return (_o, i) => i !== null && i.slots[slot] === c;
    case 'ne':
      return (_o, i) => i === null || i.slots[slot] !== c;
    case 'gt':
      return (_o, i) => i !== null && i.slots[slot] !== null && (i.slots[slot] as Cmp) > c;
    case 'gte':
      return (_o, i) => i !== null && i.slots[slot] !== null && (i.slots[slot] as Cmp) >= c;
    case 'lt':
      return (_o, i) => i !== null && i.slots[slot] !== null && (i.slots[slot] as Cmp) < c;
    case 'lte':
      return (_o, i) => i !== null && i.slots[slot] !== null && (i.slots[slot] as Cmp) <= c;
    case 'between':
      return (_o, i) => {
        const v = i === null ? null : (i.slots[slot] as Cmp | null);
        return v !== null && v >= lo && v <= hi;
      };
    case 'in':
      return (_o, i) => i !== null && i.slots[slot] !== null && set.has(i.slots[slot] ?? null);
    default:
      return (_o, i) => i === null || i.slots[slot] === null || !set.has(i.slots[slot] ?? null);
  }
}

/** A test over a computed value (the tenant-local date or weekday), with the same meanings. */
function computedTest(read: (o: OrderFacts) => Cmp, op: Predicate['op'], c: Cmp, list: Cmp[]) {
  const set = new Set<Cmp>(list);
  const [lo = 0, hi = 0] = list;
  const compare: Record<Predicate['op'], (v: Cmp) => boolean> = {
    eq: (v) => v === c,
    ne: (v) => v !== c,
    gt: (v) => v > c,
    gte: (v) => v >= c,
    lt: (v) => v < c,
    lte: (v) => v <= c,
    between: (v) => v >= lo && v <= hi,
    in: (v) => set.has(v),
    notIn: (v) => !set.has(v),
  };
  const holds = compare[op];
  return (o: OrderFacts) => holds(read(o));
}

/** Date, time of day and weekday in the tenant's time zone. */
function localTest(p: Predicate): Test {
  if (p.field === 'order.time') {
    const [from, to] = (p.value as string[]).map(clockMinutes) as [number, number];
    // A window such as 22:00–02:00 wraps past midnight.
    return from < to
      ? (o) => {
          const m = o.local().minutes;
          return m >= from && m < to;
        }
      : (o) => {
          const m = o.local().minutes;
          return m >= from || m < to;
        };
  }
  const { c, list } = constants(p);
  const read =
    p.field === 'order.date'
      ? (o: OrderFacts) => o.local().date as unknown as Cmp
      : (o: OrderFacts) => o.local().weekday;
  return computedTest(read, p.op, c, list);
}

/** A promoter may belong to several groups: eq means "is in", in means "is in any of". */
function groupTest(op: Predicate['op'], value: PredicateValue): Test {
  const wanted = new Set(typeof value === 'string' ? [value] : (value as string[]));
  const inAny: Test = (o) => o.groups.some((g) => wanted.has(g));
  return op === 'eq' || op === 'in' ? inAny : (o, i) => !inAny(o, i);
}

/** The predicate's value parsed to the field's runtime type: bigint for money. */
function constants(p: Predicate): { c: Cmp; list: Cmp[] } {
  const parse = (v: string | number | boolean): Cmp =>
    (fieldKind(p.field) === 'money' ? BigInt(String(v)) : v) as Cmp;
  if (Array.isArray(p.value)) return { c: 0, list: p.value.map(parse) };
  return { c: parse(p.value as string | number | boolean), list: [] };
}

function predicateTest(p: Predicate): Test {
  const where = FIELD_SLOTS[p.field];
  if (where.from === 'groups') return groupTest(p.op, p.value);
  if (where.from === 'local') return localTest(p);
  const { c, list } = constants(p);
  return where.from === 'item'
    ? itemTest(where.slot, p.op, c, list)
    : orderTest(where.slot, p.op, c, list);
}

const OP_WORDS: Record<Predicate['op'], string> = {
  eq: '=',
  ne: '≠',
  gt: '>',
  gte: '≥',
  lt: '<',
  lte: '≤',
  between: 'between',
  in: 'in',
  notIn: 'not in',
};

function valueText(kind: FieldKind, v: string | number | boolean, currency: Currency): string {
  if (kind === 'money') return formatMoney(BigInt(String(v)), currency);
  if (kind === 'text' || kind === 'date') return JSON.stringify(v);
  return String(v);
}

/** `order.amount ≥ 100.00 CNY`, `item.category in ["shoes", "bags"]`. */
export function predicateText(p: Predicate, currency: Currency): string {
  const kind = fieldKind(p.field);
  const one = (v: string | number | boolean) => valueText(kind, v, currency);
  if (p.op === 'between') {
    const [a = '', b = ''] = p.value as (string | number)[];
    return kind === 'time'
      ? `${p.field} in ${a}–${b}`
      : `${p.field} between ${one(a)} and ${one(b)}`;
  }
  if (Array.isArray(p.value))
    return `${p.field} ${OP_WORDS[p.op]} [${p.value.map(one).join(', ')}]`;
  return `${p.field} ${OP_WORDS[p.op]} ${one(p.value as string | number | boolean)}`;
}

function join(children: CompiledCondition[], word: string): string {
  return children.map((c) => (c.node.kind === 'predicate' ? c.text : `(${c.text})`)).join(word);
}

/** Compiles a condition tree into one closure per node. */
export function compileCondition(c: Condition, currency: Currency): CompiledCondition {
  if ('all' in c || 'any' in c) {
    const isAll = 'all' in c;
    const children = (isAll ? c.all : c.any).map((x) => compileCondition(x, currency));
    const tests = children.map((x) => x.test);
    const test: Test = isAll
      ? (o, i) => {
          for (const t of tests) if (!t(o, i)) return false;
          return true;
        }
      : (o, i) => {
          for (const t of tests) if (t(o, i)) return true;
          return false;
        };
    return {
      test,
      text: join(children, isAll ? ' and ' : ' or '),
      usesItems: children.some((x) => x.usesItems),
      node: { kind: isAll ? 'all' : 'any', children },
    };
  }
  if ('not' in c) {
    const child = compileCondition(c.not, currency);
    const inner = child.test;
    return {
      test: (o, i) => !inner(o, i),
      text: `not (${child.text})`,
      usesItems: child.usesItems,
      node: { kind: 'not', child },
    };
  }
  return {
    test: predicateTest(c),
    text: predicateText(c, currency),
    usesItems: isItemField(c.field),
    node: { kind: 'predicate', predicate: c },
  };
}

/** One line per predicate: whether it held for this order (and item). */
export function traceCondition(
  c: CompiledCondition,
  o: OrderFacts,
  item: ItemFacts | null,
  out: string[] = [],
): string[] {
  if (c.node.kind === 'predicate') {
    out.push(`${c.test(o, item) ? '✓' : '✗'} ${c.text}`);
    return out;
  }
  const children = c.node.kind === 'not' ? [c.node.child] : c.node.children;
  for (const child of children) traceCondition(child, o, item, out);
  return out;
}
