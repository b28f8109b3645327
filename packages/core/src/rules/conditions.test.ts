import { describe, expect, it } from 'vitest';
import type { Condition } from './conditions-schema';
import { CONDITION_FIELD_NAMES } from './fields';
import { CHAIN, CONTEXT, item, order, run } from './testing/fixtures';
import type { ChainMember, EvaluationContext, Order } from './types';

// The order of every row: 2026-03-02 (a Monday) 10:30 in Shanghai, 100.00 CNY, campaign
// "spring", sub-id "wx", a new customer's first order, two items (A: shoes, 2 × 30.00; B:
// no category, 1 × 40.00), sold by a promoter of tier tir_gold (level 3) in groups vip and
// north with 5,000.00 of period volume.
const ORDER: Order = order({
  campaign: 'spring',
  subId: 'wx',
  items: [item('A', 3000n, 2, { category: 'shoes' }), item('B', 4000n, 1)],
});
const CTX: Partial<EvaluationContext> = { periodVolume: 500000n };

/** Whether a 10 % rule with this condition pays on the order. */
function matches(when: Condition, o: Order = ORDER, chain: ChainMember[] = CHAIN): boolean {
  const result = run([{ when, payout: { kind: 'percent', rate: '0.1' } }], o, CTX, chain);
  return result.lines.length > 0;
}

type Row = [string, Condition, boolean];

const ROWS: Row[] = [
  ['order.amount gte (equal)', { field: 'order.amount', op: 'gte', value: '10000' }, true],
  ['order.amount gt (equal)', { field: 'order.amount', op: 'gt', value: '10000' }, false],
  ['order.amount lt', { field: 'order.amount', op: 'lt', value: '10001' }, true],
  ['order.amount lte', { field: 'order.amount', op: 'lte', value: '9999' }, false],
  [
    'order.amount between',
    { field: 'order.amount', op: 'between', value: ['5000', '10000'] },
    true,
  ],
  ['order.amount eq', { field: 'order.amount', op: 'eq', value: '10000' }, true],
  ['order.amount ne', { field: 'order.amount', op: 'ne', value: '10000' }, false],
  ['order.currency eq', { field: 'order.currency', op: 'eq', value: 'CNY' }, true],
  ['order.currency in', { field: 'order.currency', op: 'in', value: ['USD', 'EUR'] }, false],
  ['order.campaign eq', { field: 'order.campaign', op: 'eq', value: 'spring' }, true],
  ['order.campaign notIn', { field: 'order.campaign', op: 'notIn', value: ['spring'] }, false],
  ['order.subId eq', { field: 'order.subId', op: 'eq', value: 'wx' }, true],
  ['order.subId ne', { field: 'order.subId', op: 'ne', value: 'wx' }, false],
  ['order.date eq (tenant zone)', { field: 'order.date', op: 'eq', value: '2026-03-02' }, true],
  ['order.date lt', { field: 'order.date', op: 'lt', value: '2026-03-02' }, false],
  [
    'order.date between',
    { field: 'order.date', op: 'between', value: ['2026-03-01', '2026-03-31'] },
    true,
  ],
  ['order.time window', { field: 'order.time', op: 'between', value: ['10:00', '11:00'] }, true],
  [
    'order.time window ends before',
    { field: 'order.time', op: 'between', value: ['09:00', '10:30'] },
    false,
  ],
  [
    'order.time window past midnight',
    { field: 'order.time', op: 'between', value: ['22:00', '11:00'] },
    true,
  ],
  ['order.weekday (Monday)', { field: 'order.weekday', op: 'eq', value: 1 }, true],
  ['order.weekday weekend', { field: 'order.weekday', op: 'in', value: [6, 7] }, false],
  ['item.sku eq', { field: 'item.sku', op: 'eq', value: 'B' }, true],
  ['item.sku in (none)', { field: 'item.sku', op: 'in', value: ['C', 'D'] }, false],
  ['item.category eq', { field: 'item.category', op: 'eq', value: 'shoes' }, true],
  ['item.category notIn', { field: 'item.category', op: 'notIn', value: ['shoes'] }, true],
  ['item.quantity gte', { field: 'item.quantity', op: 'gte', value: 2 }, true],
  ['item.quantity gt', { field: 'item.quantity', op: 'gt', value: 2 }, false],
  ['item.unitPrice gte', { field: 'item.unitPrice', op: 'gte', value: '4000' }, true],
  [
    'item.unitPrice between',
    { field: 'item.unitPrice', op: 'between', value: ['100', '2999'] },
    false,
  ],
  ['customer.isNew', { field: 'customer.isNew', op: 'eq', value: true }, true],
  ['customer.isNew (returning)', { field: 'customer.isNew', op: 'eq', value: false }, false],
  ['customer.orderNumber eq', { field: 'customer.orderNumber', op: 'eq', value: 1 }, true],
  ['customer.orderNumber gte', { field: 'customer.orderNumber', op: 'gte', value: 2 }, false],
  ['promoter.tier eq', { field: 'promoter.tier', op: 'eq', value: 'tir_gold' }, true],
  ['promoter.tier in', { field: 'promoter.tier', op: 'in', value: ['tir_silver'] }, false],
  ['promoter.tierLevel gte', { field: 'promoter.tierLevel', op: 'gte', value: 3 }, true],
  ['promoter.tierLevel lt', { field: 'promoter.tierLevel', op: 'lt', value: 3 }, false],
  ['promoter.group eq (one of two)', { field: 'promoter.group', op: 'eq', value: 'north' }, true],
  ['promoter.group in', { field: 'promoter.group', op: 'in', value: ['south', 'east'] }, false],
  ['promoter.group notIn', { field: 'promoter.group', op: 'notIn', value: ['south'] }, true],
  [
    'promoter.periodVolume gte',
    { field: 'promoter.periodVolume', op: 'gte', value: '500000' },
    true,
  ],
  [
    'promoter.periodVolume lt',
    { field: 'promoter.periodVolume', op: 'lt', value: '500000' },
    false,
  ],
  [
    'all',
    {
      all: [
        { field: 'item.sku', op: 'eq', value: 'A' },
        { field: 'customer.isNew', op: 'eq', value: true },
      ],
    },
    true,
  ],
  [
    'all (one fails)',
    {
      all: [
        { field: 'item.sku', op: 'eq', value: 'A' },
        { field: 'order.subId', op: 'eq', value: 'x' },
      ],
    },
    false,
  ],
  [
    'any',
    {
      any: [
        { field: 'item.sku', op: 'eq', value: 'Z' },
        { field: 'order.subId', op: 'eq', value: 'wx' },
      ],
    },
    true,
  ],
  ['not', { not: { field: 'order.campaign', op: 'eq', value: 'spring' } }, false],
  [
    'item fields hold on one item together',
    {
      all: [
        { field: 'item.sku', op: 'eq', value: 'A' },
        { field: 'item.unitPrice', op: 'gte', value: '4000' },
      ],
    },
    false,
  ],
];

