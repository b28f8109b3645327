import { RuleSetContentSchema } from '@tuike/core';
import { type Actor, countTenants, lockDemoSeeding } from '@tuike/db';
import type { Deps } from '../deps';
import { randomSecret } from '../lib/secrets';
import { createPromoter } from './promoters';
import { publishDraft } from './rule-set-publishing';
import { createRuleSet } from './rule-sets';
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

/** The promoter earns 10 % of the order and their inviter 2 %: commissions show at once. */
const DEMO_RULES = RuleSetContentSchema.parse({
  currency: 'CNY',
  rules: [
    {
      id: 'base',
      name: '推客 10 %，邀请人 2 % / Promoter 10 %, inviter 2 %',
      payout: { kind: 'percent', rate: '0.10' },
      upline: [{ rate: '0.02' }],
    },
  ],
});

/** The demo's commission rules, published through the same services the API uses. */
async function seedRuleSet(deps: Deps, actor: Actor): Promise<void> {
  const ruleSet = await createRuleSet(deps, actor, {
    name: '默认佣金 Default commission',
    description: '演示规则：推客拿订单的 10 %，邀请人拿 2 %',
    content: DEMO_RULES,
  });
  await publishDraft(deps, actor, ruleSet.id, 'demo seed');
}

/**
 * Seeds a demo tenant into an empty database so a newcomer sees a working system: an owner,
 * tiers, promoters with inviters, a published commission rule set (10 % and 2 %) and the demo
 * shop's allowed domains. Does nothing when the database already has a tenant.
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
    await seedRuleSet(inTx, actor);
    return { tenantId: tenant.id, ownerId: owner.id };
  });
  if (!seeded) return null;
  deps.logger.info('demo tenant seeded', seeded);
  return { tenantId: seeded.tenantId, email, password: generated };
}
