import { z } from '@hono/zod-openapi';
import { API_KEY_SCOPES, type ApiKeyScope } from '@tuike/core';
import type { ApiKeyRow } from '@tuike/db';
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
  Timestamp,
} from '../lib/openapi';
import { createApiKey, getApiKeyOrThrow, listApiKeys, revokeApiKey } from '../services/api-keys';
import { Name } from './schemas';

const Scope = z.enum(API_KEY_SCOPES);

function isScope(s: string): s is ApiKeyScope {
  return (API_KEY_SCOPES as readonly string[]).includes(s);
}

const ApiKeySchema = z
  .object({
    id: idOf('apiKey'),
    name: z.string(),
    prefix: z.string().openapi({ description: 'The first characters of the secret' }),
    scopes: z.array(Scope),
    requireSignature: z.boolean().openapi({ description: 'Postbacks must be signed' }),
    createdBy: z.string().nullable(),
    createdAt: Timestamp,
    lastUsedAt: Timestamp.nullable(),
    revokedAt: Timestamp.nullable(),
  })
  .openapi('ApiKey');

const CreatedApiKeySchema = ApiKeySchema.extend({
  secret: z.string().openapi({ description: 'The key itself (tk_…); shown only once' }),
  signingSecret: z.string().openapi({
    description:
      'Signs postback bodies: Tuike-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">; shown only once',
  }),
}).openapi('CreatedApiKey');

function apiKeyJson(k: ApiKeyRow): z.infer<typeof ApiKeySchema> {
  return {
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    scopes: k.scopes.filter(isScope),
    requireSignature: k.requireSignature,
    createdBy: k.createdBy,
    createdAt: k.createdAt.toISOString(),
    lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
    revokedAt: k.revokedAt?.toISOString() ?? null,
  };
}

const createKeyRoute = defineRoute({
  method: 'post',
  path: '/v1/api-keys',
  tag: 'API keys',
  summary: 'Create an API key for a merchant server / 创建 API 密钥',
  permission: 'api_keys:manage',
  route: {
    request: {
      body: jsonBody(
        z.strictObject({
          name: Name,
          scopes: z.array(Scope).min(1, 'must name at least one scope').max(API_KEY_SCOPES.length),
          requireSignature: z.boolean().optional().openapi({
            description: 'Refuse this key’s postbacks unless signed (Tuike-Signature)',
          }),
        }),
      ),
    },
    responses: { 201: ok(CreatedApiKeySchema, 'Created') },
  },
});

const listKeysRoute = defineRoute({
  method: 'get',
  path: '/v1/api-keys',
  tag: 'API keys',
  summary: 'List API keys / API 密钥列表',
  permission: 'api_keys:read',
  route: {
    request: {
      query: ListQuery.extend({
        revoked: z
          .enum(['true', 'false'])
          .optional()
          .openapi({ description: 'Only revoked keys (true) or only live ones (false)' }),
      }),
    },
    responses: { 200: ok(listOf(ApiKeySchema)) },
  },
});

const readKeyRoute = defineRoute({
  method: 'get',
  path: '/v1/api-keys/{id}',
  tag: 'API keys',
  summary: 'One API key (never its secret) / API 密钥详情',
  permission: 'api_keys:read',
  route: {
    request: { params: idParams('apiKey') },
    responses: { 200: ok(ApiKeySchema) },
  },
});

const revokeKeyRoute = defineRoute({
  method: 'delete',
  path: '/v1/api-keys/{id}',
  tag: 'API keys',
  summary: 'Revoke an API key, at once and for good / 吊销 API 密钥',
  permission: 'api_keys:manage',
  route: {
    request: { params: idParams('apiKey') },
    responses: { 204: { description: 'The key is revoked (also when it already was)' } },
  },
});

export const apiKeyRoutes = createRouter()
  // POST /v1/api-keys: create a key; the answer carries the secret, which is never shown again.
  .openapi(createKeyRoute, async (c) => {
    const body = c.req.valid('json');
    const { key, secret, signingSecret } = await createApiKey(
      c.get('deps'),
      principalOf(c),
      actorOf(c),
      body,
    );
    return c.json({ ...apiKeyJson(key), secret, signingSecret }, 201);
  })
  // GET /v1/api-keys: newest first, optionally only revoked or only live keys.
  .openapi(listKeysRoute, async (c) => {
    const { limit, cursor, revoked } = c.req.valid('query');
    const filter = { revoked: revoked === undefined ? undefined : revoked === 'true' };
    const page = await listApiKeys(c.get('deps'), principalOf(c).tenantId, filter, {
      limit,
      after: cursor,
    });
    return c.json({ data: page.data.map(apiKeyJson), nextCursor: page.nextCursor }, 200);
  })
  // GET /v1/api-keys/{id}: one key of the caller's tenant.
  .openapi(readKeyRoute, async (c) => {
    const { id } = c.req.valid('param');
    const key = await getApiKeyOrThrow(c.get('deps'), principalOf(c).tenantId, id);
    return c.json(apiKeyJson(key), 200);
  })
  // DELETE /v1/api-keys/{id}: revoke; idempotent.
  .openapi(revokeKeyRoute, async (c) => {
    await revokeApiKey(c.get('deps'), actorOf(c), c.req.valid('param').id);
    return c.body(null, 204);
  });
