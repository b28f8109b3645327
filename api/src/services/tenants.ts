import {
  type ComplianceProfile,
  type Currency,
  currencyExponent,
  DEFAULT_TENANT_SETTINGS,
  maxDistributionDepth,
  newId,
  type RoundingMode,
} from '@tuike/core';
import {
  type Actor,
  getTenant,
  getTenantForUpdate,
  insertTenant,
  insertUser,
  recordAudit,
  setUserRoles,
  type TenantPatch,
  type TenantRow,
  updateTenant,
} from '@tuike/db';
import type { Deps } from '../deps';
import { invalidField, notFound } from '../lib/errors';
import { hashPassword } from '../lib/password';
import { randomSecret } from '../lib/secrets';
import { normalizeEmail } from './auth';
import { seedBuiltInRoles } from './built-in-roles';
import { type ClientInfo, startSession } from './sessions';

export interface TenantSettingsPatch {
  currency?: Currency | undefined;
  timeZone?: string | undefined;
  attributionWindowDays?: number | undefined;
  lockPeriodDays?: number | undefined;
  distributionDepth?: number | undefined;
  complianceProfile?: ComplianceProfile | undefined;
  allowedDomains?: string[] | undefined;
  minWithdrawal?: { amount: bigint; currency: Currency } | undefined;
  roundingMode?: RoundingMode | undefined;
  maxCommissionShareBps?: number | undefined;
  makerChecker?: boolean | undefined;
  attributionModel?: 'last_click' | 'first_click' | undefined;
  bindingDays?: number | undefined;
  bindOn?: 'first_click' | 'first_conversion' | undefined;
  /** Partial overrides of the fraud defaults, already validated by `FraudSettingsSchema`. */
  fraud?: Record<string, unknown> | undefined;
}

export interface CreateTenantInput {
  name: string;
  owner: { email: string; password: string; name?: string | undefined };
  settings?: TenantSettingsPatch | undefined;
}

/** A tenant as the audit log keeps it: without its IP-hashing salt. */
function auditable(tenant: TenantRow): Omit<TenantRow, 'ipSalt' | 'stripeWebhookSecret'> {
  const { ipSalt: _salt, stripeWebhookSecret: _secret, ...rest } = tenant;
  return rest;
}

/** Settings after a patch, checked as a whole: some rules tie two settings together. */
function mergeSettings(current: TenantRow, patch: TenantSettingsPatch): TenantPatch {
  const currency = patch.currency ?? (current.currency as Currency);
  const profile = patch.complianceProfile ?? (current.complianceProfile as ComplianceProfile);
  const depth = patch.distributionDepth ?? current.distributionDepth;
  const maxDepth = maxDistributionDepth(profile);
  if (depth > maxDepth) {
    throw invalidField(
      'settings.distributionDepth',
      `the ${profile} compliance profile pays at most ${maxDepth} levels (合规限制最多 ${maxDepth} 级)`,
    );
  }
  if (patch.minWithdrawal && patch.minWithdrawal.currency !== currency) {
    throw invalidField(
      'settings.minWithdrawal.currency',
      `must be the tenant currency ${currency}`,
    );
  }
  const exponentChanged =
    currencyExponent(currency) !== currencyExponent(current.currency as Currency);
  if (exponentChanged && !patch.minWithdrawal) {
    throw invalidField(
      'settings.minWithdrawal',
      `required when the currency changes to ${currency}, whose minor unit differs`,
    );
  }
  const out: TenantPatch = {
    currency,
    complianceProfile: profile,
    distributionDepth: depth,
  };
  if (patch.timeZone !== undefined) out.timeZone = patch.timeZone;
  if (patch.attributionWindowDays !== undefined)
    out.attributionWindowDays = patch.attributionWindowDays;
  if (patch.lockPeriodDays !== undefined) out.lockPeriodDays = patch.lockPeriodDays;
  if (patch.allowedDomains !== undefined) out.allowedDomains = [...new Set(patch.allowedDomains)];
  if (patch.minWithdrawal !== undefined) out.minWithdrawal = patch.minWithdrawal.amount;
  if (patch.roundingMode !== undefined) out.roundingMode = patch.roundingMode;
  if (patch.maxCommissionShareBps !== undefined) {
    out.maxCommissionShareBps = patch.maxCommissionShareBps;
  }
  if (patch.makerChecker !== undefined) out.makerChecker = patch.makerChecker;
  if (patch.attributionModel !== undefined) out.attributionModel = patch.attributionModel;
  if (patch.bindingDays !== undefined) out.bindingDays = patch.bindingDays;
  if (patch.bindOn !== undefined) out.bindOn = patch.bindOn;
  if (patch.fraud !== undefined) out.fraudSettings = patch.fraud;
  return out;
}

