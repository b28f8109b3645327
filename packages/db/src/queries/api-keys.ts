import { and, desc, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { Executor } from '../database';
import { apiKeys } from '../schema';
import { type Page, type PageRequest, pageWhere, toPage } from './pagination';

export type ApiKeyRow = typeof apiKeys.$inferSelect;

export async function insertApiKey(
  db: Executor,
  values: typeof apiKeys.$inferInsert,
): Promise<ApiKeyRow> {
  const [row] = await db.insert(apiKeys).values(values).returning();
  if (!row) throw new Error('insert into api_keys returned nothing');
  return row;
}

export async function getApiKey(
  db: Executor,
  tenantId: string,
  keyId: string,
): Promise<ApiKeyRow | undefined> {
  const [row] = await db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.tenantId, tenantId), eq(apiKeys.id, keyId)));
  return row;
}

export async function listApiKeys(
  db: Executor,
  tenantId: string,
  filter: { revoked?: boolean | undefined },
  page: PageRequest,
): Promise<Page<ApiKeyRow>> {
  const revoked =
    filter.revoked === undefined
      ? undefined
      : filter.revoked
        ? sql`${apiKeys.revokedAt} is not null`
        : isNull(apiKeys.revokedAt);
  const rows = await db
    .select()
    .from(apiKeys)
    .where(pageWhere(apiKeys.id, page, eq(apiKeys.tenantId, tenantId), revoked))
    .orderBy(desc(apiKeys.id))
    .limit(page.limit + 1);
  return toPage(rows, page.limit);
}

export async function revokeApiKey(
  db: Executor,
  tenantId: string,
  keyId: string,
): Promise<ApiKeyRow | undefined> {
  const [row] = await db
    .update(apiKeys)
    .set({ revokedAt: sql`coalesce(${apiKeys.revokedAt}, now())` })
    .where(and(eq(apiKeys.tenantId, tenantId), eq(apiKeys.id, keyId)))
    .returning();
  return row;
}

/** The live key with this secret hash, for authenticating a merchant's server. */
export async function findLiveApiKey(
  db: Executor,
  keyHash: string,
): Promise<ApiKeyRow | undefined> {
  const [row] = await db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.keyHash, keyHash), isNull(apiKeys.revokedAt)));
  return row;
}

/** Records use at most once a minute per key, so a busy key does not write on every call. */
export async function touchApiKey(db: Executor, tenantId: string, keyId: string, at: Date) {
  const minuteAgo = new Date(at.getTime() - 60_000);
  await db
    .update(apiKeys)
    .set({ lastUsedAt: at })
    .where(
      and(
        eq(apiKeys.tenantId, tenantId),
        eq(apiKeys.id, keyId),
        or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, minuteAgo)),
      ),
    );
}
