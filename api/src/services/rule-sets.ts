import {
  type ComplianceBreach,
  type ComplianceProfile,
  type Currency,
  canonicalJson,
  checkCompliance,
  diffRuleSets,
  type EvaluationContext,
  newId,
  type RuleSetContent,
  RuleSetContentSchema,
  type RuleSetDiff,
} from '@tuike/core';
import {
  type Actor,
  deleteDraftVersion,
  type Executor,
  getRuleSetVersion,
  getRuleSetView,
  getTenant,
  getWorkingVersion,
  insertRuleSet,
  insertRuleSetVersion,
  lockRuleSet,
  nextVersionNumber,
  type PageRequest,
  listRuleSets as queryRuleSets,
  listRuleSetVersions as queryVersions,
  type RuleSetVersionRow,
  type RuleSetView,
  recordAudit,
  ruleSetNameTaken,
  type TenantRow,
  updateRuleSet,
  updateRuleSetVersion,
} from '@tuike/db';
import type { Deps } from '../deps';
import { ApiError, type FieldError, notFound } from '../lib/errors';

/** The engine settings a tenant's row holds. */
export function engineContext(tenant: TenantRow): EvaluationContext {
  return {
    timeZone: tenant.timeZone,
    roundingMode: tenant.roundingMode,
    maxCommissionShareBps: tenant.maxCommissionShareBps,
    distributionDepth: tenant.distributionDepth,
    complianceProfile: tenant.complianceProfile as ComplianceProfile,
  };
}

export async function tenantOrThrow(db: Executor, tenantId: string): Promise<TenantRow> {
  const tenant = await getTenant(db, tenantId);
  if (!tenant) throw notFound('tenant', tenantId);
  return tenant;
}

/**
 * The tenant's row through the settings cache, for the paths every API call takes (postbacks).
 * The row is shared: callers read it and never change it.
 */
export async function cachedTenantOrThrow(deps: Deps, tenantId: string): Promise<TenantRow> {
  const tenant = await deps.settings.get({
    table: 'tenants',
    key: tenantId,
    load: () => getTenant(deps.database.db, tenantId),
    tenantOf: (row) => row?.id,
    keep: (row) => row !== undefined,
  });
  if (!tenant) throw notFound('tenant', tenantId);
  return tenant;
}

