import { type ComplianceProfile, checkCompliance } from '@tuike/core';
import {
  type Actor,
  type Executor,
  getPublishedVersion,
  getWorkingVersion,
  insertRuleSetVersion,
  nextVersionNumber,
  type RuleSetVersionRow,
  recordAudit,
  type TenantRow,
  updateRuleSetVersion,
} from '@tuike/db';
import type { Deps } from '../deps';
import { ApiError } from '../lib/errors';
import {
  contentHash,
  lockRuleSetOrThrow,
  storedContent,
  tenantOrThrow,
  versionOrThrow,
} from './rule-sets';

/**
 * Versions move draft → (pending approval) → published → archived. Publishing checks the
 * compliance guard; with maker-checker on, a second person approves. Each step is audited in
 * the transaction that makes it, under a lock on the rule set row.
 */

type Step = {
  deps: Deps;
  tx: Executor;
  actor: Actor;
  tenant: TenantRow;
  note?: string | undefined;
};

function audit(s: Step, action: string, ruleSetId: string, after: unknown, before?: unknown) {
  return recordAudit(s.tx, s.actor, {
    action: `rule_set.${action}`,
    entityType: 'rule_set',
    entityId: ruleSetId,
    before,
    after: { ...(after as object), ...(s.note ? { note: s.note } : {}) },
  });
}

const summary = (v: RuleSetVersionRow) => ({
  version: v.version,
  status: v.status,
  contentHash: v.contentHash,
});

/** Refuses content that breaks the tenant's compliance profile, listing every breach. */
function refuseBreaches(v: RuleSetVersionRow, tenant: TenantRow): void {
  const breaches = checkCompliance(storedContent(v), {
    complianceProfile: tenant.complianceProfile as ComplianceProfile,
    maxCommissionShareBps: tenant.maxCommissionShareBps,
  });
  if (breaches.length === 0) return;
  throw new ApiError(
    'unprocessable',
    `version ${v.version} cannot be published: ${breaches.map((b) => b.message).join('; ')}`,
    { errors: breaches.map((b) => ({ path: `content.${b.path}`, message: b.message })) },
  );
}

/** Makes `v` the published version, archiving the one before it. */
async function makePublished(s: Step, v: RuleSetVersionRow, approvedBy: string | null) {
  const now = s.deps.clock.now();
  const previous = await getPublishedVersion(s.tx, s.actor.tenantId, v.ruleSetId);
  if (previous) {
    await updateRuleSetVersion(s.tx, s.actor.tenantId, v.ruleSetId, previous.version, {
      status: 'archived',
      archivedAt: now,
    });
  }
  const published = await updateRuleSetVersion(s.tx, s.actor.tenantId, v.ruleSetId, v.version, {
    status: 'published',
    contentHash: await contentHash(storedContent(v)),
    submittedBy: v.submittedBy ?? s.actor.id,
    submittedAt: v.submittedAt ?? now,
    approvedBy,
    approvedAt: approvedBy ? now : null,
    publishedAt: now,
  });
  if (!published) throw new Error('the published version disappeared');
  await audit(s, 'publish', v.ruleSetId, {
    ...summary(published),
    archived: previous?.version ?? null,
  });
  return published;
}

/** Publishes now, or submits for approval when the tenant wants a second person. */
async function publishOrSubmit(s: Step, v: RuleSetVersionRow): Promise<RuleSetVersionRow> {
  refuseBreaches(v, s.tenant);
  if (!s.tenant.makerChecker) return makePublished(s, v, null);
  const submitted = await updateRuleSetVersion(s.tx, s.actor.tenantId, v.ruleSetId, v.version, {
    status: 'pending_approval',
    submittedBy: s.actor.id,
    submittedAt: s.deps.clock.now(),
  });
  if (!submitted) throw new Error('the submitted version disappeared');
  await audit(s, 'submit', v.ruleSetId, summary(submitted));
  return submitted;
}

async function inStep<T>(
  deps: Deps,
  actor: Actor,
  ruleSetId: string,
  note: string | undefined,
  work: (s: Step) => Promise<T>,
): Promise<T> {
  const result = await deps.database.db.transaction(async (tx) => {
    await lockRuleSetOrThrow(tx, actor.tenantId, ruleSetId);
    const tenant = await tenantOrThrow(tx, actor.tenantId);
    return work({ deps, tx, actor, tenant, note });
  });
  // What is published may have changed: conversions of this process see it at once.
  deps.settings.changed('rule_set_versions', actor.tenantId);
  return result;
}

