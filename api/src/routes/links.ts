import { z } from '@hono/zod-openapi';
import type { LinkRow } from '@tuike/db';
import { type AppContext, actorOf, principalOf } from '../context';
import {
  createRouter,
  defineRoute,
  Instant,
  idOf,
  idParams,
  jsonBody,
  ListQuery,
  listOf,
  ok,
  problemOf,
  Text,
  Timestamp,
} from '../lib/openapi';
import { ALIAS_PATTERN } from '../services/link-code';
import { DESTINATION_MAX_LENGTH } from '../services/link-destination';
import { type Image, linkQrCode, linkWxaCode, shortUrl } from '../services/link-images';
import {
  createLink,
  getLinkOrThrow,
  type LinkViewer,
  listLinks,
  patchLink,
} from '../services/links';

const Label = Text(128);

const UtmValue = Label.max(200);

const UtmSchema = z
  .strictObject({
    source: UtmValue,
    medium: UtmValue,
    campaign: UtmValue,
    term: UtmValue,
    content: UtmValue,
  })
  .partial()
  .openapi('LinkUtm', {
    description: 'Set as utm_* query parameters of the destination (URL API, not concatenation)',
  });

const Destination = z.string().min(1).max(DESTINATION_MAX_LENGTH).openapi({
  example: 'https://shop.example.com/products/42',
  description:
    'An https URL on one of the tenant’s allowed domains or a subdomain of one; stored normalised',
});

const CreateLinkBody = z
  .strictObject({
    promoterId: idOf('promoter').optional().openapi({
      description: 'Whose link it is; required except with a promoter’s own token',
    }),
    destination: Destination,
    alias: z
      .string()
      .regex(ALIAS_PATTERN, 'must be 4 to 32 letters, digits, _ or -')
      .optional()
      .openapi({ description: 'A chosen code instead of a generated one', example: 'summer-26' }),
    campaign: Label.optional(),
    product: Label.optional(),
    subId: Label.optional().openapi({ description: 'Placement tag: poster, store, video…' }),
    utm: UtmSchema.optional(),
    expiresAt: Instant.optional(),
  })
  .openapi('CreateLink');

const UpdateLinkBody = z
  .strictObject({
    destination: Destination,
    campaign: Label.nullable(),
    product: Label.nullable(),
    subId: Label.nullable(),
    utm: UtmSchema.nullable().openapi({ description: 'Replaces the whole set; null removes it' }),
    expiresAt: Instant.nullable(),
    status: z.enum(['active', 'disabled']).openapi({ description: 'disabled: the link stops' }),
  })
  .partial()
  .openapi('UpdateLink');

