import { describe, expect, it } from 'vitest';
import { checkCompliance, minimumOrderAmount } from './compliance';
import { type RuleInput, RuleSetContentSchema } from './schema';

const content = (rules: Omit<RuleInput, 'id' | 'name'>[]) =>
  RuleSetContentSchema.parse({
    currency: 'CNY',
    rules: rules.map((r, i) => ({ id: `r${i}`, name: `Rule ${i}`, ...r })),
  });
const CN = { complianceProfile: 'CN' as const, maxCommissionShareBps: 5000 };
const GLOBAL = { complianceProfile: 'GLOBAL' as const, maxCommissionShareBps: 5000 };
const pct = (rate: string) => ({ kind: 'percent' as const, rate });

describe('compliance guard', () => {
  it('accepts the demo rule set: 10 % to the promoter, 2 % to the inviter', () => {
    expect(
      checkCompliance(content([{ payout: pct('0.1'), upline: [{ rate: '0.02' }] }]), CN),
    ).toEqual([]);
  });

  it('refuses a second upline level under the CN profile, in plain words', () => {
    const breaches = checkCompliance(
      content([{ payout: pct('0.1'), upline: [{ rate: '0.02' }, { rate: '0.01' }] }]),
      CN,
    );
    expect(breaches).toEqual([
      {
        code: 'too_many_levels',
        path: 'rules.0.upline',
        ruleId: 'r0',
        message: expect.stringContaining(
          'rule "r0" pays 3 levels (the promoter and 2 upline level(s)); the CN compliance profile allows the promoter and at most one inviter',
        ),
      },
    ]);
  });

  it('refuses more than three levels under any profile', () => {
    const [breach] = checkCompliance(
      content([
        { payout: pct('0.1'), upline: [{ share: '0.1' }, { share: '0.1' }, { share: '0.1' }] },
      ]),
      GLOBAL,
    );
    expect(breach?.code).toBe('too_many_levels');
    expect(breach?.message).toContain('no profile allows more than 3');
    expect(
      checkCompliance(
        content([{ payout: pct('0.1'), upline: [{ share: '0.1' }, { share: '0.1' }] }]),
        GLOBAL,
      ),
    ).toEqual([]);
  });

  it.each([
    ['a zero percent payout', pct('0')],
    ['a zero fixed payout', { kind: 'fixed', per: 'order', amount: '0' }],
    [
      'a tiered payout with a zero bracket',
      {
        kind: 'tiered',
        by: 'period_volume',
        method: 'flat',
        brackets: [
          { from: '0', rate: '0' },
          { from: '100', rate: '0.1' },
        ],
      },
    ],
  ] as const)('refuses paying uplines for recruitment alone: %s', (_label, payout) => {
    const rule = { payout: JSON.parse(JSON.stringify(payout)), upline: [{ rate: '0.05' }] };
    const breaches = checkCompliance(content([rule]), CN);
    expect(breaches.map((b) => b.code)).toContain('recruitment_only');
    expect(breaches.find((b) => b.code === 'recruitment_only')?.message).toContain(
      'can pay its upline levels on an order where the promoter who made the sale earns nothing',
    );
  });

  it('lets a share of nothing pass: an upline share of a zero commission is zero', () => {
    expect(
      checkCompliance(content([{ payout: pct('0'), upline: [{ share: '0.5' }] }]), CN),
    ).toEqual([]);
  });

  it('refuses rates that can add up past the maximum share', () => {
    const breaches = checkCompliance(
      content([
        { payout: pct('0.3'), upline: [{ share: '0.5' }] },
        { payout: pct('0.2') },
        { stacking: 'additive', payout: pct('0.06') },
      ]),
      CN,
    );
    expect(breaches).toEqual([
      {
        code: 'max_share',
        path: 'rules',
        ruleId: null,
        message: expect.stringContaining(
          'the rules can pay up to 51 % of an order (exclusive "r0" 45 %, additive "r2" 6 %); the tenant\'s maximum share is 50 %',
        ),
      },
    ]);
  });

  it('refuses a fixed amount with no minimum order, and accepts it with one', () => {
    const fixed = { kind: 'fixed' as const, per: 'order' as const, amount: '500' };
    const [breach] = checkCompliance(content([{ payout: fixed }]), CN);
    expect(breach?.code).toBe('max_share');
    expect(breach?.message).toContain(
      'pays a fixed 5.00 CNY per order with no minimum order amount; add a condition order.amount ≥ 10.00 CNY',
    );
    const guarded = content([
      { payout: fixed, when: { field: 'order.amount', op: 'gte', value: '1000' } },
    ]);
    expect(checkCompliance(guarded, CN)).toEqual([]);
  });

  it('refuses a fixed amount per item unless a per-order cap and a minimum bound it', () => {
    const perItem = { kind: 'fixed' as const, per: 'item' as const, amount: '100' };
    expect(checkCompliance(content([{ payout: perItem }]), CN)[0]?.message).toContain(
      'which no order amount bounds',
    );
    const bounded = content([
      {
        payout: perItem,
        caps: { perOrder: '500' },
        when: { field: 'order.amount', op: 'gt', value: '999' },
      },
    ]);
    expect(checkCompliance(bounded, CN)).toEqual([]);
  });

  it('reads the minimum order amount through all and any', () => {
    const gte = (v: string) => ({ field: 'order.amount' as const, op: 'gte' as const, value: v });
    expect(minimumOrderAmount({ all: [gte('100'), gte('300')] })).toBe(300n);
    expect(minimumOrderAmount({ any: [gte('100'), gte('300')] })).toBe(100n);
    expect(minimumOrderAmount({ not: gte('100') })).toBe(0n);
    expect(minimumOrderAmount({ field: 'order.amount', op: 'between', value: ['50', '90'] })).toBe(
      50n,
    );
  });
});
