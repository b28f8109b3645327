import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WechatError } from '../../api/src/lib/wechat';
import { createWechatHttpClient, type WechatHttpOptions } from '../../api/src/lib/wechat-http';
import { FAKE_PNG, type FakeWechat, startFakeWechat } from '../helpers/fake-wechat';

let fake: FakeWechat;
let nowMs: number;

beforeEach(async () => {
  fake = await startFakeWechat();
  nowMs = Date.parse('2026-11-11T00:00:00Z');
});
afterEach(() => fake.close());

function client(options: Partial<WechatHttpOptions> = {}) {
  return createWechatHttpClient({
    appId: fake.appId,
    appSecret: fake.appSecret,
    apiBase: fake.baseUrl,
    now: () => nowMs,
    ...options,
  });
}

/** The rejection of `p`, which must reject. */
async function failure(p: Promise<unknown>): Promise<Error> {
  const outcome = await p.then(
    () => null,
    (err: unknown) => err,
  );
  if (!(outcome instanceof Error)) throw new Error('expected the call to fail');
  return outcome;
}

const qr = { scene: 'k7qh3mzp', page: 'pages/landing/index' };

describe('WeChat HTTP client - access token', () => {
  it('fetches one token and reuses it until shortly before it expires', async () => {
    const wechat = client();
    expect(await wechat.getUnlimitedQrCode(qr)).toEqual(FAKE_PNG);
    await wechat.getUnlimitedQrCode(qr);
    expect(fake.tokenFetches).toBe(1);

    nowMs += (7200 - 299) * 1000;
    await wechat.getUnlimitedQrCode(qr);
    expect(fake.tokenFetches).toBe(2);
  });

  it('shares one token fetch among concurrent callers', async () => {
    fake.tokenDelayMs = 100;
    const wechat = client();
    const images = await Promise.all(
      Array.from({ length: 8 }, () => wechat.getUnlimitedQrCode(qr)),
    );
    expect(images).toHaveLength(8);
    expect(fake.tokenFetches).toBe(1);
  });

  it('fetches a new token once when WeChat answers 40001, then succeeds', async () => {
    const wechat = client();
    await wechat.getUnlimitedQrCode(qr);
    fake.revokeTokens();
    expect(await wechat.getUnlimitedQrCode(qr)).toEqual(FAKE_PNG);
    expect(fake.tokenFetches).toBe(2);
  });

  it('gives up after one refresh when the new token is refused too', async () => {
    fake.wxacodeErrors.push({ errcode: 42001, errmsg: 'access_token expired' });
    fake.wxacodeErrors.push({ errcode: 42001, errmsg: 'access_token expired' });
    const err = await failure(client().getUnlimitedQrCode(qr));
    expect(err).toBeInstanceOf(WechatError);
    expect((err as WechatError).errcode).toBe(42001);
    expect(fake.tokenFetches).toBe(2);
  });

  it('turns a refused secret into a WechatError that names neither secret nor token', async () => {
    const err = await failure(
      client({ appSecret: 'wrong0secret0000000000000000000x' }).getUnlimitedQrCode(qr),
    );
    expect(err).toBeInstanceOf(WechatError);
    expect((err as WechatError).errcode).toBe(40125);
    expect(err.message).not.toContain('wrong0secret');
    expect(err.message).not.toContain(fake.appSecret);
  });
});

describe('WeChat HTTP client - jscode2session', () => {
  it('answers the openid and unionid of a good code, and nothing of the session key', async () => {
    const identity = await client().code2Session('good:alice');
    expect(identity).toEqual({ openid: 'o_alice', unionid: 'u_alice' });
  });

  it('turns an errcode into a WechatError', async () => {
    const err = await failure(client().code2Session('expired-code'));
    expect(err).toBeInstanceOf(WechatError);
    expect((err as WechatError).errcode).toBe(40029);
    expect(err.message).not.toContain(fake.appSecret);
  });
});

describe('WeChat HTTP client - getwxacodeunlimit', () => {
  it('posts scene, page, width and check_path: false and answers the image bytes', async () => {
    const image = await client().getUnlimitedQrCode(qr);
    expect(Array.from(image.slice(0, 8))).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
    expect(fake.wxacodeBodies).toEqual([{ ...qr, width: 430, check_path: false }]);
  });

  it('turns a JSON error into a WechatError without retrying', async () => {
    fake.wxacodeErrors.push({ errcode: 41030, errmsg: 'invalid page rid: fake' });
    const err = await failure(client().getUnlimitedQrCode(qr));
    expect(err).toBeInstanceOf(WechatError);
    expect((err as WechatError).errcode).toBe(41030);
    expect(err.message).toContain('invalid page');
    expect(fake.tokenFetches).toBe(1);
  });

  it('refuses a scene longer than WeChat allows without calling it', async () => {
    const err = await failure(client().getUnlimitedQrCode({ scene: 'x'.repeat(33) }));
    expect(err).toBeInstanceOf(WechatError);
    expect(fake.tokenFetches).toBe(0);
  });
});

describe('WeChat HTTP client - failures that are not refusals', () => {
  it('times out a WeChat that does not answer, as a plain error naming no secret', async () => {
    fake.stallMs = 2000;
    const started = Date.now();
    const err = await failure(client({ timeoutMs: 150 }).code2Session('good:bob'));
    expect(Date.now() - started).toBeLessThan(1500);
    expect(err).not.toBeInstanceOf(WechatError);
    expect(err.message).toContain('timed out');
    expect(err.message).not.toContain(fake.appSecret);
  });

  it('reports an HTTP error status as a plain error, so sign-in answers 503 and not 401', async () => {
    fake.httpStatus = 502;
    const err = await failure(client().code2Session('good:carol'));
    expect(err).not.toBeInstanceOf(WechatError);
    expect(err.message).toContain('HTTP 502');
  });

  it('lets the next caller try again after a failed token fetch', async () => {
    fake.httpStatus = 503;
    const wechat = client();
    await failure(wechat.getUnlimitedQrCode(qr));
    fake.httpStatus = null;
    expect(await wechat.getUnlimitedQrCode(qr)).toEqual(FAKE_PNG);
  });
});
