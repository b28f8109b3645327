import { type Currency, isCurrency, newId } from '@tuike/core';
import {
  type Actor,
  countTierHolders,
  deleteTier,
  type Executor,
  findTierClash,
  getTenant,
  getTier,
  insertTier,
  listTiers as queryTiers,
  recordAudit,
  type TierPatch,
  type TierRow,
  updateTier,
} from '@tuike/db';
import type { Deps } from '../deps';
import { ApiError, notFound } from '../lib/errors';

/** A tier with the tenant currency its volume threshold is counted in. */
export interface Tier extends TierRow {
  currency: Currency;
}

export interface CreateTierInput {
  name: string;
  level: number;
  minPeriodVolume?: bigint | undefined;
  description?: string | undefined;
}

async function tenantCurrency(db: Executor, tenantId: string): Promise<Currency> {
  const tenant = await getTenant(db, tenantId);
  if (!tenant) throw notFound('tenant', tenantId);
  return isCurrency(tenant.currency) ? tenant.currency : 'CNY';
}

/** Refuses a name or level another tier of the tenant holds, naming the field. */
async function refuseClash(
  tx: Executor,
  tenantId: string,
  wanted: { name?: string | undefined; level?: number | undefined },
  exceptTierId?: string,
): Promise<void> {
  const clash = await findTierClash(tx, tenantId, wanted, exceptTierId);
  if (clash === null) return;
  const message =
    clash === 'name'
      ? `another tier is already named ${JSON.stringify(wanted.name)} / 等级名称已存在`
      : `another tier already has level ${wanted.level} / 等级序号已存在`;
  throw new ApiError('conflict', `${clash}: ${message}`, { errors: [{ path: clash, message }] });
}

/** POST /v1/tiers */
export async function createTier(deps: Deps, actor: Actor, input: CreateTierInput): Promise<Tier> {
  return deps.database.db.transaction(async (tx) => {
    await refuseClash(tx, actor.tenantId, input);
    const tier = await insertTier(tx, {
      tenantId: actor.tenantId,
      id: newId('tier'),
      name: input.name,
      level: input.level,
      minPeriodVolume: input.minPeriodVolume ?? 0n,
      description: input.description ?? '',
      createdAt: deps.clock.now(),
      updatedAt: deps.clock.now(),
    });
    await recordAudit(tx, actor, {
      action: 'tier.create',
      entityType: 'tier',
      entityId: tier.id,
      after: tier,
    });
    return { ...tier, currency: await tenantCurrency(tx, actor.tenantId) };
  });
}

/** GET /v1/tiers: in level order; the cursor is the last level of the previous page. */
export async function listTiers(
  deps: Deps,
  tenantId: string,
  page: { limit: number; afterLevel?: number | undefined },
): Promise<{ data: Tier[]; nextCursor: string | null }> {
  const db = deps.database.db;
  const { data, hasMore } = await queryTiers(db, tenantId, page);
  const currency = await tenantCurrency(db, tenantId);
  const last = data[data.length - 1];
  return {
    data: data.map((t) => ({ ...t, currency })),
    nextCursor: hasMore && last ? String(last.level) : null,
  };
}

export async function getTierOrThrow(deps: Deps, tenantId: string, tierId: string): Promise<Tier> {
  const db = deps.database.db;
  const tier = await getTier(db, tenantId, tierId);
  if (!tier) throw notFound('tier', tierId);
  return { ...tier, currency: await tenantCurrency(db, tenantId) };
}

/** PATCH /v1/tiers/{id} */
export async function patchTier(
  deps: Deps,
  actor: Actor,
  tierId: string,
  patch: TierPatch,
): Promise<Tier> {
  return deps.database.db.transaction(async (tx) => {
    const before = await getTier(tx, actor.tenantId, tierId);
    if (!before) throw notFound('tier', tierId);
    const currency = await tenantCurrency(tx, actor.tenantId);
    if (Object.keys(patch).length === 0) return { ...before, currency };

    await refuseClash(tx, actor.tenantId, patch, tierId);
    const after = await updateTier(tx, actor.tenantId, tierId, patch);
    if (!after) throw notFound('tier', tierId);
    await recordAudit(tx, actor, {
      action: 'tier.update',
      entityType: 'tier',
      entityId: tierId,
      before,
      after,
    });
    return { ...after, currency };
  });
}

/** DELETE /v1/tiers/{id}: refused while promoters hold the tier. */
export async function removeTier(deps: Deps, actor: Actor, tierId: string): Promise<void> {
  await deps.database.db.transaction(async (tx) => {
    const before = await getTier(tx, actor.tenantId, tierId);
    if (!before) throw notFound('tier', tierId);
    const holders = await countTierHolders(tx, actor.tenantId, tierId);
    if (holders > 0) {
      throw new ApiError(
        'conflict',
        `tier ${tierId} is held by ${holders} promoter(s); move them to another tier first / 该等级下仍有推客`,
      );
    }

    await deleteTier(tx, actor.tenantId, tierId);
    await recordAudit(tx, actor, {
      action: 'tier.delete',
      entityType: 'tier',
      entityId: tierId,
      before,
    });
  });
}
