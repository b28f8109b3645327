import { describe, expect, it } from 'vitest';
import { COMPILED_CACHE_SIZE, compiledCacheSize, compiledRuleSet } from './compile';
import { explanationJson, explanationText } from './explain';
import { RuleSetContentSchema } from './schema';
import { item, linesOf, order, run } from './testing/fixtures';
import type { Order } from './types';

// Every row is computed by hand. The order: 100.00 CNY paid after 20.00 of discounts; item A
// 2 × 30.00 with 5.00 off (net 55.00), item B 1 × 40.00. Chain: p_seller, p_inviter, p_grand.
const ORDER: Order = order({
  amount: 10000n,
  discount: 2000n,
  items: [item('A', 3000n, 2, { discount: 500n }), item('B', 4000n, 1)],
});
const onlyA = { field: 'item.sku', op: 'eq', value: 'A' } as const;
const pct = (rate: string) => ({ kind: 'percent' as const, rate });
const BRACKETS = [
  { from: '0', rate: '0.05' },
  { from: '5000', rate: '0.08' },
  { from: '20000', rate: '0.1' },
];

describe('payout kinds', () => {
  it.each([
    ['percent of the order after discounts: 10 % × 100.00', {}, 1000],
    [
      'percent of the order before discounts: 10 % × 120.00',
      { basis: { discounts: 'before' } },
      1200,
    ],
    [
      'percent of matching items after discounts: 10 % × 55.00',
      { when: onlyA, basis: { scope: 'items' } },
      550,
    ],
    [
      'percent of matching items before discounts: 10 % × 60.00',
      { when: onlyA, basis: { scope: 'items', discounts: 'before' } },
      600,
    ],
  ] as const)('%s', (_label, extra, expected) => {
    const result = run([{ payout: pct('0.1'), ...extra }], ORDER);
    expect(linesOf(result)).toEqual([`p_seller:0:${expected}:r0`]);
  });

  it('fixed per order: 5.00', () => {
    const result = run([{ payout: { kind: 'fixed', per: 'order', amount: '500' } }], ORDER);
    expect(linesOf(result)).toEqual(['p_seller:0:500:r0']);
  });

  it('fixed per item counts units of matching items: 1.50 × 2', () => {
    const result = run(
      [{ when: onlyA, payout: { kind: 'fixed', per: 'item', amount: '150' } }],
      ORDER,
    );
    expect(linesOf(result)).toEqual(['p_seller:0:300:r0']);
  });

  it.each([
    ['by order amount, flat: 100.00 falls in the 8 % bracket', 'order_amount', 'flat', 0n, 800],
    ['by order amount, marginal: 50.00 × 5 % + 50.00 × 8 %', 'order_amount', 'marginal', 0n, 650],
    [
      'by period volume, flat: 180.00 + 100.00 ends in the 10 % bracket',
      'period_volume',
      'flat',
      18000n,
      1000,
    ],
    [
      'by period volume, marginal: 20.00 × 8 % + 80.00 × 10 %',
      'period_volume',
      'marginal',
      18000n,
      960,
    ],
  ] as const)('tiered %s', (_label, by, method, periodVolume, expected) => {
    const result = run([{ payout: { kind: 'tiered', by, method, brackets: BRACKETS } }], ORDER, {
      periodVolume,
    });
    expect(linesOf(result)).toEqual([`p_seller:0:${expected}:r0`]);
  });
});

