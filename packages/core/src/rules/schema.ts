import { z } from 'zod';
import { CURRENCY_CODES, MINOR_UNITS_PATTERN, parseMinorUnits } from '../money';
import {
  ConditionSchema,
  MAX_CONDITION_DEPTH,
  MAX_PREDICATES,
  measureCondition,
} from './conditions-schema';
import { DECIMAL_PATTERN, parseRate, RATE_SCALE } from './decimal';

/**
 * The JSON of a rule set version, validated with zod before it is stored. Defaults are filled
 * in by parsing, so the stored content says everything the engine will do.
 *
 * @example
 *   RuleSetContentSchema.parse({
 *     currency: 'CNY',
 *     rules: [{ id: 'base', name: 'Base', payout: { kind: 'percent', rate: '0.10' },
 *               upline: [{ rate: '0.02' }] }],
 *   })
 */

/** Upline levels a rule may describe; the compliance guard decides how many may be paid. */
export const MAX_UPLINE_LEVELS = 9;
export const MAX_RULES = 200;

export const RateSchema = z
  .string()
  .regex(DECIMAL_PATTERN, 'must be a decimal string with at most 8 decimals, such as "0.10"')
  .refine((v) => (parseRate(v) ?? RATE_SCALE + 1n) <= RATE_SCALE, 'must be between 0 and 1')
  .meta({ description: 'A fraction of 1 as a decimal string: "0.10" is 10 %', example: '0.10' });

export const AmountSchema = z
  .string()
  .regex(MINOR_UNITS_PATTERN, 'must be a whole number of minor units, as a string')
  .refine((v) => parseMinorUnits(v) !== null, 'must be at most 10^15 minor units')
  .meta({ description: 'Minor units of the rule set currency (分 for CNY)', example: '500' });

const BasisSchema = z.strictObject({
  scope: z.enum(['order', 'items']).default('order'),
  discounts: z.enum(['after', 'before']).default('after'),
});

const BracketSchema = z.strictObject({ from: AmountSchema, rate: RateSchema });

const TieredSchema = z
  .strictObject({
    kind: z.literal('tiered'),
    by: z.enum(['period_volume', 'order_amount']),
    method: z.enum(['flat', 'marginal']),
    brackets: z.array(BracketSchema).min(1).max(20),
  })
  .superRefine((t, ctx) => {
    if (t.brackets[0]?.from !== '0') {
      ctx.addIssue({ code: 'custom', path: ['brackets', 0, 'from'], message: 'must be "0"' });
    }
    for (let i = 1; i < t.brackets.length; i++) {
      const prev = BigInt(t.brackets[i - 1]?.from ?? '0');
      if (BigInt(t.brackets[i]?.from ?? '0') <= prev) {
        ctx.addIssue({
          code: 'custom',
          path: ['brackets', i, 'from'],
          message: 'must be above the previous bracket',
        });
      }
    }
  });

export const PayoutSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('percent'), rate: RateSchema }),
  z.strictObject({
    kind: z.literal('fixed'),
    per: z.enum(['order', 'item']),
    amount: AmountSchema,
  }),
  TieredSchema,
]);

/** An upline level earns a rate of the basis, or a share of what the promoter earns. */
const UplineLevelSchema = z
  .strictObject({ rate: RateSchema.optional(), share: RateSchema.optional() })
  .refine((l) => (l.rate === undefined) !== (l.share === undefined), {
    message: 'must have exactly one of rate (of the basis) or share (of the promoter commission)',
  });

const CapsSchema = z.strictObject({
  perItem: AmountSchema.optional(),
  perOrder: AmountSchema.optional(),
  perPromoterPeriod: AmountSchema.optional(),
});

const Instant = z.iso.datetime({ offset: true });

const EffectiveSchema = z
  .strictObject({ from: Instant.optional(), to: Instant.optional() })
  .refine((e) => !e.from || !e.to || Date.parse(e.from) < Date.parse(e.to), {
    message: 'from must be before to',
    path: ['to'],
  });

const RecurringSchema = z.discriminatedUnion('mode', [
  z.strictObject({ mode: z.literal('first_payment') }),
  z.strictObject({ mode: z.literal('first_months'), months: z.number().int().min(1).max(120) }),
  z.strictObject({ mode: z.literal('every_payment') }),
]);

export const RuleSchema = z
  .strictObject({
    id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must be 1 to 64 of a-z, 0-9, _ and -'),
    name: z.string().trim().min(1, 'must not be empty').max(200),
    description: z.string().max(2000).optional(),
    priority: z.number().int().min(-1000).max(1000).default(0),
    stacking: z.enum(['exclusive', 'additive']).default('exclusive'),
    when: ConditionSchema.optional(),
    basis: BasisSchema.default({ scope: 'order', discounts: 'after' }),
    payout: PayoutSchema,
    upline: z.array(UplineLevelSchema).max(MAX_UPLINE_LEVELS).default([]),
    caps: CapsSchema.optional(),
    effective: EffectiveSchema.optional(),
    recurring: RecurringSchema.default({ mode: 'first_payment' }),
  })
  .superRefine((rule, ctx) => {
    if (rule.when) {
      const m = measureCondition(rule.when);
      if (m.predicates > MAX_PREDICATES || m.depth > MAX_CONDITION_DEPTH) {
        ctx.addIssue({
          code: 'custom',
          path: ['when'],
          message: `at most ${MAX_PREDICATES} predicates nested at most ${MAX_CONDITION_DEPTH} deep`,
        });
      }
    }
    if (rule.caps?.perItem !== undefined && !paysPerItem(rule)) {
      ctx.addIssue({
        code: 'custom',
        path: ['caps', 'perItem'],
        message:
          'needs a payout computed per item: a percent of matching items, or a fixed amount per item',
      });
    }
  });

export const RuleSetContentSchema = z
  .strictObject({
    currency: z.enum(CURRENCY_CODES),
    rules: z.array(RuleSchema).max(MAX_RULES),
  })
  .superRefine((content, ctx) => {
    const seen = new Set<string>();
    content.rules.forEach((rule, i) => {
      if (seen.has(rule.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['rules', i, 'id'],
          message: `another rule already has the id ${rule.id}`,
        });
      }
      seen.add(rule.id);
    });
  })
  .meta({ id: 'RuleSetContent' });

export type RuleSetContent = z.output<typeof RuleSetContentSchema>;
export type RuleSetContentInput = z.input<typeof RuleSetContentSchema>;
export type Rule = z.output<typeof RuleSchema>;
export type RuleInput = z.input<typeof RuleSchema>;
export type Payout = Rule['payout'];
export type UplineLevel = Rule['upline'][number];
export type Caps = NonNullable<Rule['caps']>;

/** True when the rule's payout is computed item by item, so a per-item cap can apply. */
export function paysPerItem(rule: Pick<Rule, 'payout' | 'basis'>): boolean {
  if (rule.payout.kind === 'fixed') return rule.payout.per === 'item';
  return rule.payout.kind === 'percent' && rule.basis.scope === 'items';
}
