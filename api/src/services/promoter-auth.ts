import { newId } from '@tuike/core';
import { type Actor, getPromoterByOpenid, getTenant, type PromoterRow } from '@tuike/db';
import type { Deps } from '../deps';
import { ApiError, notFound } from '../lib/errors';
import { ACCESS_TOKEN_TTL_SECONDS, AUDIENCES, signAccessToken } from '../lib/tokens';
import { WechatError } from '../lib/wechat';
import { createPromoter } from './promoters';
import { enforceLimit } from './rate-limits';

export interface PromoterSignIn {
  tenantId: string;
  code: string;
  /** Joining only: the invite code of the promoter who shared the mini-program. */
  inviteCode?: string | undefined;
  /** Joining only: the display name (WeChat nickname); a default is used without one. */
  name?: string | undefined;
}

/** The promoter service names the inviter `invitedBy`; this request calls it `inviteCode`. */
function renameField(err: unknown, from: string, to: string): unknown {
  if (!(err instanceof ApiError) || !err.errors?.some((e) => e.path === from)) return err;
  return new ApiError(err.code, err.message.replace(from, to), {
    errors: err.errors.map((e) => (e.path === from ? { ...e, path: to } : e)),
  });
}

async function identify(deps: Deps, code: string) {
  try {
    return await deps.wechat.code2Session(code);
  } catch (err) {
    if (err instanceof WechatError) {
      throw new ApiError(
        'unauthorized',
        `WeChat refused the login code: ${err.message} / 微信登录失败`,
      );
    }
    throw new ApiError('unavailable', 'WeChat did not answer; try again / 微信服务暂不可用', {
      cause: err,
    });
  }
}

/**
 * POST /v1/promoter-auth/wechat: a `wx.login()` code → a promoter access token. A WeChat user
 * the tenant has not seen yet joins as a new promoter, under the inviter when an invite code
 * came with the shared mini-program page.
 */
export async function signInPromoter(deps: Deps, input: PromoterSignIn, ip: string) {
  await enforceLimit(deps, 'loginPerIp', ip);
  const tenant = await getTenant(deps.database.db, input.tenantId);
  if (!tenant) throw notFound('tenant', input.tenantId);
  const identity = await identify(deps, input.code);

  let promoter: Pick<PromoterRow, 'id' | 'tenantId'> | undefined = await getPromoterByOpenid(
    deps.database.db,
    tenant.id,
    identity.openid,
  );
  const joined = promoter === undefined;
  if (!promoter) {
    const actor: Actor = {
      tenantId: tenant.id,
      type: 'system',
      id: null,
      roles: [],
      requestId: null,
      ip,
    };
    promoter = await createPromoter(deps, actor, {
      name: input.name ?? '推客',
      invitedBy: input.inviteCode,
      wechat: identity,
    }).catch((err: unknown) => {
      throw renameField(err, 'invitedBy', 'inviteCode');
    });
  }

  const nowSeconds = Math.floor(deps.clock.now().getTime() / 1000);
  const accessToken = await signAccessToken(
    deps.tokenKeys,
    { sub: promoter.id, tenant: tenant.id, sid: newId('session'), jti: newId('request') },
    AUDIENCES.promoter,
    nowSeconds,
  );
  return {
    accessToken,
    tokenType: 'Bearer' as const,
    expiresIn: ACCESS_TOKEN_TTL_SECONDS,
    promoterId: promoter.id,
    joined,
  };
}
