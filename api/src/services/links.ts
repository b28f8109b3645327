import { newId } from '@tuike/core';
import {
  type Actor,
  type Executor,
  findTakenCode,
  getLink,
  getLinkForUpdate,
  getPromoter,
  getTenant,
  insertLinkUnlessCodeTaken,
  type LinkFilter,
  type LinkPatch,
  type LinkRow,
  listLinks as listLinkRows,
  notifyLinkChanged,
  type Page,
  type PageRequest,
  type PromoterRow,
  recordAudit,
  updateLink,
} from '@tuike/db';
import type { Deps } from '../deps';
import { ApiError, invalidField, notFound } from '../lib/errors';
import { aliasSpellings, isReservedAlias, newLinkCode } from './link-code';
import { checkDestination, type Utm, withUtm } from './link-destination';

/**
 * Who is looking at links: a tenant, and for a promoter's own token the promoter, who then
 * sees and changes only its own links (anyone else's answers 404).
 */
export interface LinkViewer {
  tenantId: string;
  promoterId: string | null;
}

export interface CreateLinkInput {
  /** Required for admin users and API keys; a promoter's token may omit it (itself). */
  promoterId?: string | undefined;
  destination: string;
  alias?: string | undefined;
  campaign?: string | undefined;
  product?: string | undefined;
  subId?: string | undefined;
  utm?: Utm | undefined;
  expiresAt?: Date | undefined;
}

export interface LinkChanges {
  destination?: string | undefined;
  campaign?: string | null | undefined;
  product?: string | null | undefined;
  subId?: string | null | undefined;
  /** Replaces the whole UTM set; null removes it. */
  utm?: Utm | null | undefined;
  expiresAt?: Date | null | undefined;
  status?: 'active' | 'disabled' | undefined;
}

const conflictOn = (path: string, message: string) =>
  new ApiError('conflict', `${path}: ${message}`, { errors: [{ path, message }] });

const forbiddenField = (path: string, message: string) =>
  new ApiError('forbidden', `${path}: ${message}`, { errors: [{ path, message }] });

const isEmptyUtm = (utm: Utm | null | undefined) => !utm || Object.keys(utm).length === 0;

/** The promoter a new link is for, checked against who asks. */
async function resolvePromoter(
  tx: Executor,
  viewer: LinkViewer,
  promoterId: string | undefined,
): Promise<PromoterRow> {
  if (viewer.promoterId && promoterId && promoterId !== viewer.promoterId) {
    throw forbiddenField(
      'promoterId',
      'a promoter makes links only for itself / 只能为自己创建链接',
    );
  }
  const id = viewer.promoterId ?? promoterId;
  if (!id) throw invalidField('promoterId', 'required / 必填');
  const promoter = await getPromoter(tx, viewer.tenantId, id);
  if (!promoter) throw invalidField('promoterId', `no promoter ${id} in this tenant / 推客不存在`);
  if (promoter.status === 'frozen') {
    throw conflictOn('promoterId', 'the promoter is frozen and gets no links / 推客已冻结');
  }
  return promoter;
}

/** The checked, normalised destination with its UTM parameters applied. */
async function destinationFor(
  tx: Executor,
  tenantId: string,
  raw: string,
  utm: { next: Utm | null; previous: Utm | null },
): Promise<string> {
  const tenant = await getTenant(tx, tenantId);
  const check = checkDestination(raw, tenant?.allowedDomains ?? []);
  if (!check.ok) throw invalidField('destination', check.reason);
  const href = withUtm(check.href, utm.next, utm.previous);
  const again = checkDestination(href, tenant?.allowedDomains ?? []);
  if (!again.ok)
    throw invalidField('utm', `with these UTM parameters the destination ${again.reason}`);
  return href;
}

function checkExpiry(deps: Deps, expiresAt: Date | null | undefined): void {
  if (expiresAt && expiresAt.getTime() <= deps.clock.now().getTime()) {
    throw invalidField('expiresAt', 'must be in the future / 过期时间必须晚于当前时间');
  }
}

function checkAlias(alias: string): void {
  if (isReservedAlias(alias)) {
    throw invalidField('alias', `${alias} is a reserved word / 该短码为保留字`);
  }
}

/** Inserts the link under its alias or a fresh random code, retrying a taken random code. */
async function insertWithCode(
  tx: Executor,
  values: Omit<LinkRow, 'code'>,
  alias: string | undefined,
): Promise<LinkRow> {
  if (alias !== undefined) {
    const taken = await findTakenCode(tx, aliasSpellings(alias));
    const row = taken ? undefined : await insertLinkUnlessCodeTaken(tx, { ...values, code: alias });
    if (!row) throw conflictOn('alias', `${alias} is taken / 该短码已被使用`);
    return row;
  }
  for (let attempt = 0; attempt < 5; attempt++) {
    const row = await insertLinkUnlessCodeTaken(tx, { ...values, code: newLinkCode() });
    if (row) return row;
  }
  throw new ApiError('unavailable', 'could not find a free link code; try again / 请重试');
}

