import { describe, expect, it } from 'vitest';
import { accrualEntries } from './accrual-entries';
import { balanceOf, balances } from './balances';
import { reviewEntries } from './review-entries';

const lines = [
  { id: 'com_1', beneficiaryId: 'prm_a', amount: 500n },
  { id: 'com_2', beneficiaryId: 'prm_b', amount: 100n },
];
const input = { conversionId: 'cnv_1', currency: 'CNY' as const, lines };

describe('reviewEntries', () => {
  it('holds, then releases, back to pending', () => {
    const entries = [
      ...accrualEntries(lines.map((l) => ({ ...l, currency: 'CNY' as const }))),
      ...reviewEntries('hold', input),
    ];
    let b = balances(entries);
    expect(balanceOf(b, 'CNY', 'promoter_pending:prm_a')).toBe(0n);
    expect(balanceOf(b, 'CNY', 'promoter_held:prm_a')).toBe(-500n);
    b = balances([...entries, ...reviewEntries('release', input)]);
    expect(balanceOf(b, 'CNY', 'promoter_held:prm_a')).toBe(0n);
    expect(balanceOf(b, 'CNY', 'promoter_pending:prm_a')).toBe(-500n);
    expect(balanceOf(b, 'CNY', 'promoter_pending:prm_b')).toBe(-100n);
  });

  it('voids a held commission back to the expense: every account ends at zero', () => {
    const b = balances([
      ...accrualEntries(lines.map((l) => ({ ...l, currency: 'CNY' as const }))),
      ...reviewEntries('hold', input),
      ...reviewEntries('void', input),
    ]);
    for (const amount of b.get('CNY')?.values() ?? []) expect(amount).toBe(0n);
  });

  it('is keyed by the conversion and the step, and writes nothing for zero lines', () => {
    const [entry] = reviewEntries('void', input);
    expect(entry).toMatchObject({ sourceType: 'review', sourceId: 'cnv_1', purpose: 'void' });
    expect(
      reviewEntries('hold', {
        ...input,
        lines: [{ id: 'com_1', beneficiaryId: 'prm_a', amount: 0n }],
      }),
    ).toEqual([]);
  });
});