describe('levels', () => {
  it('pays uplines a rate of the basis: 10 %, 2 %, 1 %', () => {
    const result = run(
      [{ payout: pct('0.1'), upline: [{ rate: '0.02' }, { rate: '0.01' }] }],
      ORDER,
    );
    expect(linesOf(result)).toEqual([
      'p_seller:0:1000:r0',
      'p_inviter:1:200:r0',
      'p_grand:2:100:r0',
    ]);
  });

  it("pays uplines a share of the promoter's commission: 50 % and 10 % of 10.00", () => {
    const result = run(
      [{ payout: pct('0.1'), upline: [{ share: '0.5' }, { share: '0.1' }] }],
      ORDER,
    );
    expect(linesOf(result)).toEqual([
      'p_seller:0:1000:r0',
      'p_inviter:1:500:r0',
      'p_grand:2:100:r0',
    ]);
  });

  it.each([
    [
      'the CN profile pays the promoter and one inviter',
      { complianceProfile: 'CN' as const },
      3,
      2,
    ],
    ['a tenant depth of 1 pays the promoter only', { distributionDepth: 1 }, 3, 1],
    ['a chain of two pays two levels', {}, 2, 2],
  ])('%s', (_label, context, chainLength, levels) => {
    const chain = [{ id: 'p_seller' }, { id: 'p_inviter' }, { id: 'p_grand' }].slice(
      0,
      chainLength,
    );
    const result = run(
      [{ payout: pct('0.1'), upline: [{ rate: '0.02' }, { rate: '0.01' }] }],
      ORDER,
      context,
      chain,
    );
    expect(result.lines.map((l) => l.level)).toEqual([0, 1, 2].slice(0, levels));
    expect(result.explanation.paidLevels).toBe(levels);
  });
});

describe('caps', () => {
  it('per item: 1.50 a unit capped at 1.00, split in proportion with the upline', () => {
    // A: 3.00 + 2 % × 55.00 = 4.10, capped at 2 × 1.00; B: 1.50 + 0.80 = 2.30, capped at 1.00.
    // Pool 3.00 over uncapped 4.50 (seller) and 1.90 (inviter): 2.109375 and 0.890625.
    const result = run(
      [
        {
          payout: { kind: 'fixed', per: 'item', amount: '150' },
          upline: [{ rate: '0.02' }],
          caps: { perItem: '100' },
        },
      ],
      ORDER,
    );
    expect(linesOf(result)).toEqual(['p_seller:0:211:r0', 'p_inviter:1:89:r0']);
  });

  it('per order: 10.00 + 5.00 capped at 12.00', () => {
    const result = run(
      [{ payout: pct('0.1'), upline: [{ rate: '0.05' }], caps: { perOrder: '1200' } }],
      ORDER,
    );
    expect(linesOf(result)).toEqual(['p_seller:0:800:r0', 'p_inviter:1:400:r0']);
  });

  it.each([
    ['pays what is left of the period cap', 4400n, ['p_seller:0:600:r0']],
    ['pays nothing once the period cap is used up', 6000n, []],
  ])('per promoter per period: %s', (_label, already, expected) => {
    const result = run([{ payout: pct('0.1'), caps: { perPromoterPeriod: '5000' } }], ORDER, {
      periodPaid: { r0: already },
    });
    expect(linesOf(result)).toEqual(expected);
  });

  it('never pays below zero when discounts exceed an item price', () => {
    const o = order({ items: [item('A', 100n, 1, { discount: 500n })] });
    const result = run([{ basis: { scope: 'items' }, payout: pct('0.5') }], o);
    expect(result.lines).toEqual([]);
    expect(result.total).toBe(0n);
  });
});

describe('priority and stacking', () => {
  it('pays only the highest-priority exclusive rule', () => {
    const result = run(
      [
        { priority: 1, payout: pct('0.05') },
        { priority: 2, payout: pct('0.01') },
      ],
      ORDER,
    );
    expect(linesOf(result)).toEqual(['p_seller:0:100:r1']);
    expect(result.explanation.outcomes.map((x) => x.status)).toEqual(['outranked', 'paid']);
  });

  it('breaks a priority tie by the larger pool, then by the earlier rule', () => {
    expect(linesOf(run([{ payout: pct('0.05') }, { payout: pct('0.08') }], ORDER))).toEqual([
      'p_seller:0:800:r1',
    ]);
    expect(linesOf(run([{ payout: pct('0.05') }, { payout: pct('0.05') }], ORDER))).toEqual([
      'p_seller:0:500:r0',
    ]);
  });

  it('pays additive rules on top of the exclusive winner', () => {
    const result = run(
      [
        { payout: pct('0.1') },
        { stacking: 'additive', payout: { kind: 'fixed', per: 'order', amount: '300' } },
        { stacking: 'additive', when: onlyA, payout: { kind: 'fixed', per: 'item', amount: '50' } },
      ],
      ORDER,
    );
    expect(linesOf(result)).toEqual([
      'p_seller:0:1000:r0',
      'p_seller:0:300:r1',
      'p_seller:0:100:r2',
    ]);
    expect(result.total).toBe(1400n);
  });
});