/** Stored content, checked again: a version is only ever evaluated as valid content. */
export function storedContent(row: RuleSetVersionRow): RuleSetContent {
  const parsed = RuleSetContentSchema.safeParse(row.content);
  if (!parsed.success) {
    throw new ApiError(
      'unprocessable',
      `version ${row.version} of rule set ${row.ruleSetId} holds content that is no longer valid`,
      { errors: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
    );
  }
  return parsed.data;
}

/** SHA-256 of the canonical JSON, hex; Web Crypto works on Node, Workers and browsers. */
export async function contentHash(content: RuleSetContent): Promise<string> {
  const bytes = new TextEncoder().encode(canonicalJson(content));
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export async function ruleSetOrThrow(
  db: Executor,
  tenantId: string,
  ruleSetId: string,
): Promise<RuleSetView> {
  const view = await getRuleSetView(db, tenantId, ruleSetId);
  if (!view) throw notFound('rule set', ruleSetId);
  return view;
}

/** Locks the rule set for the transaction; 404 when the tenant has no such rule set. */
export async function lockRuleSetOrThrow(tx: Executor, tenantId: string, ruleSetId: string) {
  const row = await lockRuleSet(tx, tenantId, ruleSetId);
  if (!row) throw notFound('rule set', ruleSetId);
  return row;
}

export async function versionOrThrow(
  db: Executor,
  tenantId: string,
  ruleSetId: string,
  version: number,
): Promise<RuleSetVersionRow> {
  const row = await getRuleSetVersion(db, tenantId, ruleSetId, version);
  if (!row) {
    throw new ApiError(
      'not_found',
      `rule set ${ruleSetId} has no version ${version} / 规则版本不存在`,
    );
  }
  return row;
}

async function refuseNameClash(tx: Executor, tenantId: string, name: string, exceptId?: string) {
  if (!(await ruleSetNameTaken(tx, tenantId, name, exceptId))) return;
  const message = `another rule set is already named ${JSON.stringify(name)} / 规则集名称已存在`;
  throw new ApiError('conflict', `name: ${message}`, { errors: [{ path: 'name', message }] });
}

export interface CreateRuleSetInput {
  name: string;
  description?: string | undefined;
  content?: RuleSetContent | undefined;
}

/** POST /v1/rule-sets: a rule set and its first draft (empty unless content is given). */
export async function createRuleSet(
  deps: Deps,
  actor: Actor,
  input: CreateRuleSetInput,
): Promise<RuleSetView> {
  return deps.database.db.transaction(async (tx) => {
    await refuseNameClash(tx, actor.tenantId, input.name);
    const tenant = await tenantOrThrow(tx, actor.tenantId);
    const content = input.content ?? { currency: tenant.currency as Currency, rules: [] };
    const now = deps.clock.now();
    const row = await insertRuleSet(tx, {
      tenantId: actor.tenantId,
      id: newId('ruleSet'),
      name: input.name,
      description: input.description ?? '',
      createdAt: now,
      updatedAt: now,
    });
    const draft = await insertRuleSetVersion(tx, {
      tenantId: actor.tenantId,
      ruleSetId: row.id,
      version: 1,
      content,
      createdBy: actor.id,
      createdAt: now,
      updatedAt: now,
    });
    await recordAudit(tx, actor, {
      action: 'rule_set.create',
      entityType: 'rule_set',
      entityId: row.id,
      after: { ...row, draft: { version: draft.version, content } },
    });
    return ruleSetOrThrow(tx, actor.tenantId, row.id);
  });
}

export async function listRuleSets(deps: Deps, tenantId: string, page: PageRequest) {
  return queryRuleSets(deps.database.db, tenantId, page);
}

/** PATCH /v1/rule-sets/{id}: name and description; the rules change through drafts. */
export async function patchRuleSet(
  deps: Deps,
  actor: Actor,
  ruleSetId: string,
  patch: { name?: string | undefined; description?: string | undefined },
): Promise<RuleSetView> {
  return deps.database.db.transaction(async (tx) => {
    const before = await lockRuleSetOrThrow(tx, actor.tenantId, ruleSetId);
    if (patch.name !== undefined) await refuseNameClash(tx, actor.tenantId, patch.name, ruleSetId);
    const after = await updateRuleSet(tx, actor.tenantId, ruleSetId, patch);
    await recordAudit(tx, actor, {
      action: 'rule_set.update',
      entityType: 'rule_set',
      entityId: ruleSetId,
      before,
      after,
    });
    return ruleSetOrThrow(tx, actor.tenantId, ruleSetId);
  });
}

/**
 * PUT /v1/rule-sets/{id}/draft: replaces the working draft's content, or starts a new draft
 * after the newest version. A version waiting for approval goes back to draft: what was
 * submitted is no longer what would be approved.
 */
export async function saveDraft(
  deps: Deps,
  actor: Actor,
  ruleSetId: string,
  content: RuleSetContent,
): Promise<RuleSetVersionRow> {
  return deps.database.db.transaction(async (tx) => {
    await lockRuleSetOrThrow(tx, actor.tenantId, ruleSetId);
    const working = await getWorkingVersion(tx, actor.tenantId, ruleSetId);
    let saved: RuleSetVersionRow | undefined;
    if (working) {
      saved = await updateRuleSetVersion(tx, actor.tenantId, ruleSetId, working.version, {
        content,
        status: 'draft',
        submittedBy: null,
        submittedAt: null,
      });
    } else {
      saved = await insertRuleSetVersion(tx, {
        tenantId: actor.tenantId,
        ruleSetId,
        version: await nextVersionNumber(tx, actor.tenantId, ruleSetId),
        content,
        createdBy: actor.id,
        createdAt: deps.clock.now(),
        updatedAt: deps.clock.now(),
      });
    }
    if (!saved) throw notFound('rule set', ruleSetId);
    await recordAudit(tx, actor, {
      action: 'rule_set.draft_save',
      entityType: 'rule_set',
      entityId: ruleSetId,
      before: working
        ? { version: working.version, status: working.status, content: working.content }
        : null,
      after: { version: saved.version, status: saved.status, content },
    });
    return saved;
  });
}

/** DELETE /v1/rule-sets/{id}/draft: drops the working version. */
export async function discardDraft(deps: Deps, actor: Actor, ruleSetId: string): Promise<void> {
  await deps.database.db.transaction(async (tx) => {
    await lockRuleSetOrThrow(tx, actor.tenantId, ruleSetId);
    const working = await getWorkingVersion(tx, actor.tenantId, ruleSetId);
    if (!working) {
      throw new ApiError('conflict', `rule set ${ruleSetId} has no draft / 没有草稿`);
    }
    await deleteDraftVersion(tx, actor.tenantId, ruleSetId, working.version);
    await recordAudit(tx, actor, {
      action: 'rule_set.draft_discard',
      entityType: 'rule_set',
      entityId: ruleSetId,
      before: { version: working.version, status: working.status, content: working.content },
    });
  });
}

/** GET /v1/rule-sets/{id}/versions */
export async function listVersions(
  deps: Deps,
  tenantId: string,
  ruleSetId: string,
  page: { limit: number; beforeVersion?: number | undefined },
) {
  const db = deps.database.db;
  await ruleSetOrThrow(db, tenantId, ruleSetId);
  const { data, hasMore } = await queryVersions(db, tenantId, ruleSetId, page);
  const last = data[data.length - 1];
  return { data, nextCursor: hasMore && last ? String(last.version) : null };
}

/**
 * GET /v1/rule-sets/{id}/diff: from one version to another. Without `from`, the published
 * version; without `to`, the working draft.
 */
export async function diffVersions(
  deps: Deps,
  tenantId: string,
  ruleSetId: string,
  query: { from?: number | undefined; to?: number | undefined },
): Promise<{ from: number; to: number; diff: RuleSetDiff }> {
  const db = deps.database.db;
  const view = await ruleSetOrThrow(db, tenantId, ruleSetId);
  const from = query.from ?? view.publishedVersion;
  const to = query.to ?? view.workingVersion;
  if (from === null || to === null) {
    throw new ApiError(
      'bad_request',
      `rule set ${ruleSetId} has no ${from === null ? 'published version' : 'draft'}; name both versions with ?from= and ?to=`,
    );
  }
  const [a, b] = await Promise.all([
    versionOrThrow(db, tenantId, ruleSetId, from),
    versionOrThrow(db, tenantId, ruleSetId, to),
  ]);
  return { from, to, diff: diffRuleSets(storedContent(a), storedContent(b)) };
}

export interface Validation {
  valid: boolean;
  version: number | null;
  errors: FieldError[];
  breaches: ComplianceBreach[];
}

/**
 * POST /v1/rule-sets/{id}/validate: checks given content (or the working draft) against the
 * schema and the tenant's compliance profile, without saving anything.
 */
export async function validateRuleSet(
  deps: Deps,
  tenantId: string,
  ruleSetId: string,
  content: unknown,
): Promise<Validation> {
  const db = deps.database.db;
  await ruleSetOrThrow(db, tenantId, ruleSetId);
  const tenant = await tenantOrThrow(db, tenantId);
  let version: number | null = null;
  let raw = content;
  if (raw === undefined) {
    const working = await getWorkingVersion(db, tenantId, ruleSetId);
    if (!working) {
      throw new ApiError('conflict', `rule set ${ruleSetId} has no draft to validate / 没有草稿`);
    }
    version = working.version;
    raw = working.content;
  }
  const parsed = RuleSetContentSchema.safeParse(raw);
  if (!parsed.success) {
    const errors = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    return { valid: false, version, errors, breaches: [] };
  }
  const breaches = checkCompliance(parsed.data, {
    complianceProfile: tenant.complianceProfile as ComplianceProfile,
    maxCommissionShareBps: tenant.maxCommissionShareBps,
  });
  return { valid: breaches.length === 0, version, errors: [], breaches };
}
