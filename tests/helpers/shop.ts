import { RuleSetContentSchema } from '@tuike/core';
import type { Harness, Tenant } from './harness';

/** The demo's rules: the seller earns 10 % of the order, their inviter 2 %. */
export const TEN_AND_TWO = RuleSetContentSchema.parse({
  currency: 'CNY',
  rules: [
    {
      id: 'base',
      name: 'Promoter 10 %, inviter 2 %',
      payout: { kind: 'percent', rate: '0.10' },
      upline: [{ rate: '0.02' }],
    },
  ],
});

export interface Shop {
  tenant: Tenant;
  inviterId: string;
  sellerId: string;
  /** The short code of the seller's link to https://shop.example.com/p/1. */
  linkCode: string;
}

/**
 * A tenant selling on shop.example.com: 李娜 (the seller) invited by 王芳, a link of the
 * seller's, and TEN_AND_TWO published. Throws if any step is refused.
 */
export async function openShop(h: Harness, name: string): Promise<Shop> {
  const tenant = await h.signup(name);
  const { owner } = tenant;
  await owner.PATCH('/v1/tenant', { body: { settings: { allowedDomains: ['shop.example.com'] } } });
  const { data: inviter } = await owner.POST('/v1/promoters', { body: { name: '王芳' } });
  const { data: seller } = await owner.POST('/v1/promoters', {
    body: { name: '李娜', uplineId: inviter?.id },
  });
  const { data: link } = await owner.POST('/v1/links', {
    body: { promoterId: seller?.id ?? '', destination: 'https://shop.example.com/p/1' },
  });
  const { data: ruleSet } = await owner.POST('/v1/rule-sets', {
    body: { name: 'Default', content: TEN_AND_TWO },
  });
  const published = await owner.POST('/v1/rule-sets/{id}/publish', {
    params: { path: { id: ruleSet?.id ?? '' } },
    body: {},
  });
  if (!inviter || !seller || !link || published.response.status !== 200) {
    throw new Error(`shop setup failed: ${JSON.stringify(published.error)}`);
  }
  return { tenant, inviterId: inviter.id, sellerId: seller.id, linkCode: link.code };
}

/** The secret of a new API key for the shop's server: it posts and reads conversions. */
export async function shopServerKey(tenant: Tenant): Promise<string> {
  const { data } = await tenant.owner.POST('/v1/api-keys', {
    body: { name: 'shop server', scopes: ['conversions:write', 'conversions:read'] },
  });
  if (!data) throw new Error('the shop server key was refused');
  return data.secret;
}
