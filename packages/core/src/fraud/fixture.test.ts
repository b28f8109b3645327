import { describe, expect, it } from 'vitest';
import { type FraudScore, scoreConversion } from './score';
import { defaultFraudSettings } from './settings';
import { generateTraffic, type Label } from './testing/traffic';

// Fixed seeds keep the figures reproducible; FRAUD_SEED=<n> adds another seed to the five below.
const seed = Number(process.env.FRAUD_SEED ?? 20250301);

interface Tally {
  total: number;
  flagged: number;
  rejected: number;
}

const empty = (): Tally => ({ total: 0, flagged: 0, rejected: 0 });
const pct = (part: number, whole: number) => `${((part * 100) / Math.max(whole, 1)).toFixed(2)} %`;
const isFraud = (label: Label) => label !== 'legit' && label !== 'genuine';

function add(tally: Tally, { decision }: FraudScore): void {
  tally.total += 1;
  if (decision !== 'approve') tally.flagged += 1;
  if (decision === 'reject') tally.rejected += 1;
}

function bump(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

const listed = (counts: Map<string, number>) =>
  [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([k, n]) => `    ${n} × ${k}`);

interface Figures {
  conversions: number;
  fraud: Tally;
  legit: Tally;
}

/** Scores one seed's traffic as it arrives and prints the confusion figures. */
function scoreSeed(seed: number): Figures {
  const traffic = generateTraffic(seed);
  const byLabel = new Map<Label, Tally>();
  const fraud = empty();
  const heldLegit = new Map<string, number>();
  const missedFraud = new Map<string, number>();

  for (const { label, atArrival: facts } of traffic) {
    const result = scoreConversion(facts, defaultFraudSettings);
    const tally = byLabel.get(label) ?? empty();
    byLabel.set(label, tally);
    add(tally, result);
    if (isFraud(label)) add(fraud, result);

    const reasons = result.reasons.map((r) => r.code).join('+') || '(no signal)';
    if (label === 'legit' && result.decision !== 'approve') bump(heldLegit, reasons);
    if (isFraud(label) && result.decision === 'approve') bump(missedFraud, `${label}: ${reasons}`);
  }

  const legit = byLabel.get('legit') ?? empty();
  const genuine = byLabel.get('genuine') ?? empty();
  const kinds = [...byLabel.entries()].filter(([label]) => isFraud(label));

  // biome-ignore lint/suspicious/noConsole: the confusion figures are what this fixture is for
  console.info(
    [
      `fraud fixture, seed ${seed}: ${traffic.length} conversions`,
      `  fraud ${fraud.total}: caught ${fraud.flagged} (${pct(fraud.flagged, fraud.total)}; rejected ${fraud.rejected}), missed ${fraud.total - fraud.flagged}`,
      ...kinds.map(([k, t]) => `    ${k}: ${t.flagged}/${t.total} (${pct(t.flagged, t.total)})`),
      `  legit ${legit.total}: held ${legit.flagged} (${pct(legit.flagged, legit.total)}; rejected ${legit.rejected}), approved ${legit.total - legit.flagged}`,
      `  genuine sales of fraudulent promoters ${genuine.total}: held ${genuine.flagged} (${pct(genuine.flagged, genuine.total)})`,
      '  legit held, by reasons:',
      ...listed(heldLegit),
      '  fraud missed, by reasons:',
      ...listed(missedFraud),
    ].join('\n'),
  );
  return { conversions: traffic.length, fraud, legit };
}

// The default seed and four others, so the targets hold for the detector and not for one draw.
const seeds = [...new Set([seed, 20250301, 1, 2, 3, 4])];

describe.each(seeds)('labelled synthetic traffic at arrival, default settings, seed %i', (s) => {
  const { conversions, fraud, legit } = scoreSeed(s);

  it('has at least 2,000 labelled conversions, a fifth of them fraud', () => {
    expect(conversions).toBeGreaterThanOrEqual(2000);
    expect(fraud.total / conversions).toBeGreaterThan(0.15);
  });

  it('catches at least 95 % of fraud', () => {
    expect(fraud.flagged / fraud.total).toBeGreaterThanOrEqual(0.95);
  });

  it('holds at most 1 % of legitimate conversions', () => {
    expect(legit.flagged / legit.total).toBeLessThanOrEqual(0.01);
  });
});