describe('the order as a whole', () => {
  it("clamps everything to the tenant's maximum share, in proportion", () => {
    // 15.00 + 5.00 exact against a 10 % maximum of 100.00: r0 7.50 (5.00 + 2.50), r1 2.50.
    const result = run(
      [
        { payout: pct('0.1'), upline: [{ rate: '0.05' }] },
        { stacking: 'additive', payout: { kind: 'fixed', per: 'order', amount: '500' } },
      ],
      ORDER,
      { maxCommissionShareBps: 1000 },
    );
    expect(linesOf(result)).toEqual([
      'p_seller:0:500:r0',
      'p_inviter:1:250:r0',
      'p_seller:0:250:r1',
    ]);
    expect(result.explanation.clamped).toBe(true);
  });

  it.each([
    ['down', 10005n, 1000n],
    ['half_up', 10005n, 1001n],
    ['half_even', 10005n, 1000n],
    ['half_even', 10015n, 1002n],
    ['half_up', 10004n, 1000n],
  ] as const)('rounds once by the %s rule (%s × 10 %%)', (roundingMode, amount, expected) => {
    const result = run([{ payout: pct('0.1') }], order({ amount }), { roundingMode });
    expect(result.total).toBe(expected);
  });

  it('splits a tie by beneficiary id, not by level', () => {
    // 10.05 × 10 % = 1.005 for each of two levels: 2.01 total, one unit left for a .5 tie.
    const rules = [{ payout: pct('0.1'), upline: [{ share: '1' }] }];
    const o = order({ amount: 1005n });
    expect(linesOf(run(rules, o, {}, [{ id: 'p_seller' }, { id: 'p_inviter' }]))).toEqual([
      'p_seller:0:100:r0',
      'p_inviter:1:101:r0',
    ]);
    expect(linesOf(run(rules, o, {}, [{ id: 'a_seller' }, { id: 'b_inviter' }]))).toEqual([
      'a_seller:0:101:r0',
      'b_inviter:1:100:r0',
    ]);
  });

  it('applies effective dates as [from, to)', () => {
    const at = '2026-03-02T02:30:00Z';
    const paid = (effective: { from?: string; to?: string }) =>
      run([{ payout: pct('0.1'), effective }], ORDER).lines.length;
    expect(paid({ from: at })).toBe(1);
    expect(paid({ to: at })).toBe(0);
    expect(paid({ from: '2026-04-01T00:00:00+08:00' })).toBe(0);
  });

  it.each([
    ['first payment only, second payment', { mode: 'first_payment' }, 2, 0],
    ['first payment only, first payment', { mode: 'first_payment' }, 1, 1],
    ['every payment', { mode: 'every_payment' }, 5, 1],
    ['first 3 months, in month 2 (Jan 15 → Mar 2)', { mode: 'first_months', months: 3 }, 3, 1],
    ['first month, in month 2', { mode: 'first_months', months: 1 }, 3, 0],
  ] as const)('subscriptions: %s', (_label, recurring, paymentNumber, lines) => {
    const o = order({
      subscription: { paymentNumber, startedAt: new Date('2026-01-15T04:00:00Z') },
    });
    expect(run([{ payout: pct('0.1'), recurring }], o).lines.length).toBe(lines);
  });

  it('pays percentages in the order currency, and skips rules holding amounts in another', () => {
    const usd = order({ currency: 'USD' });
    const result = run(
      [
        { payout: pct('0.1') },
        { stacking: 'additive', payout: { kind: 'fixed', per: 'order', amount: '100' } },
      ],
      usd,
      {
        trace: true,
      },
    );
    expect(result.lines.map((l) => `${l.amount} ${l.currency} ${l.ruleId}`)).toEqual([
      '1000 USD r0',
    ]);
    expect(result.explanation.outcomes[1]?.status).toBe('other_currency');
  });

  it('refuses an empty or repeating promoter chain', () => {
    expect(() => run([{ payout: pct('0.1') }], ORDER, {}, [])).toThrow(/empty/);
    expect(() => run([{ payout: pct('0.1') }], ORDER, {}, [{ id: 'a' }, { id: 'a' }])).toThrow(
      /repeats/,
    );
  });

  it('records the rule set version on every line', () => {
    const [line] = run([{ payout: pct('0.1') }], ORDER).lines;
    expect(line).toMatchObject({ ruleSetId: 'rls_t', ruleSetVersion: 7, currency: 'CNY' });
  });
});

