import { z } from '@hono/zod-openapi';
import { RuleSetContentSchema } from '@tuike/core';
import type { RuleSetVersionRow, RuleSetView } from '@tuike/db';
import { CurrencySchema, idOf, MinorUnits, MoneySchema, Timestamp } from '../lib/openapi';
import type { SimulationResult } from '../services/rule-set-simulation';
import { Name } from './schemas';

/** Request and response schemas of /v1/rule-sets, and the shapers that go with them. */

export const RuleSetSchema = z
  .object({
    id: idOf('ruleSet'),
    name: z.string(),
    description: z.string(),
    publishedVersion: z.number().int().nullable().openapi({
      description: 'The version commissions are computed with, if any',
    }),
    workingVersion: z.number().int().nullable().openapi({
      description: 'The draft (or the version waiting for approval), if any',
    }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi('RuleSet');

export function ruleSetJson(r: RuleSetView): z.infer<typeof RuleSetSchema> {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    publishedVersion: r.publishedVersion,
    workingVersion: r.workingVersion,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

export const RuleSetVersionSchema = z
  .object({
    ruleSetId: idOf('ruleSet'),
    version: z.number().int(),
    status: z.enum(['draft', 'pending_approval', 'published', 'archived']),
    content: RuleSetContentSchema,
    contentHash: z.string().nullable().openapi({ description: 'SHA-256 of the canonical content' }),
    createdBy: z.string().nullable(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    submittedBy: z.string().nullable(),
    submittedAt: Timestamp.nullable(),
    approvedBy: z.string().nullable(),
    approvedAt: Timestamp.nullable(),
    publishedAt: Timestamp.nullable(),
    archivedAt: Timestamp.nullable(),
  })
  .openapi('RuleSetVersion');

export function versionJson(v: RuleSetVersionRow): z.infer<typeof RuleSetVersionSchema> {
  return {
    ruleSetId: v.ruleSetId,
    version: v.version,
    status: v.status,
    content: v.content as z.infer<typeof RuleSetContentSchema>,
    contentHash: v.contentHash,
    createdBy: v.createdBy,
    createdAt: v.createdAt.toISOString(),
    updatedAt: v.updatedAt.toISOString(),
    submittedBy: v.submittedBy,
    submittedAt: iso(v.submittedAt),
    approvedBy: v.approvedBy,
    approvedAt: iso(v.approvedAt),
    publishedAt: iso(v.publishedAt),
    archivedAt: iso(v.archivedAt),
  };
}

export const CreateRuleSetBody = z
  .strictObject({
    name: Name.max(100),
    description: z.string().trim().max(2000).optional(),
    content: RuleSetContentSchema.optional().openapi({
      description: 'The first draft; an empty rule set in the tenant currency when absent',
    }),
  })
  .openapi('CreateRuleSet');

export const UpdateRuleSetBody = z
  .strictObject({ name: Name.max(100), description: z.string().trim().max(2000) })
  .partial()
  .openapi('UpdateRuleSet');

export const DraftBody = z.strictObject({ content: RuleSetContentSchema }).openapi('RuleSetDraft');

export const NoteBody = z
  .strictObject({
    note: z.string().trim().max(1000).optional().openapi({ description: 'Why, for the audit log' }),
  })
  .openapi('RuleSetStep');

export const RollbackBody = z
  .strictObject({
    version: z
      .number()
      .int()
      .min(1)
      .openapi({ description: 'The published or archived version to restore' }),
    note: z.string().trim().max(1000).optional(),
  })
  .openapi('RuleSetRollback');

export const ValidateBody = z
  .strictObject({
    content: z.unknown().optional().openapi({
      description: 'Content to check; the working draft when absent',
    }),
  })
  .openapi('RuleSetValidate');

const FieldErrorSchema = z.object({ path: z.string(), message: z.string() });

export const ValidationSchema = z
  .object({
    valid: z.boolean(),
    version: z.number().int().nullable(),
    errors: z.array(FieldErrorSchema),
    breaches: z.array(
      z.object({
        code: z.enum(['too_many_levels', 'recruitment_only', 'max_share']),
        path: z.string(),
        ruleId: z.string().nullable(),
        message: z.string(),
      }),
    ),
  })
  .openapi('RuleSetValidation');

export const VersionListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(20),
  cursor: z
    .string()
    .regex(/^[1-9][0-9]{0,8}$/, 'must be the nextCursor of a previous page')
    .optional(),
});

const VersionNumber = z.coerce.number().int().min(1).max(1e9);

export const DiffQuery = z.object({
  from: VersionNumber.optional().openapi({ description: 'Default: the published version' }),
  to: VersionNumber.optional().openapi({ description: 'Default: the working draft' }),
});

const ChangeSchema = z.object({ path: z.string(), before: z.unknown(), after: z.unknown() });

export const DiffSchema = z
  .object({
    from: z.number().int(),
    to: z.number().int(),
    changes: z.array(ChangeSchema),
    added: z.array(z.string()),
    removed: z.array(z.string()),
    changed: z.array(z.object({ ruleId: z.string(), changes: z.array(ChangeSchema) })),
    reordered: z.boolean(),
  })
  .openapi('RuleSetDiff');

const ChainMemberSchema = z.strictObject({
  id: z.string().min(1).max(64),
  tierId: z.string().max(64).nullable().optional(),
  tierLevel: z.number().int().min(0).max(1000).nullable().optional(),
  groups: z.array(z.string().min(1).max(200)).max(50).optional(),
});

const SimulatedOrderSchema = z
  .strictObject({
    id: z.string().max(100).optional(),
    amount: MinorUnits.openapi({ description: 'What the customer paid, after discounts' }),
    discount: MinorUnits.optional(),
    currency: CurrencySchema.optional().openapi({ description: 'Default: the tenant currency' }),
    items: z
      .array(
        z.strictObject({
          sku: z.string().min(1).max(200),
          category: z.string().min(1).max(200).nullable().optional(),
          quantity: z.number().int().min(1).max(1_000_000),
          unitPrice: MinorUnits,
          discount: MinorUnits.optional(),
        }),
      )
      .max(200)
      .optional(),
    occurredAt: z.iso
      .datetime({ offset: true })
      .optional()
      .openapi({ description: 'Default: now' }),
    campaign: z.string().min(1).max(200).nullable().optional(),
    subId: z.string().min(1).max(200).nullable().optional(),
    customer: z
      .strictObject({
        isNew: z.boolean().optional(),
        orderNumber: z.number().int().min(1).max(1_000_000).optional(),
      })
      .optional(),
    subscription: z
      .strictObject({
        paymentNumber: z.number().int().min(1).max(10_000),
        startedAt: z.iso.datetime({ offset: true }),
      })
      .optional(),
    promoterId: idOf('promoter').optional().openapi({
      description: 'A promoter of the tenant; its chain and tier are read from the database',
    }),
    chain: z.array(ChainMemberSchema).min(1).max(3).optional().openapi({
      description: 'Made-up promoters instead: the seller first, then the uplines',
    }),
    periodVolume: MinorUnits.optional(),
    periodPaid: z.record(z.string().max(64), MinorUnits).optional().openapi({
      description: 'What each rule (by id) already paid on the promoter in the period',
    }),
  })
  .refine((o) => (o.promoterId === undefined) !== (o.chain === undefined), {
    message: 'give exactly one of promoterId or chain',
  });

export const SimulateBody = z
  .strictObject({
    version: z.number().int().min(1).optional().openapi({
      description: 'Default: the working draft, else the published version',
    }),
    orders: z.array(SimulatedOrderSchema).min(1).max(100),
    trace: z.boolean().optional().openapi({
      description: 'Trace every predicate of every rule (default true)',
    }),
  })
  .openapi('RuleSetSimulate');

const LineSchema = z.object({
  beneficiaryId: z.string(),
  level: z.number().int(),
  amount: MoneySchema,
  ruleId: z.string(),
  ruleSetId: z.string(),
  ruleSetVersion: z.number().int(),
});

const ExplanationSchema = z
  .object({
    ruleSetId: z.string(),
    ruleSetVersion: z.number().int(),
    currency: CurrencySchema,
    winner: z.string().nullable(),
    paidLevels: z.number().int(),
    beneficiaries: z.array(z.string()),
    exactTotal: z
      .string()
      .openapi({ description: 'Exact minor units before rounding, as a decimal' }),
    maxShare: MinorUnits,
    clamped: z.boolean(),
    rounding: z.string(),
    total: MinorUnits,
    rules: z.array(
      z.object({
        ruleId: z.string(),
        name: z.string(),
        status: z.string(),
        condition: z.string(),
        matchedSkus: z.array(z.string()).optional(),
        basis: z.string().optional(),
        exactPool: z.string().optional(),
        caps: z.array(z.string()).optional(),
        paid: z.string().optional(),
        trace: z.array(z.string()).optional(),
      }),
    ),
    text: z.array(z.string()),
  })
  .openapi('CommissionExplanation');

export const SimulationSchema = z
  .object({
    ruleSetId: z.string(),
    version: z.number().int(),
    status: z.string(),
    results: z.array(
      z.object({
        orderId: z.string().nullable(),
        total: MoneySchema,
        lines: z.array(LineSchema),
        explanation: ExplanationSchema,
      }),
    ),
  })
  .openapi('RuleSetSimulation');

export function simulationResultJson(r: SimulationResult) {
  return {
    orderId: r.orderId,
    total: { amount: r.total.toString(), currency: r.currency },
    lines: r.lines.map((l) => ({
      beneficiaryId: l.beneficiaryId,
      level: l.level,
      amount: { amount: l.amount.toString(), currency: l.currency },
      ruleId: l.ruleId,
      ruleSetId: l.ruleSetId,
      ruleSetVersion: l.ruleSetVersion,
    })),
    explanation: r.explanation,
  };
}

export const BacktestBody = z
  .strictObject({ from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }) })
  .refine((b) => Date.parse(b.from) < Date.parse(b.to), {
    message: 'from must be before to',
    path: ['to'],
  })
  .refine((b) => Date.parse(b.to) - Date.parse(b.from) <= 366 * 86400000, {
    message: 'the range may span at most 366 days',
    path: ['to'],
  })
  .openapi('RuleSetBacktest');

/** A signed amount of minor units: a difference can be negative. */
const SignedMinorUnits = z
  .string()
  .regex(/^-?(0|[1-9][0-9]*)$/)
  .openapi({ example: '-150' });

const Compared = {
  currency: CurrencySchema,
  draft: MinorUnits,
  published: MinorUnits,
  difference: SignedMinorUnits.openapi({ description: 'draft − published' }),
};

export const BacktestSchema = z
  .object({
    ruleSetId: z.string(),
    from: Timestamp,
    to: Timestamp,
    conversions: z.number().int(),
    draftVersion: z.number().int().nullable(),
    publishedVersion: z.number().int().nullable(),
    totals: z.array(z.object(Compared)),
    promoters: z.array(z.object({ promoterId: z.string(), ...Compared })),
  })
  .openapi('RuleSetBacktestResult');

export function comparedJson<T extends { currency: string; draft: bigint; published: bigint }>(
  row: T,
): Omit<T, 'draft' | 'published'> & { draft: string; published: string; difference: string } {
  const { draft, published, ...rest } = row;
  return {
    ...rest,
    draft: draft.toString(),
    published: published.toString(),
    difference: (draft - published).toString(),
  };
}
