import { WECHAT_SCENE_MAX, type WechatClient, WechatError, type WechatIdentity } from './wechat';

export interface WechatHttpOptions {
  appId: string;
  appSecret: string;
  /** https://api.weixin.qq.com unless a proxy or a test server stands in. */
  apiBase: string;
  /** Per request; WeChat usually answers in well under a second. */
  timeoutMs?: number;
  /** Current time in milliseconds, injectable so tests can expire the token. */
  now?: () => number;
  fetch?: typeof fetch;
}

/** Refresh the access token this long before WeChat says it expires. */
const EXPIRY_MARGIN_MS = 5 * 60_000;
/** errcodes that mean the access token is invalid or expired: fetch a new one, retry once. */
const STALE_TOKEN_CODES = new Set([40001, 40014, 42001]);
/** A mini-program code is a few tens of kilobytes; anything far larger is not one. */
const MAX_IMAGE_BYTES = 4 * 1024 * 1024;

interface WechatJson {
  errcode?: number;
  errmsg?: string;
  [key: string]: unknown;
}

interface CachedToken {
  value: string;
  expiresAt: number;
}

/**
 * The real WeChat server API over HTTPS. The access token is cached until shortly before it
 * expires and fetched single-flight, so concurrent callers share one request (WeChat limits
 * token fetches per day and each new token invalidates the old one after a grace period).
 * Neither the secret nor tokens appear in errors; no logging here at all.
 */
export function createWechatHttpClient(options: WechatHttpOptions): WechatClient {
  const base = options.apiBase.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 5000;
  const now = options.now ?? Date.now;
  const doFetch = options.fetch ?? fetch;
  let cached: CachedToken | null = null;
  let pending: Promise<CachedToken> | null = null;

  /** Sends a request; network failures and timeouts become plain Errors without the URL. */
  async function send(endpoint: string, url: URL, init: RequestInit = {}): Promise<Response> {
    let res: Response;
    try {
      res = await doFetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      const timedOut = err instanceof Error && err.name === 'TimeoutError';
      throw new Error(
        timedOut
          ? `wechat ${endpoint} timed out after ${timeoutMs} ms`
          : `wechat ${endpoint} failed: ${err instanceof Error ? err.name : 'network error'}`,
      );
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new Error(`wechat ${endpoint} answered HTTP ${res.status}`);
    }
    return res;
  }

  async function readJson(endpoint: string, res: Response): Promise<WechatJson> {
    // WeChat answers some JSON as text/plain, so the body is parsed whatever its type says.
    const text = await res.text();
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed !== null && typeof parsed === 'object') return parsed as WechatJson;
    } catch {
      // fall through
    }
    throw new Error(`wechat ${endpoint} answered something other than JSON`);
  }

  function refusal(endpoint: string, body: WechatJson): WechatError {
    const code = typeof body.errcode === 'number' ? body.errcode : undefined;
    const msg = typeof body.errmsg === 'string' ? body.errmsg.slice(0, 300) : 'unknown error';
    return new WechatError(`${endpoint}: ${msg} (errcode ${code ?? '?'})`, code);
  }

  async function fetchToken(): Promise<CachedToken> {
    const url = new URL(`${base}/cgi-bin/token`);
    url.search = new URLSearchParams({
      grant_type: 'client_credential',
      appid: options.appId,
      secret: options.appSecret,
    }).toString();
    const body = await readJson('token', await send('token', url));
    if (typeof body.access_token !== 'string' || body.access_token === '') {
      throw refusal('token', body);
    }
    const lifetimeMs = (typeof body.expires_in === 'number' ? body.expires_in : 7200) * 1000;
    return { value: body.access_token, expiresAt: now() + lifetimeMs - EXPIRY_MARGIN_MS };
  }

  /** The cached token, or one shared fetch of a new one. */
  async function accessToken(): Promise<string> {
    if (cached && cached.expiresAt > now()) return cached.value;
    if (!pending) {
      pending = fetchToken()
        .then((token) => {
          cached = token;
          return token;
        })
        .finally(() => {
          pending = null;
        });
    }
    return (await pending).value;
  }

  /** Forgets `stale`, unless another caller has already replaced it. */
  function dropToken(stale: string): void {
    if (cached?.value === stale) cached = null;
  }

  async function requestWxaCode(token: string, body: string): Promise<Uint8Array | WechatJson> {
    const url = new URL(`${base}/wxa/getwxacodeunlimit`);
    url.searchParams.set('access_token', token);
    const res = await send('getwxacodeunlimit', url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body,
    });
    if (!(res.headers.get('content-type') ?? '').startsWith('image/')) {
      return readJson('getwxacodeunlimit', res);
    }
    const bytes = new Uint8Array(await res.arrayBuffer());
    if (bytes.byteLength > MAX_IMAGE_BYTES) {
      throw new Error('wechat getwxacodeunlimit answered an oversized image');
    }
    return bytes;
  }

  return {
    kind: 'wechat',

    async code2Session(code: string): Promise<WechatIdentity> {
      const url = new URL(`${base}/sns/jscode2session`);
      url.search = new URLSearchParams({
        appid: options.appId,
        secret: options.appSecret,
        js_code: code,
        grant_type: 'authorization_code',
      }).toString();
      const body = await readJson('jscode2session', await send('jscode2session', url));
      if (typeof body.openid !== 'string' || body.openid === '' || body.errcode) {
        throw refusal('jscode2session', body);
      }
      // session_key stays here: Tuike needs only who the user is.
      return {
        openid: body.openid,
        unionid: typeof body.unionid === 'string' ? body.unionid : undefined,
      };
    },

    async getUnlimitedQrCode({ scene, page, width }) {
      if (scene.length > WECHAT_SCENE_MAX) throw new WechatError('scene is longer than 32', 40097);
      const body = JSON.stringify({ scene, page, width: width ?? 430, check_path: false });
      for (let attempt = 0; ; attempt++) {
        const token = await accessToken();
        const answer = await requestWxaCode(token, body);
        if (answer instanceof Uint8Array) return answer;
        const stale = typeof answer.errcode === 'number' && STALE_TOKEN_CODES.has(answer.errcode);
        if (!stale || attempt > 0) throw refusal('getwxacodeunlimit', answer);
        dropToken(token);
      }
    },
  };
}