/** POST /v1/tenants: a tenant, its built-in roles and its owner, signed in. */
export async function createTenant(deps: Deps, input: CreateTenantInput, client: ClientInfo) {
  const passwordHash = await hashPassword(input.owner.password, deps.passwordParams);
  const tenantId = newId('tenant');
  const defaults: TenantRow = {
    id: tenantId,
    name: input.name,
    ...DEFAULT_TENANT_SETTINGS,
    ipSalt: randomSecret(16),
    stripeWebhookSecret: null,
    createdAt: deps.clock.now(),
    updatedAt: deps.clock.now(),
  };
  const settings = mergeSettings(defaults, input.settings ?? {});

  return deps.database.db.transaction(async (tx) => {
    const tenant = await insertTenant(tx, { ...defaults, ...settings });
    const roles = await seedBuiltInRoles(tx, tenant.id);
    const owner = await insertUser(tx, {
      tenantId: tenant.id,
      id: newId('user'),
      email: normalizeEmail(input.owner.email),
      name: input.owner.name ?? '',
      passwordHash,
    });
    const ownerRole = roles.get('owner');
    if (!ownerRole) throw new Error('built-in owner role missing');
    await setUserRoles(tx, tenant.id, owner.id, [ownerRole.id]);

    const actor: Actor = {
      tenantId: tenant.id,
      type: 'user',
      id: owner.id,
      roles: ['owner'],
      requestId: null,
      ip: client.ip,
    };
    await recordAudit(tx, actor, {
      action: 'tenant.create',
      entityType: 'tenant',
      entityId: tenant.id,
      after: auditable(tenant),
    });
    await recordAudit(tx, actor, {
      action: 'user.create',
      entityType: 'user',
      entityId: owner.id,
      after: { email: owner.email, name: owner.name, roleIds: [ownerRole.id] },
    });
    const tokens = await startSession(tx, deps, owner, client);
    return { tenant, owner, ownerRoleId: ownerRole.id, tokens };
  });
}

export async function getTenantOrThrow(deps: Deps, tenantId: string): Promise<TenantRow> {
  const tenant = await getTenant(deps.database.db, tenantId);
  if (!tenant) throw notFound('tenant', tenantId);
  return tenant;
}

/** PATCH /v1/tenant */
export async function patchTenant(
  deps: Deps,
  actor: Actor,
  patch: { name?: string | undefined; settings?: TenantSettingsPatch | undefined },
): Promise<TenantRow> {
  const tenant = await deps.database.db.transaction(async (tx) => {
    const before = await getTenantForUpdate(tx, actor.tenantId);
    if (!before) throw notFound('tenant', actor.tenantId);
    const changes: TenantPatch = patch.settings ? mergeSettings(before, patch.settings) : {};
    if (patch.name !== undefined) changes.name = patch.name;
    const after = await updateTenant(tx, actor.tenantId, changes);
    if (!after) throw notFound('tenant', actor.tenantId);
    await recordAudit(tx, actor, {
      action: 'tenant.update',
      entityType: 'tenant',
      entityId: after.id,
      before: auditable(before),
      after: auditable(after),
    });
    return after;
  });
  deps.settings.changed('tenants', actor.tenantId);
  return tenant;
}
