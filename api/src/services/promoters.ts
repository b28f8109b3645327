import { newId, newInviteCode, pathUnder, type UplineCheck } from '@tuike/core';
import {
  type Actor,
  type DownlineMember,
  type Executor,
  findPromoterClash,
  getPromoter,
  getPromoterByInviteCode,
  getPromoterView,
  getSubtreeHeight,
  getTier,
  insertPromoter,
  listDownline as listDownlineRows,
  listPromoters as listPromoterRows,
  lockPromoterTree,
  movePromoter,
  type Page,
  type PageRequest,
  type PromoterFilter,
  type PromoterPatch,
  type PromoterRow,
  type PromoterView,
  recordAudit,
  updatePromoter,
} from '@tuike/db';
import type { Deps } from '../deps';
import { ApiError, invalidField, notFound } from '../lib/errors';

export interface CreatePromoterInput {
  name: string;
  email?: string | undefined;
  phone?: string | undefined;
  externalRef?: string | undefined;
  tierId?: string | undefined;
  /** The upline by id (admin console) ... */
  uplineId?: string | undefined;
  /** ... or by the invite code the new promoter was given (mini-program sign-up). */
  invitedBy?: string | undefined;
  /** A chosen invite code; one is generated when omitted. */
  inviteCode?: string | undefined;
  /** Set when the promoter joins from the mini-program. */
  wechat?: { openid: string; unionid?: string | undefined } | undefined;
}

export interface PromoterChanges extends PromoterPatch {
  /** A new upline, or null to make the promoter a root. */
  uplineId?: string | null | undefined;
}

const conflictOn = (path: string, message: string) =>
  new ApiError('conflict', `${path}: ${message}`, { errors: [{ path, message }] });

async function loadView(tx: Executor, tenantId: string, id: string): Promise<PromoterView> {
  const view = await getPromoterView(tx, tenantId, id);
  if (!view) throw notFound('promoter', id);
  return view;
}

/** A tier id from a request must name a tier of the caller's tenant. */
async function checkTier(tx: Executor, tenantId: string, tierId: string | null | undefined) {
  if (!tierId) return;
  if (!(await getTier(tx, tenantId, tierId))) {
    throw invalidField('tierId', `no tier ${tierId} in this tenant / 等级不存在`);
  }
}

async function refuseClash(
  tx: Executor,
  tenantId: string,
  wanted: { inviteCode?: string | undefined; externalRef?: string | null | undefined },
  exceptId?: string,
): Promise<void> {
  const clash = await findPromoterClash(tx, tenantId, wanted, exceptId);
  if (clash === 'inviteCode') {
    throw conflictOn('inviteCode', 'another promoter already uses this invite code / 邀请码已存在');
  }
  if (clash === 'externalRef') {
    throw conflictOn(
      'externalRef',
      'another promoter has this external reference / 外部编号已存在',
    );
  }
}

/** The upline a new promoter names, by id or by invite code; 400 naming the field if unknown. */
async function resolveUpline(
  tx: Executor,
  tenantId: string,
  input: CreatePromoterInput,
): Promise<PromoterRow | null> {
  if (input.uplineId) {
    const upline = await getPromoter(tx, tenantId, input.uplineId);
    if (!upline) {
      throw invalidField(
        'uplineId',
        `no promoter ${input.uplineId} in this tenant / 上级推客不存在`,
      );
    }
    return upline;
  }
  if (input.invitedBy) {
    const upline = await getPromoterByInviteCode(tx, tenantId, input.invitedBy);
    if (!upline) throw invalidField('invitedBy', 'no promoter has this invite code / 邀请码无效');
    return upline;
  }
  return null;
}

async function unusedInviteCode(tx: Executor, tenantId: string): Promise<string> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const code = newInviteCode();
    if (!(await getPromoterByInviteCode(tx, tenantId, code))) return code;
  }
  throw new ApiError('unavailable', 'could not find a free invite code; try again / 请重试');
}

/** Turns a refused `pathUnder` into the answer that names `uplineId`. */
function pathOrThrow(check: UplineCheck, field: string): string[] {
  if (check.ok) return check.ancestorIds;
  if (check.reason === 'self') {
    throw invalidField(field, 'a promoter cannot be its own upline / 不能将自己设为上级');
  }
  if (check.reason === 'cycle') {
    throw conflictOn(
      field,
      'the new upline is in this promoter’s own downline, which would make a cycle / 不能将下级设为上级',
    );
  }
  throw conflictOn(field, 'the promoter tree would grow deeper than 64 levels / 层级过深');
}

