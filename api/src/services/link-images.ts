import type { LinkRow } from '@tuike/db';
import type { Deps } from '../deps';
import { ApiError } from '../lib/errors';
import { qrPng, qrSvg } from '../lib/qr';
import { WechatError } from '../lib/wechat';
import { getLinkOrThrow, type LinkViewer } from './links';

/** The mini-program page that reads `scene` (the link code) and records the visit. */
export const LANDING_PAGE = 'pages/landing/index';

/** The short URL of a link: what is shared, printed and drawn into QR codes. */
export function shortUrl(deps: Deps, link: Pick<LinkRow, 'code'>): string {
  return `${deps.config.publicUrl}/r/${link.code}`;
}

export interface Image {
  contentType: 'image/png' | 'image/svg+xml';
  body: Uint8Array | string;
}

/** GET /v1/links/{id}/qr: the short URL as a QR code. */
export async function linkQrCode(
  deps: Deps,
  viewer: LinkViewer,
  linkId: string,
  options: { format: 'png' | 'svg'; size: number },
): Promise<Image> {
  const link = await getLinkOrThrow(deps, viewer, linkId);
  const url = shortUrl(deps, link);
  if (options.format === 'svg') return { contentType: 'image/svg+xml', body: await qrSvg(url) };
  return { contentType: 'image/png', body: await qrPng(url, options.size) };
}

/**
 * GET /v1/links/{id}/wxacode: a mini-program code that opens the landing page with the link
 * code as `scene` (codes are at most 32 characters, WeChat's scene limit).
 */
export async function linkWxaCode(deps: Deps, viewer: LinkViewer, linkId: string): Promise<Image> {
  const link = await getLinkOrThrow(deps, viewer, linkId);
  try {
    const body = await deps.wechat.getUnlimitedQrCode({ scene: link.code, page: LANDING_PAGE });
    return { contentType: 'image/png', body };
  } catch (err) {
    if (err instanceof WechatError) {
      throw new ApiError(
        'unprocessable',
        `WeChat refused to make the mini-program code: ${err.message} / 微信拒绝生成小程序码`,
      );
    }
    throw new ApiError('unavailable', 'WeChat did not answer; try again / 微信服务暂不可用', {
      cause: err,
    });
  }
}
