import { and, desc, eq, getTableColumns, ilike, ne, or, type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../database';
import { promoters, tiers } from '../schema';
import { type Page, type PageRequest, pageWhere, toPage } from './pagination';

export type PromoterRow = typeof promoters.$inferSelect;
export type PromoterInsert = typeof promoters.$inferInsert;
export type PromoterPatch = Partial<
  Pick<PromoterInsert, 'name' | 'email' | 'phone' | 'externalRef' | 'tierId' | 'status'>
>;

/** A promoter with its tier's name and level and the count of its direct invitees. */
export interface PromoterView extends PromoterRow {
  tierName: string | null;
  tierLevel: number | null;
  downlineCount: number;
}

export interface DownlineMember extends PromoterView {
  /** 1 for a direct invitee of the promoter whose downline this is, 2 for theirs, ... */
  level: number;
}

const hasAncestor = (promoterId: string) =>
  sql`${promoters.ancestorIds} @> ARRAY[${promoterId}]::text[]`;

const textArray = (ids: readonly string[]) =>
  ids.length === 0
    ? sql`'{}'::text[]`
    : sql`ARRAY[${sql.join(
        ids.map((id) => sql`${id}`),
        sql`, `,
      )}]::text[]`;

const viewColumns = {
  ...getTableColumns(promoters),
  tierName: tiers.name,
  tierLevel: tiers.level,
  // Served by promoters_tenant_id_upline_id_idx.
  downlineCount: sql<number>`(select count(*) from promoters c
    where c.tenant_id = ${promoters.tenantId} and c.upline_id = ${promoters.id})`.mapWith(Number),
};

function selectViews(db: Executor) {
  return db
    .select(viewColumns)
    .from(promoters)
    .leftJoin(tiers, and(eq(tiers.tenantId, promoters.tenantId), eq(tiers.id, promoters.tierId)));
}

export async function insertPromoter(db: Executor, values: PromoterInsert): Promise<PromoterRow> {
  const [row] = await db.insert(promoters).values(values).returning();
  if (!row) throw new Error('insert into promoters returned nothing');
  return row;
}

export async function getPromoter(
  db: Executor,
  tenantId: string,
  promoterId: string,
): Promise<PromoterRow | undefined> {
  const [row] = await db
    .select()
    .from(promoters)
    .where(and(eq(promoters.tenantId, tenantId), eq(promoters.id, promoterId)));
  return row;
}

/** The promoter who signs in from the mini-program with this WeChat openid. */
export async function getPromoterByOpenid(
  db: Executor,
  tenantId: string,
  openid: string,
): Promise<PromoterRow | undefined> {
  const [row] = await db
    .select()
    .from(promoters)
    .where(and(eq(promoters.tenantId, tenantId), eq(promoters.wechatOpenid, openid)));
  return row;
}

export async function getPromoterView(
  db: Executor,
  tenantId: string,
  promoterId: string,
): Promise<PromoterView | undefined> {
  const [row] = await selectViews(db).where(
    and(eq(promoters.tenantId, tenantId), eq(promoters.id, promoterId)),
  );
  return row;
}

export async function getPromoterByInviteCode(
  db: Executor,
  tenantId: string,
  inviteCode: string,
): Promise<PromoterRow | undefined> {
  const [row] = await db
    .select()
    .from(promoters)
    .where(and(eq(promoters.tenantId, tenantId), eq(promoters.inviteCode, inviteCode)));
  return row;
}

/**
 * Which of the unique fields another promoter of the tenant already uses, so a duplicate is
 * answered by name instead of by a unique-index error.
 */
export async function findPromoterClash(
  db: Executor,
  tenantId: string,
  wanted: { inviteCode?: string | undefined; externalRef?: string | null | undefined },
  exceptPromoterId?: string,
): Promise<'inviteCode' | 'externalRef' | null> {
  const clauses: SQL[] = [];
  if (wanted.inviteCode) clauses.push(eq(promoters.inviteCode, wanted.inviteCode));
  if (wanted.externalRef) clauses.push(eq(promoters.externalRef, wanted.externalRef));
  if (clauses.length === 0) return null;
  const rows = await db
    .select({ inviteCode: promoters.inviteCode })
    .from(promoters)
    .where(
      and(
        eq(promoters.tenantId, tenantId),
        or(...clauses),
        exceptPromoterId ? ne(promoters.id, exceptPromoterId) : undefined,
      ),
    )
    .limit(2);
  if (rows.some((r) => r.inviteCode === wanted.inviteCode)) return 'inviteCode';
  return rows.length > 0 ? 'externalRef' : null;
}

export interface PromoterFilter {
  /** Part of the name, e-mail, phone, invite code or external reference. */
  q?: string | undefined;
  status?: 'active' | 'frozen' | undefined;
  tierId?: string | undefined;
  uplineId?: string | undefined;
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (m) => `\\${m}`);
}

