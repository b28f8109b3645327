// npm run bench:rules — evaluates a 50-rule set over 5-item orders with a 2-level promoter
// chain on one core (one thread, no workers) and prints orders per second. The last line is
// `rules: N orders/s`; the bar is 100,000.
import {
  type ChainMember,
  compileRuleSet,
  type EvaluationContext,
  type Order,
  type RuleInput,
  RuleSetContentSchema,
} from '@tuike/core';

const out = (line: string) => process.stdout.write(`${line}\n`);

/** A small deterministic generator, so every run measures the same orders. */
function lcg(seed: number) {
  let s = seed >>> 0;
  return (n: number) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
}

function benchRules(): RuleInput[] {
  const rules: RuleInput[] = [
    {
      id: 'base',
      name: 'Base 5 %',
      payout: { kind: 'percent', rate: '0.05' },
      upline: [{ rate: '0.01' }],
    },
  ];
  for (let k = 0; k < 15; k++) {
    rules.push({
      id: `category-${k}`,
      name: `Category ${k}`,
      priority: 10,
      when: { field: 'item.category', op: 'eq', value: `cat-${k}` },
      basis: { scope: 'items' },
      payout: { kind: 'percent', rate: '0.08' },
      upline: [{ share: '0.2' }],
    });
  }
  for (let k = 0; k < 10; k++) {
    rules.push({
      id: `sku-${k}`,
      name: `SKU bonus ${k}`,
      stacking: 'additive',
      when: { field: 'item.sku', op: 'in', value: [`sku-${k}`, `sku-${k + 10}`, `sku-${k + 20}`] },
      basis: { scope: 'items' },
      payout: { kind: 'fixed', per: 'item', amount: '50' },
      caps: { perItem: '30' },
    });
  }
  for (let k = 0; k < 8; k++) {
    rules.push({
      id: `campaign-${k}`,
      name: `Campaign ${k}`,
      priority: 20,
      when: {
        all: [
          { field: 'order.campaign', op: 'eq', value: `camp-${k}` },
          { field: 'order.amount', op: 'gte', value: '10000' },
        ],
      },
      payout: {
        kind: 'tiered',
        by: 'order_amount',
        method: 'marginal',
        brackets: [
          { from: '0', rate: '0.06' },
          { from: '50000', rate: '0.09' },
          { from: '200000', rate: '0.12' },
        ],
      },
      upline: [{ rate: '0.015' }],
      caps: { perOrder: '50000' },
    });
  }
  for (let k = 0; k < 6; k++) {
    rules.push({
      id: `tier-${k}`,
      name: `Tier bonus ${k}`,
      stacking: 'additive',
      when: {
        all: [
          { field: 'promoter.tierLevel', op: 'gte', value: 3 + k },
          { field: 'customer.isNew', op: 'eq', value: true },
        ],
      },
      payout: { kind: 'percent', rate: '0.01' },
      caps: { perOrder: '2000', perPromoterPeriod: '500000' },
    });
  }
  for (let k = 0; k < 5; k++) {
    rules.push({
      id: `evening-${k}`,
      name: `Evening ${k}`,
      stacking: 'additive',
      when: {
        all: [
          { field: 'order.time', op: 'between', value: [`${18 + k}:00`, '23:30'] },
          { not: { field: 'order.weekday', op: 'in', value: [1, 2] } },
        ],
      },
      payout: { kind: 'percent', rate: '0.005' },
    });
  }
  for (let k = 0; k < 5; k++) {
    rules.push({
      id: `volume-${k}`,
      name: `Volume ladder ${k}`,
      priority: 5,
      when: { field: 'promoter.group', op: 'eq', value: `group-${k}` },
      payout: {
        kind: 'tiered',
        by: 'period_volume',
        method: 'flat',
        brackets: [
          { from: '0', rate: '0.05' },
          { from: '1000000', rate: '0.07' },
        ],
      },
      upline: [{ share: '0.1' }],
    });
  }
  return rules;
}

function benchOrders(count: number): Order[] {
  const rnd = lcg(20261203);
  const start = Date.UTC(2026, 0, 1);
  return Array.from({ length: count }, (_, n) => ({
    id: `order-${n}`,
    amount: BigInt(1000 + rnd(300000)),
    discount: BigInt(rnd(2000)),
    currency: 'CNY',
    campaign: rnd(3) === 0 ? `camp-${rnd(10)}` : null,
    subId: null,
    customer: { isNew: rnd(2) === 0, orderNumber: 1 + rnd(5) },
    occurredAt: new Date(start + rnd(365 * 24 * 60) * 60000),
    items: Array.from({ length: 5 }, () => ({
      sku: `sku-${rnd(200)}`,
      category: `cat-${rnd(30)}`,
      quantity: 1 + rnd(3),
      unitPrice: BigInt(500 + rnd(50000)),
      discount: BigInt(rnd(200)),
    })),
  }));
}

const content = RuleSetContentSchema.parse({ currency: 'CNY', rules: benchRules() });
const compiled = compileRuleSet({ id: 'rls_bench', version: 1, content, contentHash: 'bench' });
const orders = benchOrders(2000);
const chain: ChainMember[] = [
  { id: 'prm_seller', tierId: 'tir_gold', tierLevel: 4, groups: ['group-1', 'vip'] },
  { id: 'prm_inviter', tierId: 'tir_silver', tierLevel: 2 },
];
const base: EvaluationContext = {
  timeZone: 'Asia/Shanghai',
  roundingMode: 'down',
  maxCommissionShareBps: 5000,
  distributionDepth: 2,
  complianceProfile: 'CN',
  periodVolume: 800_000n,
  periodPaid: { 'tier-0': 1000n },
};

/**
 * Evaluates orders round-robin for `ms` milliseconds of wall time. Throughput is counted per
 * second of CPU time of this process (user + system, every thread, so garbage collection
 * helpers count too): other work on a shared machine then does not lower the figure, and the
 * figure is what one core does.
 */
function run(ms: number, context: EvaluationContext) {
  let n = 0;
  let lines = 0;
  const began = performance.now();
  const cpu = process.cpuUsage();
  let now = began;
  while (now - began < ms) {
    for (let i = 0; i < 500; i++) {
      const order = orders[n % orders.length];
      if (!order) throw new Error('no order');
      lines += compiled.evaluate(order, chain, context).lines.length;
      n++;
    }
    now = performance.now();
  }
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000;
  return {
    perSecond: Math.round((n * 1000) / cpuMs),
    wallPerSecond: Math.round((n * 1000) / (now - began)),
    linesPerOrder: lines / n,
  };
}

out(
  `rule set: ${content.rules.length} rules; orders: ${orders.length} distinct, 5 items each; chain: 2 levels`,
);
out(`node ${process.version}; one thread`);
run(2000, base);
const result = run(5000, base);
const traced = run(2000, { ...base, trace: true });
out(`with a full trace (simulate): ${traced.perSecond.toLocaleString('en-US')} orders/s`);
out(`lines per order: ${result.linesPerOrder.toFixed(2)}`);
out(`wall clock: ${result.wallPerSecond.toLocaleString('en-US')} orders/s`);
out(`rules: ${result.perSecond} orders/s`);
