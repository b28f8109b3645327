import { z } from '@hono/zod-openapi';
import { type AuditRow, listAudit } from '@tuike/db';
import { principalOf } from '../context';
import { invalidField } from '../lib/errors';
import { createRouter, defineRoute, ListQuery, listOf, ok, Timestamp } from '../lib/openapi';

const AuditEntrySchema = z
  .object({
    id: z.string(),
    at: Timestamp,
    actor: z.object({
      type: z.enum(['user', 'promoter', 'api_key', 'system']),
      id: z.string().nullable(),
      roles: z.array(z.string()),
    }),
    action: z.string().openapi({ example: 'tenant.update' }),
    entity: z.object({ type: z.string(), id: z.string() }),
    before: z.unknown().openapi({ description: 'The object before the change, if any' }),
    after: z.unknown().openapi({ description: 'The object after the change, if any' }),
    requestId: z.string().nullable(),
    ip: z.string().nullable(),
  })
  .openapi('AuditEntry');

function auditJson(row: AuditRow): z.infer<typeof AuditEntrySchema> {
  return {
    id: row.id,
    at: row.at.toISOString(),
    actor: { type: row.actorType, id: row.actorId, roles: row.actorRoles },
    action: row.action,
    entity: { type: row.entityType, id: row.entityId },
    before: row.before ?? null,
    after: row.after ?? null,
    requestId: row.requestId,
    ip: row.ip,
  };
}

const Filter = z.string().min(1).max(200).optional();
const Instant = z.iso
  .datetime({ offset: true, message: 'must be an ISO 8601 date-time, e.g. 2026-12-03T08:00:00Z' })
  .optional();

const listRoute = defineRoute({
  method: 'get',
  path: '/v1/audit-log',
  tag: 'Audit log',
  summary: 'Who changed what, newest first / 审计日志',
  permission: 'audit:read',
  route: {
    request: {
      query: ListQuery.extend({
        actorId: Filter,
        action: Filter.openapi({ example: 'api_key.create' }),
        entityType: Filter.openapi({ example: 'api_key' }),
        entityId: Filter,
        from: Instant.openapi({ description: 'Entries at or after this time' }),
        to: Instant.openapi({ description: 'Entries before this time' }),
      }),
    },
    responses: { 200: ok(listOf(AuditEntrySchema)) },
  },
});

export const auditLogRoutes = createRouter()
  // GET /v1/audit-log: the tenant's audit trail, filtered by actor, action, object and time.
  .openapi(listRoute, async (c) => {
    const { limit, cursor, from, to, ...filter } = c.req.valid('query');
    const fromDate = from === undefined ? undefined : new Date(from);
    const toDate = to === undefined ? undefined : new Date(to);
    if (fromDate && toDate && fromDate > toDate) {
      throw invalidField('query.to', 'must not be before from');
    }

    const db = c.get('deps').database.db;
    const page = await listAudit(
      db,
      principalOf(c).tenantId,
      { ...filter, from: fromDate, to: toDate },
      { limit, after: cursor },
    );
    return c.json({ data: page.data.map(auditJson), nextCursor: page.nextCursor }, 200);
  });
