import { countTenants } from '@tuike/db';
import type { Deps } from '../deps';
import { randomSecret } from '../lib/secrets';
import { createTenant, patchTenant } from './tenants';

export interface SeededDemo {
  tenantId: string;
  email: string;
  /** The generated password, or null when ADMIN_PASSWORD chose it. */
  password: string | null;
}

const DEMO_DOMAINS = ['shop.example.com', 'm.shop.example.com'];

/**
 * Seeds a demo tenant into an empty database so a newcomer sees a working system: an owner,
 * tiers, promoters with inviters, and the demo shop's allowed domains. Does nothing when the
 * database already has a tenant.
 */
export async function seedDemo(deps: Deps): Promise<SeededDemo | null> {
  if ((await countTenants(deps.database.db)) > 0) return null;
  const email = deps.config.adminEmail ?? 'owner@demo.tuike.dev';
  const generated = deps.config.adminPassword ? null : randomSecret(12);
  const password = deps.config.adminPassword ?? generated ?? '';

  const { tenant, owner } = await createTenant(
    { ...deps, config: { ...deps.config, openSignup: true } },
    { name: '演示商城 Demo Shop', owner: { email, password, name: 'Demo Owner' } },
    { ip: '127.0.0.1', userAgent: 'seed' },
  );
  const actor = {
    tenantId: tenant.id,
    type: 'system' as const,
    id: null,
    roles: [],
    requestId: null,
    ip: null,
  };
  await patchTenant(deps, actor, { settings: { allowedDomains: DEMO_DOMAINS } });
  deps.logger.info('demo tenant seeded', { tenantId: tenant.id, ownerId: owner.id });
  return { tenantId: tenant.id, email, password: generated };
}