function searchClause(q: string | undefined): SQL | undefined {
  if (!q) return undefined;
  const pattern = `%${escapeLike(q)}%`;
  return or(
    ilike(promoters.name, pattern),
    ilike(promoters.email, pattern),
    ilike(promoters.phone, pattern),
    ilike(promoters.inviteCode, pattern),
    ilike(promoters.externalRef, pattern),
  );
}

export async function listPromoters(
  db: Executor,
  tenantId: string,
  filter: PromoterFilter,
  page: PageRequest,
): Promise<Page<PromoterView>> {
  const filters: (SQL | undefined)[] = [
    eq(promoters.tenantId, tenantId),
    filter.status ? eq(promoters.status, filter.status) : undefined,
    filter.tierId ? eq(promoters.tierId, filter.tierId) : undefined,
    filter.uplineId ? eq(promoters.uplineId, filter.uplineId) : undefined,
    searchClause(filter.q),
  ];
  const rows = await selectViews(db)
    .where(pageWhere(promoters.id, page, ...filters))
    .orderBy(desc(promoters.id))
    .limit(page.limit + 1);
  return toPage(rows, page.limit);
}

export interface DownlineRequest {
  limit: number;
  maxDepth?: number | undefined;
  /** The level and id of the last member of the previous page. */
  after?: { level: number; id: string } | undefined;
}

/**
 * The whole downline of a promoter, nearest levels first, then by id. One lookup in the GIN
 * index on ancestor_ids; the level is where the promoter sits in each member's path.
 */
export async function listDownline(
  db: Executor,
  tenantId: string,
  promoterId: string,
  req: DownlineRequest,
): Promise<{ data: DownlineMember[]; hasMore: boolean }> {
  const level = sql<number>`(cardinality(${promoters.ancestorIds})
    - array_position(${promoters.ancestorIds}, ${promoterId}) + 1)`;
  const rows = await selectViews(db)
    .where(
      and(
        eq(promoters.tenantId, tenantId),
        hasAncestor(promoterId),
        req.maxDepth === undefined ? undefined : sql`${level} <= ${req.maxDepth}::int`,
        req.after
          ? sql`(${level}, ${promoters.id}) > (${req.after.level}::int, ${req.after.id})`
          : undefined,
      ),
    )
    .orderBy(level, promoters.id)
    .limit(req.limit + 1);
  const data = rows.slice(0, req.limit).map((row) => ({
    ...row,
    level: row.ancestorIds.length - row.ancestorIds.indexOf(promoterId),
  }));
  return { data, hasMore: rows.length > req.limit };
}

export async function updatePromoter(
  db: Executor,
  tenantId: string,
  promoterId: string,
  patch: PromoterPatch,
): Promise<PromoterRow | undefined> {
  const [row] = await db
    .update(promoters)
    .set({ ...patch, updatedAt: sql`now()` })
    .where(and(eq(promoters.tenantId, tenantId), eq(promoters.id, promoterId)))
    .returning();
  return row;
}

/**
 * Serialises changes to the tenant's promoter tree until the transaction ends, so two moves
 * that would each be fine alone cannot together make a cycle. Call it before reading the
 * paths a change depends on. PGlite has one connection, where the lock is a harmless no-op.
 */
export async function lockPromoterTree(db: Executor, tenantId: string): Promise<void> {
  await db.execute(
    sql`select pg_advisory_xact_lock(hashtextextended(${`promoter-tree:${tenantId}`}, 0))`,
  );
}

/** How many levels of downline sit below a promoter (0 for a leaf). */
export async function getSubtreeHeight(
  db: Executor,
  tenantId: string,
  promoterId: string,
): Promise<number> {
  const [row] = await db
    .select({
      height: sql<number>`coalesce(max(cardinality(${promoters.ancestorIds})
        - array_position(${promoters.ancestorIds}, ${promoterId}) + 1), 0)`.mapWith(Number),
    })
    .from(promoters)
    .where(and(eq(promoters.tenantId, tenantId), hasAncestor(promoterId)));
  return row?.height ?? 0;
}

/**
 * Puts a promoter under a new upline (or makes it a root) and rewrites the path of its whole
 * downline in one statement: each descendant keeps the part of its path from the moved
 * promoter down and gets `newPath` above it (the SQL form of `rebasePath`).
 * Returns how many descendants were rewritten.
 */
export async function movePromoter(
  db: Executor,
  tenantId: string,
  promoterId: string,
  move: { uplineId: string | null; ancestorIds: readonly string[] },
): Promise<number> {
  await db
    .update(promoters)
    .set({ uplineId: move.uplineId, ancestorIds: [...move.ancestorIds], updatedAt: sql`now()` })
    .where(and(eq(promoters.tenantId, tenantId), eq(promoters.id, promoterId)));
  const moved = await db
    .update(promoters)
    .set({
      ancestorIds: sql`${textArray(move.ancestorIds)}
        || ${promoters.ancestorIds}[array_position(${promoters.ancestorIds}, ${promoterId}):]`,
      updatedAt: sql`now()`,
    })
    .where(and(eq(promoters.tenantId, tenantId), hasAncestor(promoterId)))
    .returning({ id: promoters.id });
  return moved.length;
}
