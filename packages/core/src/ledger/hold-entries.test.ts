import { describe, expect, it } from 'vitest';
import { accrualEntries } from './accrual-entries';
import { balanceOf, balances, trialBalance } from './balances';
import { disputeLostEntries, holdEntries, releaseHoldEntries } from './hold-entries';

const lines = [
  { id: 'com_1', beneficiaryId: 'prm_a', amount: 100n },
  { id: 'com_2', beneficiaryId: 'prm_a', amount: 50n },
  { id: 'com_3', beneficiaryId: 'prm_b', amount: 30n },
];
const dispute = { disputeId: 'dp_1', currency: 'CNY', lines } as const;
const accruals = accrualEntries(lines.map((l) => ({ ...l, currency: 'CNY' as const })));

describe('holdEntries', () => {
  it('moves each promoter’s pending commission of the conversion to held, in one entry', () => {
    expect(holdEntries(dispute)).toEqual([
      {
        purpose: 'hold',
        sourceType: 'dispute',
        sourceId: 'dp_1',
        currency: 'CNY',
        postings: [
          { account: 'promoter_held:prm_a', amount: -150n },
          { account: 'promoter_held:prm_b', amount: -30n },
          { account: 'promoter_pending:prm_a', amount: 150n },
          { account: 'promoter_pending:prm_b', amount: 30n },
        ],
      },
    ]);
  });

  it('writes nothing when nothing is pending', () => {
    expect(holdEntries({ ...dispute, lines: lines.map((l) => ({ ...l, amount: 0n })) })).toEqual(
      [],
    );
  });
});

describe('releaseHoldEntries', () => {
  it('puts a won dispute’s hold back to pending', () => {
    const b = balances([...accruals, ...holdEntries(dispute), ...releaseHoldEntries(dispute)]);
    expect(balanceOf(b, 'CNY', 'promoter_pending:prm_a')).toBe(-150n);
    expect(balanceOf(b, 'CNY', 'promoter_pending:prm_b')).toBe(-30n);
    expect(balanceOf(b, 'CNY', 'promoter_held:prm_a')).toBe(0n);
    expect(releaseHoldEntries(dispute)[0]?.purpose).toBe('release');
  });
});

describe('disputeLostEntries', () => {
  it('claws back what a lost dispute held, leaving every account at zero', () => {
    const lost = disputeLostEntries(dispute);
    expect(lost[0]?.postings).toEqual([
      { account: 'commission_expense', amount: -180n },
      { account: 'promoter_held:prm_a', amount: 150n },
      { account: 'promoter_held:prm_b', amount: 30n },
    ]);
    const b = balances([...accruals, ...holdEntries(dispute), ...lost]);
    expect([...(b.get('CNY')?.values() ?? [])]).toEqual([0n, 0n, 0n, 0n, 0n]);
    expect(trialBalance(b).balanced).toBe(true);
  });
});