describe('explanation', () => {
  it('says which rule won and shows the arithmetic', () => {
    const result = run(
      [
        {
          when: { field: 'order.amount', op: 'gte', value: '5000' },
          payout: pct('0.1'),
          upline: [{ rate: '0.02' }],
        },
        { when: { field: 'order.campaign', op: 'eq', value: 'none' }, payout: pct('0.5') },
      ],
      ORDER,
    );
    const text = explanationText(result.explanation).join('\n');
    expect(text).toContain(
      'rule "r0" (Rule 0, exclusive, priority 0) matched: order.amount ≥ 50.00 CNY',
    );
    expect(text).toContain('promoter: 100.00 CNY × 10 % = 10.00 CNY');
    expect(text).toContain('level 1 (p_inviter): 100.00 CNY × 2 % = 2.00 CNY');
    expect(text).toContain('pays 12.00 CNY (p_seller 10.00 CNY, p_inviter 2.00 CNY)');
    expect(text).toContain('1 other rule(s) did not match');
    expect(text).toContain('exclusive rule "r0" won');
    expect(text).toContain('rounded down once: 12.00 CNY');
  });

  it('traces every predicate when asked', () => {
    const result = run(
      [
        {
          when: { all: [onlyA, { field: 'customer.isNew', op: 'eq', value: false }] },
          payout: pct('0.1'),
        },
      ],
      ORDER,
      { trace: true },
    );
    const json = explanationJson(result.explanation);
    expect(json.rules[0]?.status).toBe('no_match');
    expect(json.rules[0]?.trace).toEqual([
      'item 1 (A):',
      '  ✓ item.sku = "A"',
      '  ✗ customer.isNew = false',
      'item 2 (B):',
      '  ✗ item.sku = "A"',
      '  ✗ customer.isNew = false',
    ]);
    expect(json.total).toBe('0');
  });

  it('lists matching items by SKU whatever their order', () => {
    const rules = [
      { when: { field: 'item.unitPrice', op: 'gte', value: '1' } as const, payout: pct('0.1') },
    ];
    const swapped = { ...ORDER, items: [...ORDER.items].reverse() };
    const a = explanationJson(run(rules, ORDER).explanation);
    const b = explanationJson(run(rules, swapped).explanation);
    expect(a.rules[0]?.matchedSkus).toEqual(['A', 'B']);
    expect(b.rules).toEqual(a.rules);
  });
});

describe('compiled evaluator cache', () => {
  const content = RuleSetContentSchema.parse({ currency: 'CNY', rules: [] });

  it('compiles a published version once and a draft every time', () => {
    const ref = { id: 'rls_cache', version: 1, content, contentHash: 'h1' };
    expect(compiledRuleSet(ref)).toBe(compiledRuleSet({ ...ref }));
    expect(compiledRuleSet({ ...ref, contentHash: 'h2' })).not.toBe(compiledRuleSet(ref));
    const draft = { id: 'rls_cache', version: 2, content };
    expect(compiledRuleSet(draft)).not.toBe(compiledRuleSet(draft));
  });

  it('stays bounded', () => {
    for (let v = 0; v < COMPILED_CACHE_SIZE + 50; v++) {
      compiledRuleSet({ id: 'rls_many', version: v, content, contentHash: 'h' });
    }
    expect(compiledCacheSize()).toBe(COMPILED_CACHE_SIZE);
  });
});
