import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical';
import { diffRuleSets } from './diff';
import { RuleSetContentSchema } from './schema';

function problems(input: unknown): string[] {
  const result = RuleSetContentSchema.safeParse(input);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

const rule = (extra: Record<string, unknown> = {}) => ({
  id: 'base',
  name: 'Base',
  payout: { kind: 'percent', rate: '0.1' },
  ...extra,
});

describe('rule set content schema', () => {
  it('fills in defaults so the stored content says everything', () => {
    const parsed = RuleSetContentSchema.parse({ currency: 'CNY', rules: [rule()] });
    expect(parsed.rules[0]).toEqual({
      id: 'base',
      name: 'Base',
      priority: 0,
      stacking: 'exclusive',
      basis: { scope: 'order', discounts: 'after' },
      payout: { kind: 'percent', rate: '0.1' },
      upline: [],
      recurring: { mode: 'first_payment' },
    });
  });

  it.each([
    [
      rule({ payout: { kind: 'percent', rate: 0.1 } }),
      'rules.0.payout.rate: Invalid input: expected string, received number',
    ],
    [
      rule({ payout: { kind: 'percent', rate: '1.5' } }),
      'rules.0.payout.rate: must be between 0 and 1',
    ],
    [
      rule({ payout: { kind: 'percent', rate: '0.123456789' } }),
      'rules.0.payout.rate: must be a decimal string with at most 8 decimals, such as "0.10"',
    ],
    [
      rule({ payout: { kind: 'fixed', per: 'order', amount: '-1' } }),
      'rules.0.payout.amount: must be a whole number of minor units, as a string',
    ],
    [
      rule({ upline: [{ rate: '0.1', share: '0.1' }] }),
      'rules.0.upline.0: must have exactly one of rate (of the basis) or share (of the promoter commission)',
    ],
    [
      rule({ when: { field: 'customer.isNew', op: 'in', value: [true] } }),
      'rules.0.when.op: customer.isNew accepts only eq',
    ],
    [
      rule({ when: { field: 'order.amount', op: 'gte', value: 100 } }),
      'rules.0.when.value: must be minor units as a string, such as "1999"',
    ],
    [
      rule({ when: { field: 'order.date', op: 'eq', value: '2026-02-30' } }),
      'rules.0.when.value: must be a real calendar date',
    ],
    [
      rule({ when: { field: 'order.time', op: 'between', value: ['10:00', '10:00'] } }),
      'rules.0.when.value: the window must not be empty',
    ],
    [
      rule({ when: { field: 'order.amount', op: 'between', value: ['9', '1'] } }),
      'rules.0.when.value: low must not be above high',
    ],
    [
      rule({ when: { all: [], any: [] } }),
      'rules.0.when.all: Too small: expected array to have >=1 items',
    ],
    [
      rule({ when: { not: { field: 'item.sku', op: 'eq', value: 'A' }, field: 'item.sku' } }),
      'rules.0.when: must have exactly one of all, any, not or field',
    ],
    [
      rule({ caps: { perItem: '100' } }),
      'rules.0.caps.perItem: needs a payout computed per item: a percent of matching items, or a fixed amount per item',
    ],
    [
      rule({
        payout: {
          kind: 'tiered',
          by: 'order_amount',
          method: 'flat',
          brackets: [{ from: '5', rate: '0.1' }],
        },
      }),
      'rules.0.payout.brackets.0.from: must be "0"',
    ],
    [
      rule({ effective: { from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' } }),
      'rules.0.effective.to: from must be before to',
    ],
    [rule({ tenantId: 'ten_x' }), 'rules.0: Unrecognized key: "tenantId"'],
  ])('refuses %j', (r, message) => {
    expect(problems({ currency: 'CNY', rules: [r] })).toContain(message);
  });

  it('refuses two rules with one id', () => {
    expect(problems({ currency: 'CNY', rules: [rule(), rule()] })).toEqual([
      'rules.1.id: another rule already has the id base',
    ]);
  });
});

describe('canonical JSON and diff', () => {
  it('writes equal content equally, whatever the key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 1, e: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[1,{"e":2,"f":1}]},"b":1}',
    );
  });

  it('matches rules by id and names each changed field', () => {
    const before = RuleSetContentSchema.parse({
      currency: 'CNY',
      rules: [rule(), rule({ id: 'gone' }), rule({ id: 'moved' })],
    });
    const after = RuleSetContentSchema.parse({
      currency: 'CNY',
      rules: [
        rule({ id: 'moved' }),
        rule({ payout: { kind: 'percent', rate: '0.12' } }),
        rule({ id: 'new' }),
      ],
    });
    expect(diffRuleSets(before, after)).toEqual({
      changes: [],
      added: ['new'],
      removed: ['gone'],
      changed: [
        { ruleId: 'base', changes: [{ path: 'payout.rate', before: '0.1', after: '0.12' }] },
      ],
      reordered: true,
    });
  });
});