describe('conditions over every field', () => {
  it.each(ROWS)('%s', (_label, when, expected) => {
    expect(matches(when)).toBe(expected);
  });

  it('has a row for every field', () => {
    const fields = new Set<string>();
    const collect = (c: Condition): void => {
      if ('all' in c) c.all.forEach(collect);
      else if ('any' in c) c.any.forEach(collect);
      else if ('not' in c) collect(c.not);
      else fields.add(c.field);
    };
    for (const [, c] of ROWS) collect(c);
    expect([...fields].sort()).toEqual([...CONDITION_FIELD_NAMES].sort());
  });

  it('treats a missing fact as not equal: campaign, tier and category absent', () => {
    const bare = order({ items: [item('A', 100n)] });
    const anonymous = [{ id: 'p_x' }];
    expect(matches({ field: 'order.campaign', op: 'eq', value: 'spring' }, bare)).toBe(false);
    expect(matches({ field: 'order.campaign', op: 'ne', value: 'spring' }, bare)).toBe(true);
    expect(matches({ field: 'promoter.tier', op: 'notIn', value: ['t'] }, bare, anonymous)).toBe(
      true,
    );
    expect(matches({ field: 'promoter.tierLevel', op: 'gte', value: 0 }, bare, anonymous)).toBe(
      false,
    );
    expect(matches({ field: 'item.category', op: 'eq', value: 'shoes' }, bare)).toBe(false);
  });

  it('reads date and time in the tenant time zone', () => {
    // 2026-03-01T20:00Z is 2026-03-02 04:00 in Shanghai and 2026-03-01 15:00 in New York.
    const late = order({ occurredAt: new Date('2026-03-01T20:00:00Z') });
    const when: Condition = { field: 'order.date', op: 'eq', value: '2026-03-02' };
    const paid = (timeZone: string) =>
      run([{ when, payout: { kind: 'percent', rate: '0.1' } }], late, { timeZone }).lines.length;
    expect(paid('Asia/Shanghai')).toBe(1);
    expect(paid('America/New_York')).toBe(0);
  });

  it('keeps the offset right across a daylight-saving change', () => {
    // New York moved to UTC−4 at 2026-03-08 07:00Z (02:00 local).
    const before = order({ occurredAt: new Date('2026-03-08T06:59:00Z') }); // 01:59 EST
    const after = order({ occurredAt: new Date('2026-03-08T07:01:00Z') }); // 03:01 EDT
    const when: Condition = { field: 'order.time', op: 'between', value: ['01:00', '02:00'] };
    const paid = (o: Order) =>
      run([{ when, payout: { kind: 'percent', rate: '0.1' } }], o, { timeZone: 'America/New_York' })
        .lines.length;
    expect(paid(before)).toBe(1);
    expect(paid(after)).toBe(0);
  });

  it('matches an order without items only on order facts', () => {
    const empty = order();
    expect(matches({ field: 'item.sku', op: 'eq', value: 'A' }, empty)).toBe(false);
    expect(matches({ field: 'order.amount', op: 'gte', value: '1' }, empty)).toBe(true);
    expect(CONTEXT.timeZone).toBe('Asia/Shanghai');
  });
});