export const LinkSchema = z
  .object({
    id: idOf('link'),
    code: z.string().openapi({ example: 'k7qh3mzp' }),
    url: z.string().openapi({ description: 'The short URL to share' }),
    promoterId: idOf('promoter'),
    destination: z.string().openapi({ description: 'Normalised, with the UTM parameters set' }),
    campaign: z.string().nullable(),
    product: z.string().nullable(),
    subId: z.string().nullable(),
    utm: UtmSchema.nullable(),
    status: z.enum(['active', 'disabled']),
    expiresAt: Timestamp.nullable(),
    createdBy: z.string().nullable(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi('Link');

const LinkListQuery = ListQuery.extend({
  promoterId: idOf('promoter').optional(),
  status: z.enum(['active', 'disabled']).optional(),
  campaign: Label.optional(),
  q: z.string().trim().min(1).max(200).optional().openapi({
    description: 'Part of the code or the destination',
  }),
});

const QrQuery = z.object({
  format: z.enum(['png', 'svg']).default('png'),
  size: z.coerce.number().int().min(64).max(2048).default(512).openapi({
    description: 'Width in pixels (PNG only; SVG scales)',
  }),
});

const image = (types: string[], description: string) => ({
  description,
  content: Object.fromEntries(
    types.map((t) => [t, { schema: z.string().openapi({ format: 'binary' }) }]),
  ),
});

const notFoundDoc = problemOf('No such link for this token');

const listRoute = defineRoute({
  method: 'get',
  path: '/v1/links',
  tag: 'Links',
  summary: 'List and search links, newest first / 推广链接列表',
  permission: 'links:read',
  promoters: true,
  route: { request: { query: LinkListQuery }, responses: { 200: ok(listOf(LinkSchema)) } },
});

const createRoute = defineRoute({
  method: 'post',
  path: '/v1/links',
  tag: 'Links',
  summary: 'Create a referral link / 创建推广链接',
  permission: 'links:write',
  promoters: true,
  route: {
    request: { body: jsonBody(CreateLinkBody) },
    responses: {
      201: ok(LinkSchema, 'Created'),
      409: problemOf('The alias is taken, or the promoter is frozen'),
    },
  },
});

const readRoute = defineRoute({
  method: 'get',
  path: '/v1/links/{id}',
  tag: 'Links',
  summary: 'Read a link / 查看推广链接',
  permission: 'links:read',
  promoters: true,
  route: {
    request: { params: idParams('link') },
    responses: { 200: ok(LinkSchema), 404: notFoundDoc },
  },
});

const updateRoute = defineRoute({
  method: 'patch',
  path: '/v1/links/{id}',
  tag: 'Links',
  summary: 'Change or disable a link / 修改或停用推广链接',
  permission: 'links:write',
  promoters: true,
  route: {
    request: { params: idParams('link'), body: jsonBody(UpdateLinkBody) },
    responses: {
      200: ok(LinkSchema),
      404: notFoundDoc,
      409: problemOf('The promoter is frozen, so the link cannot be re-enabled'),
    },
  },
});

const qrRoute = defineRoute({
  method: 'get',
  path: '/v1/links/{id}/qr',
  tag: 'Links',
  summary: 'QR code of the short URL / 推广二维码',
  permission: 'links:read',
  promoters: true,
  route: {
    request: { params: idParams('link'), query: QrQuery },
    responses: { 200: image(['image/png', 'image/svg+xml'], 'The QR code'), 404: notFoundDoc },
  },
});

const wxacodeRoute = defineRoute({
  method: 'get',
  path: '/v1/links/{id}/wxacode',
  tag: 'Links',
  summary: 'Mini-program code opening the link’s landing page / 小程序码',
  permission: 'links:read',
  promoters: true,
  route: {
    request: { params: idParams('link') },
    responses: {
      200: image(['image/png'], 'The mini-program code'),
      404: notFoundDoc,
      422: problemOf('WeChat refused to make the code'),
      503: problemOf('WeChat did not answer'),
    },
  },
});

function viewerOf(c: AppContext): LinkViewer {
  const p = principalOf(c);
  return { tenantId: p.tenantId, promoterId: p.kind === 'promoter' ? p.promoterId : null };
}

function linkJson(c: AppContext, l: LinkRow): z.infer<typeof LinkSchema> {
  return {
    id: l.id,
    code: l.code,
    url: shortUrl(c.get('deps'), l),
    promoterId: l.promoterId,
    destination: l.destination,
    campaign: l.campaign,
    product: l.product,
    subId: l.subId,
    utm: l.utm,
    status: l.status,
    expiresAt: l.expiresAt?.toISOString() ?? null,
    createdBy: l.createdBy,
    createdAt: l.createdAt.toISOString(),
    updatedAt: l.updatedAt.toISOString(),
  };
}

function imageResponse(c: AppContext, img: Image) {
  // The picture of a link never changes (its code is fixed) but belongs to one principal.
  const headers = { 'Content-Type': img.contentType, 'Cache-Control': 'private, max-age=86400' };
  const body = typeof img.body === 'string' ? img.body : new Uint8Array(img.body);
  return c.body(body, 200, headers);
}

export const linkRoutes = createRouter()
  // GET /v1/links: filter and search links; a promoter's token sees only its own.
  .openapi(listRoute, async (c) => {
    const { limit, cursor, ...filter } = c.req.valid('query');
    const page = await listLinks(c.get('deps'), viewerOf(c), filter, { limit, after: cursor });
    return c.json({ data: page.data.map((l) => linkJson(c, l)), nextCursor: page.nextCursor }, 200);
  })
  // POST /v1/links: a new link for a promoter (a promoter's token: for itself).
  .openapi(createRoute, async (c) => {
    const link = await createLink(c.get('deps'), actorOf(c), viewerOf(c), c.req.valid('json'));
    return c.json(linkJson(c, link), 201);
  })
  // GET /v1/links/{id}
  .openapi(readRoute, async (c) => {
    const link = await getLinkOrThrow(c.get('deps'), viewerOf(c), c.req.valid('param').id);
    return c.json(linkJson(c, link), 200);
  })
  // PATCH /v1/links/{id}: change fields or disable; redirect caches drop the link on commit.
  .openapi(updateRoute, async (c) => {
    const { id } = c.req.valid('param');
    const changes = c.req.valid('json');
    const link = await patchLink(c.get('deps'), actorOf(c), viewerOf(c), id, changes);
    return c.json(linkJson(c, link), 200);
  })
  // GET /v1/links/{id}/qr: the short URL as a PNG or SVG QR code.
  .openapi(qrRoute, async (c) => {
    const { id } = c.req.valid('param');
    const img = await linkQrCode(c.get('deps'), viewerOf(c), id, c.req.valid('query'));
    return imageResponse(c, img);
  })
  // GET /v1/links/{id}/wxacode: the WeChat mini-program code whose scene is the link code.
  .openapi(wxacodeRoute, async (c) => {
    const { id } = c.req.valid('param');
    return imageResponse(c, await linkWxaCode(c.get('deps'), viewerOf(c), id));
  });
