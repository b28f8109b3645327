import { newId } from '@tuike/core';
import { schema } from '@tuike/db';
import type { Harness, Tenant } from './harness';

/**
 * Stores a link straight in the database, for redirect tests that must not depend on the links
 * API's validation (they test what the redirect does with whatever is stored).
 */
export async function storeLink(
  h: Harness,
  t: Tenant,
  values: {
    destination: string;
    code?: string;
    status?: 'active' | 'disabled';
    expiresAt?: Date | null;
  },
) {
  const [promoter] = await h.database.db
    .insert(schema.promoters)
    .values({
      tenantId: t.tenantId,
      id: newId('promoter'),
      name: 'Redirect tester',
      inviteCode: newId('promoter').slice(-10).toUpperCase(),
    })
    .returning();
  if (!promoter) throw new Error('no promoter');
  const [link] = await h.database.db
    .insert(schema.links)
    .values({
      tenantId: t.tenantId,
      id: newId('link'),
      code: values.code ?? newId('link').slice(-10),
      promoterId: promoter.id,
      destination: values.destination,
      status: values.status ?? 'active',
      expiresAt: values.expiresAt ?? null,
    })
    .returning();
  if (!link) throw new Error('no link');
  return link;
}
