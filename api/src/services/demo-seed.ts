import { type Actor, countTenants, lockDemoSeeding } from '@tuike/db';
import type { Deps } from '../deps';
import { randomSecret } from '../lib/secrets';
import { createPromoter } from './promoters';
import { createTenant, patchTenant } from './tenants';
import { createTier } from './tiers';

export interface SeededDemo {
  tenantId: string;
  email: string;
  /** The generated password, or null when ADMIN_PASSWORD chose it. */
  password: string | null;
}

const DEMO_DOMAINS = ['shop.example.com', 'm.shop.example.com'];

const DEMO_TIERS = [
  { name: '青铜 Bronze', level: 1, minPeriodVolume: 0n, description: '入门等级 Entry tier' },
  { name: '白银 Silver', level: 2, minPeriodVolume: 500_000n, description: '月销 ¥5,000 起' },
  { name: '黄金 Gold', level: 3, minPeriodVolume: 2_000_000n, description: '月销 ¥20,000 起' },
];

/**
 * Two roots and their teams: 王芳 → 李娜 → 张伟 is a three-level chain, 陈静 invited 刘洋,
 * and 赵磊 joined on their own. `inviter` is the key of the inviting promoter.
 */
const DEMO_PROMOTERS = [
  { key: 'wang', name: '王芳', tier: 3, phone: '+86 138 0000 0001', inviter: null },
  { key: 'li', name: '李娜', tier: 2, phone: '+86 138 0000 0002', inviter: 'wang' },
  { key: 'zhang', name: '张伟', tier: 1, phone: '+86 138 0000 0003', inviter: 'li' },
  { key: 'chen', name: '陈静', tier: 2, phone: '+86 138 0000 0004', inviter: null },
  { key: 'liu', name: '刘洋', tier: 1, phone: '+86 138 0000 0005', inviter: 'chen' },
  { key: 'zhao', name: '赵磊', tier: 1, phone: '+86 138 0000 0006', inviter: null },
] as const;

/** Tiers and promoters through the same services the API uses, so the tree paths are right. */
async function seedPromoters(deps: Deps, actor: Actor): Promise<void> {
  const tierIds = new Map<number, string>();
  for (const tier of DEMO_TIERS) {
    tierIds.set(tier.level, (await createTier(deps, actor, tier)).id);
  }
  const promoterIds = new Map<string, string>();
  for (const p of DEMO_PROMOTERS) {
    const created = await createPromoter(deps, actor, {
      name: p.name,
      phone: p.phone,
      tierId: tierIds.get(p.tier),
      uplineId: p.inviter ? promoterIds.get(p.inviter) : undefined,
    });
    promoterIds.set(p.key, created.id);
  }
}

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

  // One transaction (the services nest as savepoints): a seed that fails halfway leaves an
  // empty database, which the next start seeds again.
  const seeded = await deps.database.db.transaction(async (tx) => {
    await lockDemoSeeding(tx);
    if ((await countTenants(tx)) > 0) return null;
    const inTx: Deps = {
      ...deps,
      database: { ...deps.database, db: tx },
    };
    const { tenant, owner } = await createTenant(
      inTx,
      { name: '演示商城 Demo Shop', owner: { email, password, name: 'Demo Owner' } },
      { ip: '127.0.0.1', userAgent: 'seed' },
    );
    const actor: Actor = {
      tenantId: tenant.id,
      type: 'system',
      id: null,
      roles: [],
      requestId: null,
      ip: null,
    };
    await patchTenant(inTx, actor, { settings: { allowedDomains: DEMO_DOMAINS } });
    await seedPromoters(inTx, actor);
    return { tenantId: tenant.id, ownerId: owner.id };
  });
  if (!seeded) return null;
  deps.logger.info('demo tenant seeded', seeded);
  return { tenantId: seeded.tenantId, email, password: generated };
}