/** POST /v1/promoters */
export async function createPromoter(
  deps: Deps,
  actor: Actor,
  input: CreatePromoterInput,
): Promise<PromoterView> {
  const tenantId = actor.tenantId;
  return deps.database.db.transaction(async (tx) => {
    if (input.uplineId || input.invitedBy) await lockPromoterTree(tx, tenantId);
    const upline = await resolveUpline(tx, tenantId, input);
    await checkTier(tx, tenantId, input.tierId);
    await refuseClash(tx, tenantId, input);

    const id = newId('promoter');
    const field = input.invitedBy ? 'invitedBy' : 'uplineId';
    const ancestorIds = pathOrThrow(pathUnder(id, upline), field);
    const row = await insertPromoter(tx, {
      tenantId,
      id,
      name: input.name,
      email: input.email ?? null,
      phone: input.phone ?? null,
      externalRef: input.externalRef ?? null,
      tierId: input.tierId ?? null,
      uplineId: upline?.id ?? null,
      ancestorIds,
      inviteCode: input.inviteCode ?? (await unusedInviteCode(tx, tenantId)),
      wechatOpenid: input.wechat?.openid ?? null,
      wechatUnionid: input.wechat?.unionid ?? null,
      createdAt: deps.clock.now(),
      updatedAt: deps.clock.now(),
    });
    await recordAudit(tx, actor, {
      action: 'promoter.create',
      entityType: 'promoter',
      entityId: id,
      after: row,
    });
    return loadView(tx, tenantId, id);
  });
}

export async function listPromoters(
  deps: Deps,
  tenantId: string,
  filter: PromoterFilter,
  page: PageRequest,
): Promise<Page<PromoterView>> {
  return listPromoterRows(deps.database.db, tenantId, filter, page);
}

export async function getPromoterOrThrow(
  deps: Deps,
  tenantId: string,
  promoterId: string,
): Promise<PromoterView> {
  return loadView(deps.database.db, tenantId, promoterId);
}

/** Moves `before` under `uplineId` with its whole downline, and audits the move. */
async function moveUnder(
  tx: Executor,
  actor: Actor,
  before: PromoterRow,
  uplineId: string | null,
): Promise<void> {
  const upline = uplineId ? await getPromoter(tx, actor.tenantId, uplineId) : null;
  if (upline === undefined) {
    throw invalidField('uplineId', `no promoter ${uplineId} in this tenant / 上级推客不存在`);
  }
  const height = await getSubtreeHeight(tx, actor.tenantId, before.id);
  const ancestorIds = pathOrThrow(pathUnder(before.id, upline, height), 'uplineId');

  const descendantsMoved = await movePromoter(tx, actor.tenantId, before.id, {
    uplineId,
    ancestorIds,
  });
  await recordAudit(tx, actor, {
    action: 'promoter.move',
    entityType: 'promoter',
    entityId: before.id,
    before: { uplineId: before.uplineId, ancestorIds: before.ancestorIds },
    after: { uplineId, ancestorIds, descendantsMoved },
  });
}

/** PATCH /v1/promoters/{id}: field changes and, when `uplineId` changes, a subtree move. */
export async function patchPromoter(
  deps: Deps,
  actor: Actor,
  promoterId: string,
  changes: PromoterChanges,
): Promise<PromoterView> {
  const tenantId = actor.tenantId;
  const { uplineId, ...fields } = changes;
  return deps.database.db.transaction(async (tx) => {
    // Taken before reading any path, so a concurrent move cannot invalidate what we read.
    if (uplineId !== undefined) await lockPromoterTree(tx, tenantId);
    const before = await getPromoter(tx, tenantId, promoterId);
    if (!before) throw notFound('promoter', promoterId);
    await checkTier(tx, tenantId, fields.tierId);
    await refuseClash(tx, tenantId, { externalRef: fields.externalRef }, promoterId);

    if (Object.keys(fields).length > 0) {
      const after = await updatePromoter(tx, tenantId, promoterId, fields);
      await recordAudit(tx, actor, {
        action: 'promoter.update',
        entityType: 'promoter',
        entityId: promoterId,
        before,
        after,
      });
    }
    if (uplineId !== undefined && uplineId !== before.uplineId) {
      await moveUnder(tx, actor, before, uplineId);
    }
    return loadView(tx, tenantId, promoterId);
  });
}

/** GET /v1/promoters/{id}/downline */
export async function listDownline(
  deps: Deps,
  tenantId: string,
  promoterId: string,
  req: { limit: number; maxDepth?: number | undefined; after?: { level: number; id: string } },
): Promise<{ data: DownlineMember[]; nextCursor: string | null }> {
  const db = deps.database.db;
  if (!(await getPromoter(db, tenantId, promoterId))) throw notFound('promoter', promoterId);
  const { data, hasMore } = await listDownlineRows(db, tenantId, promoterId, req);
  const last = data[data.length - 1];
  return { data, nextCursor: hasMore && last ? `${last.level}.${last.id}` : null };
}
