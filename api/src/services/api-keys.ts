import { type ApiKeyScope, isSubsetOf, newId } from '@tuike/core';
import {
  type Actor,
  type ApiKeyRow,
  getApiKey,
  insertApiKey,
  type Page,
  type PageRequest,
  listApiKeys as queryApiKeys,
  recordAudit,
  revokeApiKey as revokeApiKeyRow,
} from '@tuike/db';
import type { Principal } from '../context';
import type { Deps } from '../deps';
import { ApiError, notFound } from '../lib/errors';
import { hashSecret, randomSecret } from '../lib/secrets';
import { API_KEY_PREFIX } from '../middleware/auth';

/** How much of the secret is kept in clear, so people can tell their keys apart. */
const VISIBLE_PREFIX_LENGTH = API_KEY_PREFIX.length + 8;

export interface CreateApiKeyInput {
  name: string;
  scopes: ApiKeyScope[];
  /** Refuse the key's postbacks unless signed with its signing secret. */
  requireSignature?: boolean | undefined;
}

/** What the audit log keeps of a key: never its secret nor its hash. */
function auditView(key: ApiKeyRow) {
  const { keyHash: _hash, signingSecret: _signing, ...rest } = key;
  return rest;
}

/** POST /v1/api-keys: the secret exists only in this answer; the database keeps its hash. */
export async function createApiKey(
  deps: Deps,
  principal: Principal,
  actor: Actor,
  input: CreateApiKeyInput,
): Promise<{ key: ApiKeyRow; secret: string; signingSecret: string }> {
  const scopes = [...new Set(input.scopes)];
  if (!isSubsetOf(scopes, principal.permissions)) {
    const missing = scopes.filter((s) => !principal.permissions.has(s));
    throw new ApiError(
      'forbidden',
      `a key cannot carry scopes its creator lacks: ${missing.join(', ')} / 不能授予自己没有的权限`,
    );
  }

  const secret = `${API_KEY_PREFIX}${randomSecret(32)}`;
  // Signs postback bodies (HMAC-SHA256); kept encrypted, since verifying needs it back.
  const signingSecret = `tks_${randomSecret(32)}`;
  const sealedSigning = await deps.secretBox.seal(signingSecret);
  const key = await deps.database.db.transaction(async (tx) => {
    const row = await insertApiKey(tx, {
      tenantId: actor.tenantId,
      id: newId('apiKey'),
      name: input.name,
      prefix: secret.slice(0, VISIBLE_PREFIX_LENGTH),
      keyHash: hashSecret(secret),
      scopes,
      signingSecret: sealedSigning,
      requireSignature: input.requireSignature ?? false,
      createdBy: actor.id,
      createdAt: deps.clock.now(),
    });
    await recordAudit(tx, actor, {
      action: 'api_key.create',
      entityType: 'api_key',
      entityId: row.id,
      after: auditView(row),
    });
    return row;
  });
  return { key, secret, signingSecret };
}

export async function listApiKeys(
  deps: Deps,
  tenantId: string,
  filter: { revoked?: boolean | undefined },
  page: PageRequest,
): Promise<Page<ApiKeyRow>> {
  return queryApiKeys(deps.database.db, tenantId, filter, page);
}

export async function getApiKeyOrThrow(
  deps: Deps,
  tenantId: string,
  keyId: string,
): Promise<ApiKeyRow> {
  const key = await getApiKey(deps.database.db, tenantId, keyId);
  if (!key) throw notFound('API key', keyId);
  return key;
}

/**
 * DELETE /v1/api-keys/{id}: revokes at once (the auth middleware looks up live keys only).
 * Revoking a revoked key changes nothing and writes no audit row.
 */
export async function revokeApiKey(deps: Deps, actor: Actor, keyId: string): Promise<void> {
  await deps.database.db.transaction(async (tx) => {
    const before = await getApiKey(tx, actor.tenantId, keyId);
    if (!before) throw notFound('API key', keyId);
    if (before.revokedAt) return;

    const after = await revokeApiKeyRow(tx, actor.tenantId, keyId);
    if (!after) throw notFound('API key', keyId);
    await recordAudit(tx, actor, {
      action: 'api_key.revoke',
      entityType: 'api_key',
      entityId: keyId,
      before: auditView(before),
      after: auditView(after),
    });
  });
  // Refused from the next request on, here; other processes drop it on the change notice.
  deps.settings.changed('api_keys', actor.tenantId);
}
