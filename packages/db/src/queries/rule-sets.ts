import type { ChainMember, Order } from '@tuike/core';
import { and, desc, eq, inArray, lt, max, ne, sql } from 'drizzle-orm';
import type { Executor } from '../database';
import { promoters, ruleSets, ruleSetVersions, tiers } from '../schema';
import { type Page, type PageRequest, pageWhere, toPage } from './pagination';

export type RuleSetRow = typeof ruleSets.$inferSelect;
export type RuleSetInsert = typeof ruleSets.$inferInsert;
export type RuleSetVersionRow = typeof ruleSetVersions.$inferSelect;
export type RuleSetVersionInsert = typeof ruleSetVersions.$inferInsert;
export type RuleSetVersionPatch = Partial<
  Omit<RuleSetVersionInsert, 'tenantId' | 'ruleSetId' | 'version' | 'createdAt' | 'createdBy'>
>;

/** A rule set with the numbers of its published and working (draft or pending) versions. */
export interface RuleSetView extends RuleSetRow {
  publishedVersion: number | null;
  workingVersion: number | null;
}

const versionOf = (status: 'published' | 'working') =>
  sql<number | null>`(select v.version from rule_set_versions v
    where v.tenant_id = ${ruleSets.tenantId} and v.rule_set_id = ${ruleSets.id}
    and ${status === 'published' ? sql`v.status = 'published'` : sql`v.status in ('draft', 'pending_approval')`}
    order by v.version desc limit 1)`;

const viewColumns = {
  tenantId: ruleSets.tenantId,
  id: ruleSets.id,
  name: ruleSets.name,
  description: ruleSets.description,
  createdAt: ruleSets.createdAt,
  updatedAt: ruleSets.updatedAt,
  publishedVersion: versionOf('published'),
  workingVersion: versionOf('working'),
};

export async function insertRuleSet(db: Executor, values: RuleSetInsert): Promise<RuleSetRow> {
  const [row] = await db.insert(ruleSets).values(values).returning();
  if (!row) throw new Error('insert into rule_sets returned nothing');
  return row;
}

export async function getRuleSetView(
  db: Executor,
  tenantId: string,
  ruleSetId: string,
): Promise<RuleSetView | undefined> {
  const [row] = await db
    .select(viewColumns)
    .from(ruleSets)
    .where(and(eq(ruleSets.tenantId, tenantId), eq(ruleSets.id, ruleSetId)));
  return row;
}

/**
 * Locks the rule set row for the rest of the transaction, so two version changes of one rule
 * set (publish, approve, a new draft) happen one after the other.
 */
export async function lockRuleSet(
  db: Executor,
  tenantId: string,
  ruleSetId: string,
): Promise<RuleSetRow | undefined> {
  const [row] = await db
    .select()
    .from(ruleSets)
    .where(and(eq(ruleSets.tenantId, tenantId), eq(ruleSets.id, ruleSetId)))
    .for('update');
  return row;
}

/** True when another rule set of the tenant has the name. */
export async function ruleSetNameTaken(
  db: Executor,
  tenantId: string,
  name: string,
  exceptId?: string,
): Promise<boolean> {
  const rows = await db
    .select({ id: ruleSets.id })
    .from(ruleSets)
    .where(
      and(
        eq(ruleSets.tenantId, tenantId),
        eq(ruleSets.name, name),
        exceptId ? ne(ruleSets.id, exceptId) : undefined,
      ),
    )
    .limit(1);
  return rows.length > 0;
}

export async function listRuleSets(
  db: Executor,
  tenantId: string,
  page: PageRequest,
): Promise<Page<RuleSetView>> {
  const rows = await db
    .select(viewColumns)
    .from(ruleSets)
    .where(pageWhere(ruleSets.id, page, eq(ruleSets.tenantId, tenantId)))
    .orderBy(desc(ruleSets.id))
    .limit(page.limit + 1);
  return toPage(rows, page.limit);
}