async function pendingOrThrow(s: Step, ruleSetId: string): Promise<RuleSetVersionRow> {
  const working = await getWorkingVersion(s.tx, s.actor.tenantId, ruleSetId);
  if (working?.status !== 'pending_approval') {
    throw new ApiError(
      'conflict',
      `rule set ${ruleSetId} has no version waiting for approval / 没有待复核的版本`,
    );
  }
  return working;
}

/** POST /v1/rule-sets/{id}/publish: the working draft. */
export function publishDraft(deps: Deps, actor: Actor, ruleSetId: string, note?: string) {
  return inStep(deps, actor, ruleSetId, note, async (s) => {
    const working = await getWorkingVersion(s.tx, actor.tenantId, ruleSetId);
    if (!working) {
      throw new ApiError('conflict', `rule set ${ruleSetId} has no draft to publish / 没有草稿`);
    }
    if (working.status === 'pending_approval') {
      throw new ApiError(
        'conflict',
        `version ${working.version} is already waiting for approval / 已提交复核`,
      );
    }
    return publishOrSubmit(s, working);
  });
}

/** POST /v1/rule-sets/{id}/approve: by someone other than the person who submitted. */
export function approveVersion(deps: Deps, actor: Actor, ruleSetId: string, note?: string) {
  return inStep(deps, actor, ruleSetId, note, async (s) => {
    const pending = await pendingOrThrow(s, ruleSetId);
    if (pending.submittedBy === actor.id) {
      throw new ApiError(
        'forbidden',
        `version ${pending.version} was submitted by you; a second person must approve it / 需由他人复核`,
      );
    }
    // Settings may have changed since submission: check again.
    refuseBreaches(pending, s.tenant);
    await audit(s, 'approve', ruleSetId, summary(pending));
    return makePublished(s, pending, actor.id);
  });
}

/** POST /v1/rule-sets/{id}/reject: the pending version goes back to draft. */
export function rejectVersion(deps: Deps, actor: Actor, ruleSetId: string, note?: string) {
  return inStep(deps, actor, ruleSetId, note, async (s) => {
    const pending = await pendingOrThrow(s, ruleSetId);
    const draft = await updateRuleSetVersion(s.tx, actor.tenantId, ruleSetId, pending.version, {
      status: 'draft',
      submittedBy: null,
      submittedAt: null,
    });
    if (!draft) throw new Error('the rejected version disappeared');
    await audit(s, 'reject', ruleSetId, summary(draft), summary(pending));
    return draft;
  });
}

/** POST /v1/rule-sets/{id}/archive: stops paying by the published version. */
export function archivePublished(deps: Deps, actor: Actor, ruleSetId: string, note?: string) {
  return inStep(deps, actor, ruleSetId, note, async (s) => {
    const published = await getPublishedVersion(s.tx, actor.tenantId, ruleSetId);
    if (!published) {
      throw new ApiError(
        'conflict',
        `rule set ${ruleSetId} has no published version / 没有已发布版本`,
      );
    }
    const archived = await updateRuleSetVersion(
      s.tx,
      actor.tenantId,
      ruleSetId,
      published.version,
      {
        status: 'archived',
        archivedAt: deps.clock.now(),
      },
    );
    if (!archived) throw new Error('the archived version disappeared');
    await audit(s, 'archive', ruleSetId, summary(archived), summary(published));
    return archived;
  });
}

/**
 * POST /v1/rule-sets/{id}/rollback: publishes an older version's content as a new version
 * (through the compliance guard and maker-checker, like any publication).
 */
export function rollbackTo(
  deps: Deps,
  actor: Actor,
  ruleSetId: string,
  version: number,
  note?: string,
) {
  return inStep(deps, actor, ruleSetId, note, async (s) => {
    const source = await versionOrThrow(s.tx, actor.tenantId, ruleSetId, version);
    if (source.status !== 'published' && source.status !== 'archived') {
      throw new ApiError(
        'conflict',
        `version ${version} was never published; only a published or archived version can be rolled back to`,
      );
    }
    const working = await getWorkingVersion(s.tx, actor.tenantId, ruleSetId);
    if (working) {
      throw new ApiError(
        'conflict',
        `rule set ${ruleSetId} has a draft (version ${working.version}); publish or discard it before rolling back / 请先处理草稿`,
      );
    }
    const copy = await insertRuleSetVersion(s.tx, {
      tenantId: actor.tenantId,
      ruleSetId,
      version: await nextVersionNumber(s.tx, actor.tenantId, ruleSetId),
      content: source.content,
      createdBy: actor.id,
      createdAt: deps.clock.now(),
      updatedAt: deps.clock.now(),
    });
    await audit(s, 'rollback', ruleSetId, { version: copy.version, copiedFrom: version });
    return publishOrSubmit(s, copy);
  });
}
