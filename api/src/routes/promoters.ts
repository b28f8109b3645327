import { z } from '@hono/zod-openapi';
import type { DownlineMember, PromoterView } from '@tuike/db';
import { actorOf, principalOf } from '../context';
import {
  createRouter,
  defineRoute,
  idOf,
  idParams,
  jsonBody,
  ListQuery,
  listOf,
  ok,
  problemOf,
  Timestamp,
} from '../lib/openapi';
import {
  createPromoter,
  getPromoterOrThrow,
  listDownline,
  listPromoters,
  patchPromoter,
} from '../services/promoters';
import { Email, Name } from './schemas';

const Phone = z
  .string()
  .trim()
  .regex(/^\+?[0-9][0-9 -]{2,30}$/, 'must be a phone number: digits, spaces and dashes')
  .openapi({ example: '+86 138 0013 8000' });

const InviteCode = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z0-9]{4,32}$/, 'must be 4 to 32 letters and digits')
  .openapi({ example: 'K7QH3MZP' });

const ExternalRef = z.string().trim().min(1).max(128).openapi({ example: 'member-10086' });

const CreatePromoterBody = z
  .strictObject({
    name: Name,
    email: Email.optional(),
    phone: Phone.optional(),
    externalRef: ExternalRef.optional(),
    tierId: idOf('tier').optional(),
    uplineId: idOf('promoter').optional().openapi({ description: 'The inviter, by id' }),
    invitedBy: InviteCode.optional().openapi({
      description: 'The inviter, by invite code (instead of uplineId)',
    }),
    inviteCode: InviteCode.optional().openapi({
      description: 'This promoter’s own invite code; 8 characters are generated when omitted',
    }),
  })
  .refine((b) => !(b.uplineId && b.invitedBy), {
    message: 'give uplineId or invitedBy, not both',
    path: ['invitedBy'],
  })
  .openapi('CreatePromoter');

const UpdatePromoterBody = z
  .strictObject({
    name: Name,
    email: Email.nullable(),
    phone: Phone.nullable(),
    externalRef: ExternalRef.nullable(),
    tierId: idOf('tier').nullable(),
    status: z.enum(['active', 'frozen']),
    uplineId: idOf('promoter')
      .nullable()
      .openapi({ description: 'Move under this promoter, with the whole downline; null: root' }),
  })
  .partial()
  .openapi('UpdatePromoter');

