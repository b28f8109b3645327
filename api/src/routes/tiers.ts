import { z } from '@hono/zod-openapi';
import { parseMinorUnits } from '@tuike/core';
import { actorOf, principalOf } from '../context';
import {
  createRouter,
  defineRoute,
  idOf,
  idParams,
  jsonBody,
  listOf,
  MinorUnits,
  MoneySchema,
  ok,
  problemOf,
  Timestamp,
} from '../lib/openapi';
import {
  createTier,
  getTierOrThrow,
  listTiers,
  patchTier,
  removeTier,
  type Tier,
} from '../services/tiers';
import { Name } from './schemas';

/** A non-negative minor-unit string within bounds, parsed to bigint. */
const Volume = MinorUnits.transform((value, ctx) => {
  const amount = parseMinorUnits(value);
  if (amount === null) {
    ctx.addIssue({ code: 'custom', message: 'must be at most 10^15 minor units' });
    return z.NEVER;
  }
  return amount;
});

const TierFields = {
  name: Name.max(64),
  level: z
    .number()
    .int()
    .min(1)
    .max(1000)
    .openapi({ description: 'Rank of the tier: 1 is the entry tier, higher is better' }),
  minPeriodVolume: Volume.openapi({
    type: 'string',
    description: 'Sales volume in a period that qualifies for the tier, in minor units',
  }),
  description: z.string().trim().max(1000),
};

const CreateTierBody = z
  .strictObject({
    name: TierFields.name,
    level: TierFields.level,
    minPeriodVolume: TierFields.minPeriodVolume.optional(),
    description: TierFields.description.optional(),
  })
  .openapi('CreateTier');

const UpdateTierBody = z.strictObject(TierFields).partial().openapi('UpdateTier');

export const TierSchema = z
  .object({
    id: idOf('tier'),
    name: z.string(),
    level: z.number().int(),
    minPeriodVolume: MoneySchema,
    description: z.string(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi('Tier');

function tierJson(t: Tier): z.infer<typeof TierSchema> {
  return {
    id: t.id,
    name: t.name,
    level: t.level,
    minPeriodVolume: { amount: t.minPeriodVolume.toString(), currency: t.currency },
    description: t.description,
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
  };
}

const TierListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z
    .string()
    .regex(/^[1-9][0-9]{0,3}$/, 'must be the nextCursor of a previous page')
    .optional()
    .openapi({ description: 'The last level of the previous page' }),
});

const listRoute = defineRoute({
  method: 'get',
  path: '/v1/tiers',
  tag: 'Tiers',
  summary: 'List tiers in level order / 等级列表',
  permission: 'tiers:read',
  route: { request: { query: TierListQuery }, responses: { 200: ok(listOf(TierSchema)) } },
});

const createRoute = defineRoute({
  method: 'post',
  path: '/v1/tiers',
  tag: 'Tiers',
  summary: 'Create a tier / 创建等级',
  permission: 'tiers:write',
  route: {
    request: { body: jsonBody(CreateTierBody) },
    responses: {
      201: ok(TierSchema, 'Created'),
      409: problemOf('Another tier has the name or level'),
    },
  },
});

const readRoute = defineRoute({
  method: 'get',
  path: '/v1/tiers/{id}',
  tag: 'Tiers',
  summary: 'Read a tier / 查看等级',
  permission: 'tiers:read',
  route: {
    request: { params: idParams('tier') },
    responses: { 200: ok(TierSchema), 404: problemOf('No such tier in the tenant') },
  },
});

const updateRoute = defineRoute({
  method: 'patch',
  path: '/v1/tiers/{id}',
  tag: 'Tiers',
  summary: 'Change a tier / 修改等级',
  permission: 'tiers:write',
  route: {
    request: { params: idParams('tier'), body: jsonBody(UpdateTierBody) },
    responses: {
      200: ok(TierSchema),
      404: problemOf('No such tier in the tenant'),
      409: problemOf('Another tier has the name or level'),
    },
  },
});

const deleteRoute = defineRoute({
  method: 'delete',
  path: '/v1/tiers/{id}',
  tag: 'Tiers',
  summary: 'Remove a tier no promoter holds / 删除等级',
  permission: 'tiers:write',
  route: {
    request: { params: idParams('tier') },
    responses: {
      204: { description: 'Removed' },
      404: problemOf('No such tier in the tenant'),
      409: problemOf('Promoters still hold the tier'),
    },
  },
});

export const tierRoutes = createRouter()
  // GET /v1/tiers: every tier of the tenant, entry tier first.
  .openapi(listRoute, async (c) => {
    const { limit, cursor } = c.req.valid('query');
    const afterLevel = cursor === undefined ? undefined : Number(cursor);
    const page = await listTiers(c.get('deps'), principalOf(c).tenantId, { limit, afterLevel });
    return c.json({ data: page.data.map(tierJson), nextCursor: page.nextCursor }, 200);
  })
  // POST /v1/tiers: a new tier; name and level are unique in the tenant.
  .openapi(createRoute, async (c) => {
    const tier = await createTier(c.get('deps'), actorOf(c), c.req.valid('json'));
    return c.json(tierJson(tier), 201);
  })
  // GET /v1/tiers/{id}
  .openapi(readRoute, async (c) => {
    const { id } = c.req.valid('param');
    const tier = await getTierOrThrow(c.get('deps'), principalOf(c).tenantId, id);
    return c.json(tierJson(tier), 200);
  })
  // PATCH /v1/tiers/{id}: change the name, level, threshold or description.
  .openapi(updateRoute, async (c) => {
    const { id } = c.req.valid('param');
    const tier = await patchTier(c.get('deps'), actorOf(c), id, c.req.valid('json'));
    return c.json(tierJson(tier), 200);
  })
  // DELETE /v1/tiers/{id}: refused with 409 while promoters hold the tier.
  .openapi(deleteRoute, async (c) => {
    const { id } = c.req.valid('param');
    await removeTier(c.get('deps'), actorOf(c), id);
    return c.body(null, 204);
  });
