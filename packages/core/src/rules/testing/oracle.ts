import type { Condition, Predicate } from '../conditions-schema';
import type { Rule, RuleSetContent } from '../schema';
import type { ChainMember, EvaluationContext, Order, OrderItem } from '../types';

/**
 * An independent model of the commission rules, for tests only: exact rational arithmetic on
 * bigint fractions, written from the rules' description rather than from the engine's code
 * (no scaled integers, no compiled closures, no index). Property tests check that the engine
 * gives the same lines as this model. It assumes a time zone with a fixed UTC offset.
 */

class Q {
  readonly n: bigint;
  readonly d: bigint;
  constructor(n: bigint, d = 1n) {
    if (d === 0n) throw new RangeError('zero denominator');
    const sign = d < 0n ? -1n : 1n;
    const g = gcd(n < 0n ? -n : n, d < 0n ? -d : d) || 1n;
    this.n = (sign * n) / g;
    this.d = (sign * d) / g;
  }
  static of(decimal: string | bigint | number): Q {
    if (typeof decimal !== 'string') return new Q(BigInt(decimal));
    const [whole = '0', frac = ''] = decimal.split('.');
    return new Q(BigInt(whole + frac), 10n ** BigInt(frac.length));
  }
  plus(o: Q) {
    return new Q(this.n * o.d + o.n * this.d, this.d * o.d);
  }
  minus(o: Q) {
    return new Q(this.n * o.d - o.n * this.d, this.d * o.d);
  }
  times(o: Q) {
    return new Q(this.n * o.n, this.d * o.d);
  }
  div(o: Q) {
    return new Q(this.n * o.d, this.d * o.n);
  }
  cmp(o: Q) {
    const a = this.n * o.d;
    const b = o.n * this.d;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  floor() {
    const q = this.n / this.d;
    return this.n < 0n && q * this.d !== this.n ? q - 1n : q;
  }
  frac() {
    return this.minus(new Q(this.floor()));
  }
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

const ZERO = new Q(0n);
const min = (a: Q, b: Q) => (a.cmp(b) <= 0 ? a : b);
const sum = (xs: Q[]) => xs.reduce((a, b) => a.plus(b), ZERO);

export interface OracleLine {
  beneficiaryId: string;
  level: number;
  amount: bigint;
  ruleId: string;
}

interface Local {
  date: string;
  minutes: number;
  weekday: number;
}

function localOf(at: Date, offsetMinutes: number): Local {
  const d = new Date(at.getTime() + offsetMinutes * 60000);
  return {
    date: d.toISOString().slice(0, 10),
    minutes: d.getUTCHours() * 60 + d.getUTCMinutes(),
    weekday: d.getUTCDay() === 0 ? 7 : d.getUTCDay(),
  };
}

type Fact = string | number | bigint | boolean | null;

function factOf(
  p: Predicate,
  order: Order,
  item: OrderItem | null,
  chain: ChainMember[],
  ctx: EvaluationContext,
  local: Local,
): Fact | string[] {
  const promoter = chain[0];
  switch (p.field) {
    case 'order.amount':
      return order.amount;
    case 'order.currency':
      return order.currency;
    case 'order.campaign':
      return order.campaign ?? null;
    case 'order.subId':
      return order.subId ?? null;
    case 'order.date':
      return local.date;
    case 'order.time':
      return local.minutes;
    case 'order.weekday':
      return local.weekday;
    case 'item.sku':
      return item ? item.sku : null;
    case 'item.category':
      return item ? (item.category ?? null) : null;
    case 'item.quantity':
      return item ? item.quantity : null;
    case 'item.unitPrice':
      return item ? item.unitPrice : null;
    case 'customer.isNew':
      return order.customer.isNew;
    case 'customer.orderNumber':
      return order.customer.orderNumber;
    case 'promoter.tier':
      return promoter?.tierId ?? null;
    case 'promoter.tierLevel':
      return promoter?.tierLevel ?? null;
    case 'promoter.group':
      return [...(promoter?.groups ?? [])];
    case 'promoter.periodVolume':
      return ctx.periodVolume ?? 0n;
  }
}

const MONEY = new Set(['order.amount', 'item.unitPrice', 'promoter.periodVolume']);

function norm(field: string, v: unknown): Fact {
  if (MONEY.has(field)) return BigInt(String(v));
  if (field === 'order.time') {
    const s = String(v);
    return Number(s.slice(0, 2)) * 60 + Number(s.slice(3));
  }
  return v as Fact;
}

function holds(p: Predicate, fact: Fact | string[]): boolean {
  const value = p.value;
  if (Array.isArray(fact)) {
    const wanted = Array.isArray(value) ? value : [value];
    const any = fact.some((g) => wanted.includes(g));
    return p.op === 'eq' || p.op === 'in' ? any : !any;
  }
  const list = Array.isArray(value) ? value.map((v) => norm(p.field, v)) : [];
  const c = Array.isArray(value) ? null : norm(p.field, value);
  if (p.field === 'order.time') {
    const [from, to] = list as number[];
    const m = fact as number;
    return (from ?? 0) < (to ?? 0)
      ? m >= (from ?? 0) && m < (to ?? 0)
      : m >= (from ?? 0) || m < (to ?? 0);
  }
  if (p.op === 'ne') return fact !== c;
  if (p.op === 'notIn') return !list.includes(fact);
  if (fact === null) return false;
  const f = fact as number;
  switch (p.op) {
    case 'eq':
      return fact === c;
    case 'in':
      return list.includes(fact);
    case 'gt':
      return f > (c as number);
    case 'gte':
      return f >= (c as number);
    case 'lt':
      return f < (c as number);
    case 'lte':
      return f <= (c as number);
    default:
      return f >= (list[0] as number) && f <= (list[1] as number);
  }
}

type Env = { order: Order; chain: ChainMember[]; ctx: EvaluationContext; local: Local };

function test(c: Condition, item: OrderItem | null, env: Env): boolean {
  if ('all' in c) return c.all.every((x) => test(x, item, env));
  if ('any' in c) return c.any.some((x) => test(x, item, env));
  if ('not' in c) return !test(c.not, item, env);
  return holds(c, factOf(c, env.order, item, env.chain, env.ctx, env.local));
}

function mentionsItems(c: Condition): boolean {
  if ('all' in c) return c.all.some(mentionsItems);
  if ('any' in c) return c.any.some(mentionsItems);
  if ('not' in c) return mentionsItems(c.not);
  return c.field.startsWith('item.');
}

function mentionsMoney(c: Condition): boolean {
  if ('all' in c) return c.all.some(mentionsMoney);
  if ('any' in c) return c.any.some(mentionsMoney);
  if ('not' in c) return mentionsMoney(c.not);
  return MONEY.has(c.field);
}

const itemGross = (i: OrderItem) => i.unitPrice * BigInt(i.quantity);
function itemNet(i: OrderItem) {
  const n = itemGross(i) - (i.discount ?? 0n);
  return n > 0n ? n : 0n;
}

function tiered(p: Extract<Rule['payout'], { kind: 'tiered' }>, basis: bigint, volume: bigint): Q {
  const start = p.by === 'period_volume' ? volume : 0n;
  const end = start + basis;
  const froms = p.brackets.map((b) => BigInt(b.from));
  if (p.method === 'flat') {
    let j = 0;
    froms.forEach((f, k) => {
      if (f <= end) j = k;
    });
    return new Q(basis).times(Q.of(p.brackets[j]?.rate ?? '0'));
  }
  let total = ZERO;
  p.brackets.forEach((b, k) => {
    const lo = froms[k] ?? 0n;
    const hi = froms[k + 1];
    const a = start > lo ? start : lo;
    const z = hi === undefined || end < hi ? end : hi;
    if (z > a) total = total.plus(new Q(z - a).times(Q.of(b.rate)));
  });
  return total;
}

function promoterAmount(rule: Rule, basis: bigint, quantity: number, volume: bigint): Q {
  const p = rule.payout;
  if (p.kind === 'percent') return new Q(basis).times(Q.of(p.rate));
  if (p.kind === 'fixed')
    return p.per === 'order' ? Q.of(p.amount) : Q.of(p.amount).times(new Q(BigInt(quantity)));
  return tiered(p, basis, volume);
}

function levels(rule: Rule, basis: bigint, promoter: Q, paid: number): Q[] {
  const out = [promoter];
  for (let k = 1; k < paid && k <= rule.upline.length; k++) {
    const l = rule.upline[k - 1];
    out.push(
      l?.rate !== undefined
        ? new Q(basis).times(Q.of(l.rate))
        : promoter.times(Q.of(l?.share ?? '0')),
    );
  }
  return out;
}

interface RulePool {
  rule: Rule;
  index: number;
  levels: Q[];
  pool: Q;
}

function rulePool(
  rule: Rule,
  index: number,
  matched: OrderItem[],
  env: Env,
  paid: number,
): RulePool {
  const after = rule.basis.discounts === 'after';
  const volume = env.ctx.periodVolume ?? 0n;
  let ls: Q[];
  let pool: Q;
  if (rule.caps?.perItem !== undefined) {
    ls = [];
    pool = ZERO;
    for (const item of matched) {
      const b = after ? itemNet(item) : itemGross(item);
      const each = levels(rule, b, promoterAmount(rule, b, item.quantity, volume), paid);
      each.forEach((l, k) => {
        ls[k] = (ls[k] ?? ZERO).plus(l);
      });
      pool = pool.plus(min(sum(each), Q.of(rule.caps.perItem).times(new Q(BigInt(item.quantity)))));
    }
    const n = Math.min(paid, rule.upline.length + 1);
    while (ls.length < n) ls.push(ZERO);
  } else {
    const basis =
      rule.basis.scope === 'order'
        ? after
          ? env.order.amount
          : env.order.amount + (env.order.discount ?? 0n)
        : matched.reduce((a, i) => a + (after ? itemNet(i) : itemGross(i)), 0n);
    const quantity = matched.reduce((a, i) => a + i.quantity, 0);
    ls = levels(rule, basis, promoterAmount(rule, basis, quantity, volume), paid);
    pool = sum(ls);
  }
  if (rule.caps?.perOrder !== undefined) pool = min(pool, Q.of(rule.caps.perOrder));
  if (rule.caps?.perPromoterPeriod !== undefined) {
    const left = BigInt(rule.caps.perPromoterPeriod) - (env.ctx.periodPaid?.[rule.id] ?? 0n);
    pool = min(pool, new Q(left > 0n ? left : 0n));
  }
  return { rule, index, levels: ls, pool };
}

function applies(rule: Rule, env: Env, setCurrency: string, tzOffsetMinutes: number): boolean {
  const at = env.order.occurredAt.getTime();
  if (rule.effective?.from && at < Date.parse(rule.effective.from)) return false;
  if (rule.effective?.to && at >= Date.parse(rule.effective.to)) return false;
  const moneyBound =
    rule.payout.kind !== 'percent' ||
    rule.caps !== undefined ||
    (rule.when !== undefined && mentionsMoney(rule.when));
  if (moneyBound && env.order.currency !== setCurrency) return false;
  const sub = env.order.subscription;
  if (!sub) return true;
  if (rule.recurring.mode === 'first_payment') return sub.paymentNumber === 1;
  if (rule.recurring.mode === 'first_months') {
    const a = new Date(sub.startedAt.getTime() + tzOffsetMinutes * 60000);
    const b = new Date(at + tzOffsetMinutes * 60000);
    const months =
      (b.getUTCFullYear() - a.getUTCFullYear()) * 12 +
      b.getUTCMonth() -
      a.getUTCMonth() -
      (b.getUTCDate() < a.getUTCDate() ? 1 : 0);
    return months < rule.recurring.months;
  }
  return true;
}

/** Largest remainder over exact shares, ties by key. */
function largestRemainder(total: bigint, exact: Q[], keys: string[]): bigint[] {
  const out = exact.map((e) => e.floor());
  let left = total - out.reduce((a, b) => a + b, 0n);
  const order = exact
    .map((e, i) => ({ i, f: e.frac(), k: keys[i] ?? '' }))
    .filter((x) => x.f.cmp(ZERO) > 0)
    .sort((a, b) => b.f.cmp(a.f) || (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
  for (const x of order) {
    if (left <= 0n) break;
    out[x.i] = (out[x.i] ?? 0n) + 1n;
    left--;
  }
  if (left !== 0n) throw new Error(`oracle: ${left} units left over`);
  return out;
}

function roundQ(x: Q, mode: EvaluationContext['roundingMode']): bigint {
  const f = x.floor();
  if (mode === 'down') return f;
  const c = x.frac().cmp(new Q(1n, 2n));
  if (c < 0) return f;
  if (c > 0 || mode === 'half_up') return f + 1n;
  return f % 2n === 0n ? f : f + 1n;
}

/** The lines the rules should give, by the model. */
export function oracleEvaluate(
  content: RuleSetContent,
  order: Order,
  chain: ChainMember[],
  ctx: EvaluationContext,
  tzOffsetMinutes: number,
): OracleLine[] {
  const profileMax = ctx.complianceProfile === 'CN' ? 2 : 3;
  const paid = Math.min(ctx.distributionDepth, profileMax, chain.length);
  const env: Env = { order, chain, ctx, local: localOf(order.occurredAt, tzOffsetMinutes) };

  const matched: RulePool[] = [];
  content.rules.forEach((rule, index) => {
    if (!applies(rule, env, content.currency, tzOffsetMinutes)) return;
    let items: OrderItem[] | null;
    if (!rule.when) items = [...order.items];
    else if (mentionsItems(rule.when) && order.items.length > 0) {
      items = order.items.filter((i) => rule.when && test(rule.when, i, env));
      if (items.length === 0) items = null;
    } else items = test(rule.when, null, env) ? [...order.items] : null;
    if (items) matched.push(rulePool(rule, index, items, env, paid));
  });

  const exclusive = matched.filter((m) => m.rule.stacking === 'exclusive');
  exclusive.sort(
    (a, b) => b.rule.priority - a.rule.priority || b.pool.cmp(a.pool) || a.index - b.index,
  );
  const winner = exclusive[0];
  const paying = matched.filter((m) => m.rule.stacking === 'additive' || m === winner);

  const x = sum(paying.map((p) => p.pool));
  const maxShare = (order.amount * BigInt(ctx.maxCommissionShareBps)) / 10000n;
  const clamped = x.cmp(new Q(maxShare)) > 0;
  const exactOf = (p: RulePool) => (clamped ? p.pool.times(new Q(maxShare)).div(x) : p.pool);
  const total = clamped ? maxShare : roundQ(x, ctx.roundingMode);
  const parts = largestRemainder(
    total,
    paying.map(exactOf),
    paying.map((p) => p.rule.id),
  );

  const lines: OracleLine[] = [];
  paying.forEach((p, r) => {
    const uncapped = sum(p.levels);
    const e = exactOf(p);
    const levelExact = p.levels.map((l) =>
      uncapped.cmp(ZERO) === 0 ? ZERO : e.times(l).div(uncapped),
    );
    const split = largestRemainder(
      parts[r] ?? 0n,
      levelExact,
      p.levels.map((_, k) => chain[k]?.id ?? ''),
    );
    split.forEach((amount, level) => {
      const who = chain[level];
      if (amount > 0n && who)
        lines.push({ beneficiaryId: who.id, level, amount, ruleId: p.rule.id });
    });
  });
  return lines;
}
