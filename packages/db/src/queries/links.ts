import { and, desc, eq, ilike, inArray, or, type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../database';
import { links } from '../schema';
import { type Page, type PageRequest, pageWhere, toPage } from './pagination';

export type LinkRow = typeof links.$inferSelect;
export type LinkInsert = typeof links.$inferInsert;
export type LinkPatch = Partial<
  Pick<
    LinkInsert,
    'destination' | 'campaign' | 'product' | 'subId' | 'utm' | 'status' | 'expiresAt'
  >
>;

/**
 * Inserts a link unless its code is taken (by any tenant: codes are global). Returns undefined
 * on a taken code instead of failing, so the caller can retry with another code without
 * aborting its transaction.
 */
export async function insertLinkUnlessCodeTaken(
  db: Executor,
  values: LinkInsert,
): Promise<LinkRow | undefined> {
  const [row] = await db
    .insert(links)
    .values(values)
    .onConflictDoNothing({ target: links.code })
    .returning();
  return row;
}

/**
 * The first of `codes` that some link already uses, in any tenant. Deliberately not scoped by
 * tenant: the redirect resolves a code without one, so a code is taken for everybody. Answers
 * only the code, never the link. Served by links_code_idx.
 */
export async function findTakenCode(
  db: Executor,
  codes: readonly string[],
): Promise<string | undefined> {
  if (codes.length === 0) return undefined;
  const [row] = await db
    .select({ code: links.code })
    .from(links)
    .where(inArray(links.code, [...codes]))
    .limit(1);
  return row?.code;
}

export async function getLink(
  db: Executor,
  tenantId: string,
  linkId: string,
): Promise<LinkRow | undefined> {
  const [row] = await db
    .select()
    .from(links)
    .where(and(eq(links.tenantId, tenantId), eq(links.id, linkId)));
  return row;
}

/** Locks the link for the rest of the transaction, so two edits cannot interleave. */
export async function getLinkForUpdate(
  db: Executor,
  tenantId: string,
  linkId: string,
): Promise<LinkRow | undefined> {
  const [row] = await db
    .select()
    .from(links)
    .where(and(eq(links.tenantId, tenantId), eq(links.id, linkId)))
    .for('update');
  return row;
}

export interface LinkFilter {
  promoterId?: string | undefined;
  status?: 'active' | 'disabled' | undefined;
  campaign?: string | undefined;
  /** Part of the code or the destination. */
  q?: string | undefined;
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (m) => `\\${m}`);
}

function searchClause(q: string | undefined): SQL | undefined {
  if (!q) return undefined;
  const pattern = `%${escapeLike(q)}%`;
  return or(ilike(links.code, pattern), ilike(links.destination, pattern));
}

/** Links newest first; a promoter's links are served by links_tenant_id_promoter_id_idx. */
export async function listLinks(
  db: Executor,
  tenantId: string,
  filter: LinkFilter,
  page: PageRequest,
): Promise<Page<LinkRow>> {
  const filters: (SQL | undefined)[] = [
    eq(links.tenantId, tenantId),
    filter.promoterId ? eq(links.promoterId, filter.promoterId) : undefined,
    filter.status ? eq(links.status, filter.status) : undefined,
    filter.campaign ? eq(links.campaign, filter.campaign) : undefined,
    searchClause(filter.q),
  ];
  const rows = await db
    .select()
    .from(links)
    .where(pageWhere(links.id, page, ...filters))
    .orderBy(desc(links.id))
    .limit(page.limit + 1);
  return toPage(rows, page.limit);
}

export async function updateLink(
  db: Executor,
  tenantId: string,
  linkId: string,
  patch: LinkPatch,
): Promise<LinkRow | undefined> {
  const [row] = await db
    .update(links)
    .set({ ...patch, updatedAt: sql`now()` })
    .where(and(eq(links.tenantId, tenantId), eq(links.id, linkId)))
    .returning();
  return row;
}