export async function updateRuleSet(
  db: Executor,
  tenantId: string,
  ruleSetId: string,
  patch: Partial<Pick<RuleSetInsert, 'name' | 'description'>>,
): Promise<RuleSetRow | undefined> {
  const [row] = await db
    .update(ruleSets)
    .set({ ...patch, updatedAt: sql`now()` })
    .where(and(eq(ruleSets.tenantId, tenantId), eq(ruleSets.id, ruleSetId)))
    .returning();
  return row;
}

export async function insertRuleSetVersion(
  db: Executor,
  values: RuleSetVersionInsert,
): Promise<RuleSetVersionRow> {
  const [row] = await db.insert(ruleSetVersions).values(values).returning();
  if (!row) throw new Error('insert into rule_set_versions returned nothing');
  return row;
}

const versionKey = (tenantId: string, ruleSetId: string) =>
  and(eq(ruleSetVersions.tenantId, tenantId), eq(ruleSetVersions.ruleSetId, ruleSetId));

export async function getRuleSetVersion(
  db: Executor,
  tenantId: string,
  ruleSetId: string,
  version: number,
): Promise<RuleSetVersionRow | undefined> {
  const [row] = await db
    .select()
    .from(ruleSetVersions)
    .where(and(versionKey(tenantId, ruleSetId), eq(ruleSetVersions.version, version)));
  return row;
}

/** The version being edited or waiting for approval; a rule set has at most one. */
export async function getWorkingVersion(
  db: Executor,
  tenantId: string,
  ruleSetId: string,
): Promise<RuleSetVersionRow | undefined> {
  const [row] = await db
    .select()
    .from(ruleSetVersions)
    .where(
      and(
        versionKey(tenantId, ruleSetId),
        inArray(ruleSetVersions.status, ['draft', 'pending_approval']),
      ),
    )
    .orderBy(desc(ruleSetVersions.version))
    .limit(1);
  return row;
}

/** The version conversions are evaluated with (rule_set_versions_published_idx). */
export async function getPublishedVersion(
  db: Executor,
  tenantId: string,
  ruleSetId: string,
): Promise<RuleSetVersionRow | undefined> {
  const [row] = await db
    .select()
    .from(ruleSetVersions)
    .where(and(versionKey(tenantId, ruleSetId), eq(ruleSetVersions.status, 'published')));
  return row;
}

export async function nextVersionNumber(
  db: Executor,
  tenantId: string,
  ruleSetId: string,
): Promise<number> {
  const [row] = await db
    .select({ last: max(ruleSetVersions.version) })
    .from(ruleSetVersions)
    .where(versionKey(tenantId, ruleSetId));
  return (row?.last ?? 0) + 1;
}

/** Newest first; the cursor is the last version number of the previous page. */
export async function listRuleSetVersions(
  db: Executor,
  tenantId: string,
  ruleSetId: string,
  page: { limit: number; beforeVersion?: number | undefined },
): Promise<{ data: RuleSetVersionRow[]; hasMore: boolean }> {
  const rows = await db
    .select()
    .from(ruleSetVersions)
    .where(
      and(
        versionKey(tenantId, ruleSetId),
        page.beforeVersion === undefined
          ? undefined
          : lt(ruleSetVersions.version, page.beforeVersion),
      ),
    )
    .orderBy(desc(ruleSetVersions.version))
    .limit(page.limit + 1);
  return { data: rows.slice(0, page.limit), hasMore: rows.length > page.limit };
}

export async function updateRuleSetVersion(
  db: Executor,
  tenantId: string,
  ruleSetId: string,
  version: number,
  patch: RuleSetVersionPatch,
): Promise<RuleSetVersionRow | undefined> {
  const [row] = await db
    .update(ruleSetVersions)
    .set({ ...patch, updatedAt: sql`now()` })
    .where(and(versionKey(tenantId, ruleSetId), eq(ruleSetVersions.version, version)))
    .returning();
  return row;
}