export const PromoterSchema = z
  .object({
    id: idOf('promoter'),
    name: z.string(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    externalRef: z.string().nullable(),
    status: z.enum(['active', 'frozen']),
    inviteCode: z.string(),
    tierId: idOf('tier').nullable(),
    tier: z.object({ id: idOf('tier'), name: z.string(), level: z.number().int() }).nullable(),
    uplineId: idOf('promoter').nullable(),
    ancestorIds: z.array(z.string()).openapi({ description: 'Ancestors, root first' }),
    depth: z.number().int().openapi({ description: 'Number of ancestors: 0 for a root' }),
    downlineCount: z.number().int().openapi({ description: 'Direct invitees' }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi('Promoter');

const DownlineMemberSchema = PromoterSchema.extend({
  level: z.number().int().openapi({ description: '1 for a direct invitee, 2 for theirs, ...' }),
}).openapi('DownlineMember');

function promoterJson(p: PromoterView): z.infer<typeof PromoterSchema> {
  return {
    id: p.id,
    name: p.name,
    email: p.email,
    phone: p.phone,
    externalRef: p.externalRef,
    status: p.status,
    inviteCode: p.inviteCode,
    tierId: p.tierId,
    tier:
      p.tierId && p.tierName !== null && p.tierLevel !== null
        ? { id: p.tierId, name: p.tierName, level: p.tierLevel }
        : null,
    uplineId: p.uplineId,
    ancestorIds: p.ancestorIds,
    depth: p.ancestorIds.length,
    downlineCount: p.downlineCount,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
}

const memberJson = (m: DownlineMember) => ({ ...promoterJson(m), level: m.level });

const PromoterListQuery = ListQuery.extend({
  q: z.string().trim().min(1).max(100).optional().openapi({
    description: 'Part of the name, e-mail, phone, invite code or external reference',
  }),
  status: z.enum(['active', 'frozen']).optional(),
  tierId: idOf('tier').optional(),
  uplineId: idOf('promoter').optional().openapi({ description: 'Direct invitees of' }),
});

const DownlineCursor = z
  .string()
  .regex(/^[1-9][0-9]?\.prm_[0-9a-z]{1,60}$/, 'must be the nextCursor of a previous page')
  .transform((cursor) => {
    const dot = cursor.indexOf('.');
    return { level: Number(cursor.slice(0, dot)), id: cursor.slice(dot + 1) };
  })
  .openapi({ type: 'string' });

const DownlineQuery = z.object({
  limit: ListQuery.shape.limit,
  cursor: DownlineCursor.optional(),
  maxDepth: z.coerce.number().int().min(1).max(64).optional().openapi({
    description: 'Only this many levels down (1: direct invitees)',
  }),
});

const notFoundDoc = problemOf('No such promoter in the tenant');

const listRoute = defineRoute({
  method: 'get',
  path: '/v1/promoters',
  tag: 'Promoters',
  summary: 'List and search promoters, newest first / 推客列表',
  permission: 'promoters:read',
  route: { request: { query: PromoterListQuery }, responses: { 200: ok(listOf(PromoterSchema)) } },
});

const createRoute = defineRoute({
  method: 'post',
  path: '/v1/promoters',
  tag: 'Promoters',
  summary: 'Create a promoter, optionally under an inviter / 创建推客',
  permission: 'promoters:write',
  route: {
    request: { body: jsonBody(CreatePromoterBody) },
    responses: {
      201: ok(PromoterSchema, 'Created'),
      409: problemOf('The invite code or external reference is taken'),
    },
  },
});

const readRoute = defineRoute({
  method: 'get',
  path: '/v1/promoters/{id}',
  tag: 'Promoters',
  summary: 'Read a promoter / 查看推客',
  permission: 'promoters:read',
  route: {
    request: { params: idParams('promoter') },
    responses: { 200: ok(PromoterSchema), 404: notFoundDoc },
  },
});

const updateRoute = defineRoute({
  method: 'patch',
  path: '/v1/promoters/{id}',
  tag: 'Promoters',
  summary: 'Change a promoter or move it under another upline / 修改推客',
  permission: 'promoters:write',
  route: {
    request: { params: idParams('promoter'), body: jsonBody(UpdatePromoterBody) },
    responses: {
      200: ok(PromoterSchema),
      404: notFoundDoc,
      409: problemOf('The move would make a cycle, or a unique value is taken'),
    },
  },
});

const downlineRoute = defineRoute({
  method: 'get',
  path: '/v1/promoters/{id}/downline',
  tag: 'Promoters',
  summary: 'The downline of a promoter, nearest level first / 下级推客',
  permission: 'promoters:read',
  route: {
    request: { params: idParams('promoter'), query: DownlineQuery },
    responses: { 200: ok(listOf(DownlineMemberSchema)), 404: notFoundDoc },
  },
});

export const promoterRoutes = createRouter()
  // GET /v1/promoters: search and filter promoters, newest first.
  .openapi(listRoute, async (c) => {
    const { limit, cursor, ...filter } = c.req.valid('query');
    const tenantId = principalOf(c).tenantId;
    const page = await listPromoters(c.get('deps'), tenantId, filter, { limit, after: cursor });
    return c.json({ data: page.data.map(promoterJson), nextCursor: page.nextCursor }, 200);
  })
  // POST /v1/promoters: a new promoter, under `uplineId` or the owner of `invitedBy`.
  .openapi(createRoute, async (c) => {
    const promoter = await createPromoter(c.get('deps'), actorOf(c), c.req.valid('json'));
    return c.json(promoterJson(promoter), 201);
  })
  // GET /v1/promoters/{id}
  .openapi(readRoute, async (c) => {
    const { id } = c.req.valid('param');
    const promoter = await getPromoterOrThrow(c.get('deps'), principalOf(c).tenantId, id);
    return c.json(promoterJson(promoter), 200);
  })
  // PATCH /v1/promoters/{id}: change fields; a new uplineId moves the whole downline along.
  .openapi(updateRoute, async (c) => {
    const { id } = c.req.valid('param');
    const promoter = await patchPromoter(c.get('deps'), actorOf(c), id, c.req.valid('json'));
    return c.json(promoterJson(promoter), 200);
  })
  // GET /v1/promoters/{id}/downline: everyone below the promoter, level by level.
  .openapi(downlineRoute, async (c) => {
    const { id } = c.req.valid('param');
    const { limit, cursor, maxDepth } = c.req.valid('query');
    const tenantId = principalOf(c).tenantId;
    const page = await listDownline(c.get('deps'), tenantId, id, {
      limit,
      maxDepth,
      ...(cursor ? { after: cursor } : {}),
    });
    return c.json({ data: page.data.map(memberJson), nextCursor: page.nextCursor }, 200);
  });