/** POST /v1/links */
export async function createLink(
  deps: Deps,
  actor: Actor,
  viewer: LinkViewer,
  input: CreateLinkInput,
): Promise<LinkRow> {
  if (input.alias !== undefined) checkAlias(input.alias);
  checkExpiry(deps, input.expiresAt);
  const utm = isEmptyUtm(input.utm) ? null : (input.utm ?? null);

  return deps.database.db.transaction(async (tx) => {
    const promoter = await resolvePromoter(tx, viewer, input.promoterId);
    const destination = await destinationFor(tx, viewer.tenantId, input.destination, {
      next: utm,
      previous: null,
    });
    const now = deps.clock.now();
    const row = await insertWithCode(
      tx,
      {
        tenantId: viewer.tenantId,
        id: newId('link', now.getTime()),
        promoterId: promoter.id,
        destination,
        campaign: input.campaign ?? null,
        product: input.product ?? null,
        subId: input.subId ?? null,
        utm,
        status: 'active',
        expiresAt: input.expiresAt ?? null,
        createdBy: actor.id,
        createdAt: now,
        updatedAt: now,
      },
      input.alias,
    );
    await recordAudit(tx, actor, {
      action: 'link.create',
      entityType: 'link',
      entityId: row.id,
      after: row,
    });
    // A redirect may have cached the code as unknown before it existed.
    await notifyLinkChanged(tx, row.code);
    return row;
  });
}

/** A link the viewer may see, or 404: another tenant's, or another promoter's for a promoter. */
async function loadVisible(
  tx: Executor,
  viewer: LinkViewer,
  linkId: string,
  forUpdate = false,
): Promise<LinkRow> {
  const row = forUpdate
    ? await getLinkForUpdate(tx, viewer.tenantId, linkId)
    : await getLink(tx, viewer.tenantId, linkId);
  if (!row || (viewer.promoterId !== null && row.promoterId !== viewer.promoterId)) {
    throw notFound('link', linkId);
  }
  return row;
}

export async function getLinkOrThrow(
  deps: Deps,
  viewer: LinkViewer,
  linkId: string,
): Promise<LinkRow> {
  return loadVisible(deps.database.db, viewer, linkId);
}

/** GET /v1/links: a promoter's token lists only the promoter's own links. */
export async function listLinks(
  deps: Deps,
  viewer: LinkViewer,
  filter: LinkFilter,
  page: PageRequest,
): Promise<Page<LinkRow>> {
  if (viewer.promoterId && filter.promoterId && filter.promoterId !== viewer.promoterId) {
    return { data: [], nextCursor: null };
  }
  const scoped = { ...filter, promoterId: viewer.promoterId ?? filter.promoterId };
  return listLinkRows(deps.database.db, viewer.tenantId, scoped, page);
}

/** Re-enabling: not by the promoter itself (an admin may have disabled it), nor when frozen. */
async function checkReactivation(tx: Executor, viewer: LinkViewer, before: LinkRow) {
  if (viewer.promoterId !== null) {
    throw forbiddenField('status', 'only the merchant can re-enable a link / 仅商户可重新启用链接');
  }
  const promoter = await getPromoter(tx, viewer.tenantId, before.promoterId);
  if (promoter?.status === 'frozen') {
    throw conflictOn('status', 'the promoter is frozen; its links stay disabled / 推客已冻结');
  }
}

/** The column values a change set turns into, destination and UTM recomputed together. */
async function patchFor(
  tx: Executor,
  viewer: LinkViewer,
  before: LinkRow,
  changes: LinkChanges,
): Promise<LinkPatch> {
  const { destination, utm, ...plain } = changes;
  const patch: LinkPatch = { ...plain };
  if (changes.status === 'active' && before.status === 'disabled') {
    await checkReactivation(tx, viewer, before);
  }
  if (destination !== undefined || utm !== undefined) {
    const next = utm === undefined ? before.utm : isEmptyUtm(utm) ? null : utm;
    patch.utm = next;
    patch.destination = await destinationFor(
      tx,
      viewer.tenantId,
      destination ?? before.destination,
      {
        next,
        // The stored destination carries the old UTM values; a new destination does not.
        previous: destination === undefined ? before.utm : null,
      },
    );
  }
  return patch;
}

/** PATCH /v1/links/{id}: edit or disable a link; every process's redirect cache drops it. */
export async function patchLink(
  deps: Deps,
  actor: Actor,
  viewer: LinkViewer,
  linkId: string,
  changes: LinkChanges,
): Promise<LinkRow> {
  checkExpiry(deps, changes.expiresAt);
  return deps.database.db.transaction(async (tx) => {
    const before = await loadVisible(tx, viewer, linkId, true);
    if (Object.keys(changes).length === 0) return before;

    const patch = await patchFor(tx, viewer, before, changes);
    const after = await updateLink(tx, viewer.tenantId, linkId, patch);
    if (!after) throw notFound('link', linkId);
    await recordAudit(tx, actor, {
      action: 'link.update',
      entityType: 'link',
      entityId: linkId,
      before,
      after,
    });
    await notifyLinkChanged(tx, after.code);
    return after;
  });
}