/** Removes a draft; the database refuses to remove a published or archived version. */
export async function deleteDraftVersion(
  db: Executor,
  tenantId: string,
  ruleSetId: string,
  version: number,
): Promise<boolean> {
  const rows = await db
    .delete(ruleSetVersions)
    .where(
      and(
        versionKey(tenantId, ruleSetId),
        eq(ruleSetVersions.version, version),
        inArray(ruleSetVersions.status, ['draft', 'pending_approval']),
      ),
    )
    .returning({ version: ruleSetVersions.version });
  return rows.length > 0;
}

/**
 * The commission chain of a promoter: the promoter, then its inviter, then the inviter's
 * inviter, up to `depth` promoters, each with its tier. Read from the materialized ancestor
 * path, so it is one query.
 */
export async function loadPromoterChain(
  db: Executor,
  tenantId: string,
  promoterId: string,
  depth: number,
): Promise<ChainMember[] | null> {
  const [self] = await db
    .select({ ancestorIds: promoters.ancestorIds })
    .from(promoters)
    .where(and(eq(promoters.tenantId, tenantId), eq(promoters.id, promoterId)));
  if (!self) return null;
  const ids = [promoterId, ...[...self.ancestorIds].reverse()].slice(0, depth);
  const rows = await db
    .select({ id: promoters.id, tierId: promoters.tierId, tierLevel: tiers.level })
    .from(promoters)
    .leftJoin(tiers, and(eq(tiers.tenantId, promoters.tenantId), eq(tiers.id, promoters.tierId)))
    .where(and(eq(promoters.tenantId, tenantId), inArray(promoters.id, ids)));
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.flatMap((id) => {
    const row = byId.get(id);
    return row ? [{ id, tierId: row.tierId, tierLevel: row.tierLevel, groups: [] }] : [];
  });
}

/** One recorded conversion as a backtest replays it. */
export interface RecordedConversion {
  conversionId: string;
  occurredAt: Date;
  order: Order;
  /** The promoter who made the sale first, then the uplines, as at the time of the sale. */
  chain: ChainMember[];
  /** The selling promoter's sales volume in the period before this conversion. */
  periodVolume: bigint;
}

/**
 * The tenant's recorded conversions in [from, to), oldest first, for backtests.
 *
 * TODO: conversions are not stored yet, so there is nothing to replay and this returns an
 * empty list. When the conversions table arrives (the conversions issue that follows the rules
 * engine), read it here: rows of the tenant with occurred_at in the range, with their items,
 * campaign and sub-id, customer facts, the promoter chain recorded at attribution and the
 * promoter's period volume before the conversion, ordered by (occurred_at, id) and paged in
 * batches. Callers need no change.
 */
export async function listRecordedConversions(
  _db: Executor,
  _tenantId: string,
  _range: { from: Date; to: Date },
): Promise<RecordedConversion[]> {
  return [];
}

/**
 * The version new conversions are evaluated with: of the tenant's published versions whose
 * content is in `currency`, the one published last. A tenant normally keeps one published
 * rule set per currency; publishing another takes over from then on.
 */
export async function getActivePublishedVersion(
  db: Executor,
  tenantId: string,
  currency: string,
): Promise<Pick<RuleSetVersionRow, 'ruleSetId' | 'version' | 'contentHash'> | undefined> {
  // Content is left out: a published version never changes, so its compiled form is cached by
  // hash and the content is read only on a cache miss (getRuleSetVersion).
  const [row] = await db
    .select({
      ruleSetId: ruleSetVersions.ruleSetId,
      version: ruleSetVersions.version,
      contentHash: ruleSetVersions.contentHash,
    })
    .from(ruleSetVersions)
    .where(
      and(
        eq(ruleSetVersions.tenantId, tenantId),
        eq(ruleSetVersions.status, 'published'),
        sql`${ruleSetVersions.content}->>'currency' = ${currency}`,
      ),
    )
    .orderBy(desc(ruleSetVersions.publishedAt))
    .limit(1);
  return row;
}
