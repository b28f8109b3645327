import { createHash } from 'node:crypto';

/**
 * What Tuike needs from WeChat's server API. The real implementation calls WeChat over HTTPS
 * (see wechat-http.ts); the development one works offline, so `npm start` needs no WeChat
 * account.
 */
export interface WechatClient {
  readonly kind: 'wechat' | 'development';
  /** jscode2session: a `wx.login()` code from the mini-program → the user's openid. */
  code2Session(code: string): Promise<WechatIdentity>;
  /**
   * getwxacodeunlimit: a mini-program code (PNG) that opens `page` with `scene` (at most 32
   * characters, WeChat's limit).
   */
  getUnlimitedQrCode(input: { scene: string; page?: string; width?: number }): Promise<Uint8Array>;
}

export interface WechatIdentity {
  openid: string;
  unionid?: string | undefined;
}

export class WechatError extends Error {
  override readonly name = 'WechatError';
  constructor(
    message: string,
    readonly errcode?: number,
  ) {
    super(message);
  }
}

export const WECHAT_SCENE_MAX = 32;

/**
 * Offline stand-in: any code `dev:<name>` signs in as a stable openid derived from `<name>`;
 * mini-program codes are drawn as plain QR codes by `drawQr`.
 */
export function createDevelopmentWechat(
  drawQr: (text: string, width: number) => Promise<Uint8Array>,
): WechatClient {
  return {
    kind: 'development',
    async code2Session(code) {
      if (!/^dev:[\w.@-]{1,64}$/.test(code)) {
        throw new WechatError('development sign-in takes a code of the form dev:<name>', 40029);
      }
      const digest = createHash('sha256').update(code).digest('base64url').slice(0, 28);
      return { openid: `dev_${digest}` };
    },
    async getUnlimitedQrCode({ scene, page, width }) {
      if (scene.length > WECHAT_SCENE_MAX) throw new WechatError('scene is longer than 32', 40097);
      const text = `wxapp://${page ?? 'pages/index/index'}?scene=${encodeURIComponent(scene)}`;
      return drawQr(text, width ?? 430);
    },
  };
}
