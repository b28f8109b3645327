import { newId } from '@tuike/core';
import { desc, eq, gte, lt, type SQL } from 'drizzle-orm';
import type { Executor } from '../database';
import { auditLog } from '../schema';
import { type Page, type PageRequest, pageWhere, toPage } from './pagination';

export type AuditRow = typeof auditLog.$inferSelect;

/** Who is acting, for the audit log. Built once per request from the verified principal. */
export interface Actor {
  tenantId: string;
  type: 'user' | 'promoter' | 'api_key' | 'system';
  id: string | null;
  roles: string[];
  requestId: string | null;
  ip: string | null;
}

export interface AuditEntry {
  action: string;
  entityType: string;
  entityId: string;
  before?: unknown;
  after?: unknown;
}

/** JSON-safe copy: bigint becomes a string, Dates become ISO strings. */
function toJson(value: unknown): unknown {
  if (value === undefined) return null;
  return JSON.parse(
    JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)),
  ) as unknown;
}

/** Writes one audit row. Call it inside the transaction that makes the change. */
export async function recordAudit(tx: Executor, actor: Actor, entry: AuditEntry): Promise<void> {
  await tx.insert(auditLog).values({
    tenantId: actor.tenantId,
    id: newId('audit'),
    actorType: actor.type,
    actorId: actor.id,
    actorRoles: actor.roles,
    action: entry.action,
    entityType: entry.entityType,
    entityId: entry.entityId,
    before: toJson(entry.before),
    after: toJson(entry.after),
    requestId: actor.requestId,
    ip: actor.ip,
  });
}

export interface AuditFilter {
  actorId?: string | undefined;
  action?: string | undefined;
  entityType?: string | undefined;
  entityId?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
}

export async function listAudit(
  db: Executor,
  tenantId: string,
  filter: AuditFilter,
  page: PageRequest,
): Promise<Page<AuditRow>> {
  const filters: (SQL | undefined)[] = [
    eq(auditLog.tenantId, tenantId),
    filter.actorId ? eq(auditLog.actorId, filter.actorId) : undefined,
    filter.action ? eq(auditLog.action, filter.action) : undefined,
    filter.entityType ? eq(auditLog.entityType, filter.entityType) : undefined,
    filter.entityId ? eq(auditLog.entityId, filter.entityId) : undefined,
    filter.from ? gte(auditLog.at, filter.from) : undefined,
    filter.to ? lt(auditLog.at, filter.to) : undefined,
  ];
  const rows = await db
    .select()
    .from(auditLog)
    .where(pageWhere(auditLog.id, page, ...filters))
    .orderBy(desc(auditLog.id))
    .limit(page.limit + 1);
  return toPage(rows, page.limit);
}
