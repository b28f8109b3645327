import { z } from '@hono/zod-openapi';
import {
  COMPLIANCE_PROFILE_NAMES,
  FraudSettingsSchema,
  isTimeZone,
  normalizeDomain,
  parseMinorUnits,
  ROUNDING_MODES,
} from '@tuike/core';
import type { TenantRow, UserRow } from '@tuike/db';
import { CurrencySchema, idOf, MinorUnits, MoneySchema, Timestamp } from '../lib/openapi';

/** Shared request and response schemas, and the row → JSON shapers that go with them. */

export const Email = z
  .string()
  .trim()
  .max(254)
  .pipe(z.email('must be an e-mail address'))
  .openapi({ example: 'owner@example.com' });

export const Password = z
  .string()
  .min(10, 'must be at least 10 characters')
  .max(256, 'must be at most 256 characters')
  .openapi({ example: 'correct horse battery' });

export const Name = z.string().trim().min(1, 'must not be empty').max(200);

const Domain = z
  .string()
  .max(253)
  .transform((value, ctx) => {
    const host = normalizeDomain(value);
    if (host === null) {
      ctx.addIssue({
        code: 'custom',
        message: `${value} is not a plain host name (example: shop.example.com)`,
      });
      return z.NEVER;
    }
    return host;
  })
  .openapi({ type: 'string', example: 'shop.example.com' });

/**
 * Overrides of the fraud defaults: checked against the full schema (so a bad weight or band is
 * refused naming its path) and stored as sent, so later changes of the defaults still apply to
 * what the tenant did not set.
 */
const FraudSettingsInput = z
  .record(z.string(), z.unknown())
  .superRefine((value, ctx) => {
    const parsed = FraudSettingsSchema.safeParse(value);
    if (parsed.success) return;
    for (const issue of parsed.error.issues) {
      ctx.addIssue({
        code: 'custom',
        path: issue.path as (string | number)[],
        message: issue.message,
      });
    }
  })
  .openapi({
    type: 'object',
    description:
      'Fraud overrides: { thresholds?: {…}, weights?: {…}, bands?: { reviewFrom, rejectFrom } }',
  });

export const TenantSettingsInput = z
  .strictObject({
    currency: CurrencySchema,
    timeZone: z
      .string()
      .max(64)
      .refine(isTimeZone, 'must be an IANA time zone such as Asia/Shanghai'),
    attributionWindowDays: z.number().int().min(1).max(365),
    lockPeriodDays: z.number().int().min(0).max(365),
    distributionDepth: z.number().int().min(1).max(3),
    complianceProfile: z.enum(COMPLIANCE_PROFILE_NAMES),
    allowedDomains: z.array(Domain).max(100),
    minWithdrawal: MoneySchema.transform((m) => ({
      amount: parseMinorUnits(m.amount) ?? 0n,
      currency: m.currency,
    })),
    roundingMode: z.enum(ROUNDING_MODES).openapi({
      description:
        'How commissions are rounded to minor units, once: down (default), half_up, half_even',
    }),
    maxCommissionShareBps: z.number().int().min(0).max(10000).openapi({
      description:
        'The most all commission lines of one order may take, in basis points of its amount',
    }),
    makerChecker: z.boolean().openapi({
      description: 'Publishing commission rules needs a second person’s approval',
    }),
    attributionModel: z.enum(['last_click', 'first_click']).openapi({
      description: 'Which of the customer’s clicks in the window wins without a click id',
    }),
    bindingDays: z.number().int().min(1).max(3650).openapi({
      description: 'How long a customer stays bound to the promoter who first brought them (锁客)',
    }),
    bindOn: z.enum(['first_click', 'first_conversion']).openapi({
      description: 'What binds a customer to a promoter: the first click or the first conversion',
    }),
    fraud: FraudSettingsInput,
  })
  .partial()
  .openapi('TenantSettingsInput');

export const TenantSchema = z
  .object({
    id: idOf('tenant'),
    name: z.string(),
    settings: z.object({
      currency: CurrencySchema,
      timeZone: z.string(),
      attributionWindowDays: z.number().int(),
      lockPeriodDays: z.number().int(),
      distributionDepth: z.number().int(),
      complianceProfile: z.enum(COMPLIANCE_PROFILE_NAMES),
      allowedDomains: z.array(z.string()),
      minWithdrawal: z.object({ amount: MinorUnits, currency: CurrencySchema }),
      roundingMode: z.enum(ROUNDING_MODES),
      maxCommissionShareBps: z.number().int(),
      makerChecker: z.boolean(),
      attributionModel: z.enum(['last_click', 'first_click']),
      bindingDays: z.number().int(),
      bindOn: z.enum(['first_click', 'first_conversion']),
      fraud: z.record(z.string(), z.unknown()).openapi({
        description: 'The tenant’s overrides of the fraud defaults (thresholds, weights, bands)',
      }),
      stripeWebhookConfigured: z.boolean(),
    }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi('Tenant');

export function tenantJson(t: TenantRow): z.infer<typeof TenantSchema> {
  const currency = t.currency as z.infer<typeof CurrencySchema>;
  return {
    id: t.id,
    name: t.name,
    settings: {
      currency,
      timeZone: t.timeZone,
      attributionWindowDays: t.attributionWindowDays,
      lockPeriodDays: t.lockPeriodDays,
      distributionDepth: t.distributionDepth,
      complianceProfile: t.complianceProfile as 'CN' | 'GLOBAL',
      allowedDomains: t.allowedDomains,
      minWithdrawal: { amount: t.minWithdrawal.toString(), currency },
      roundingMode: t.roundingMode,
      maxCommissionShareBps: t.maxCommissionShareBps,
      makerChecker: t.makerChecker,
      attributionModel: t.attributionModel,
      bindingDays: t.bindingDays,
      bindOn: t.bindOn,
      fraud: (t.fraudSettings ?? {}) as Record<string, unknown>,
      stripeWebhookConfigured: t.stripeWebhookSecret !== null,
    },
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
  };
}

export const UserSchema = z
  .object({
    id: idOf('user'),
    email: z.string(),
    name: z.string(),
    status: z.enum(['active', 'disabled']),
    roleIds: z.array(z.string()),
    lastLoginAt: Timestamp.nullable(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi('User');

export function userJson(u: UserRow, roleIds: string[]): z.infer<typeof UserSchema> {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    status: u.status,
    roleIds,
    lastLoginAt: u.lastLoginAt?.toISOString() ?? null,
    createdAt: u.createdAt.toISOString(),
    updatedAt: u.updatedAt.toISOString(),
  };
}

export const TokenPairSchema = z
  .object({
    accessToken: z.string(),
    refreshToken: z.string(),
    tokenType: z.literal('Bearer'),
    expiresIn: z.number().int().openapi({ description: 'Seconds until the access token expires' }),
  })
  .openapi('TokenPair');
