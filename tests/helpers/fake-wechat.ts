import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A FAKE of WeChat's server API on 127.0.0.1 (random port), for testing the real HTTP client
 * without the network. It imitates only what Tuike calls: access tokens, jscode2session and
 * getwxacodeunlimit, with WeChat's habit of answering errors as JSON with HTTP 200.
 */
export interface FakeWechat {
  baseUrl: string;
  appId: string;
  appSecret: string;
  /** How many access tokens were handed out. */
  tokenFetches: number;
  /** Bodies the mini-program-code endpoint received. */
  wxacodeBodies: unknown[];
  /** Delays every token answer (to let concurrent callers pile up). */
  tokenDelayMs: number;
  /** Delays every answer by this much (to provoke client timeouts). */
  stallMs: number;
  /** The next mini-program-code answers are these errors instead of an image. */
  wxacodeErrors: { errcode: number; errmsg: string }[];
  /** Answer every request with this HTTP status (an outage), when set. */
  httpStatus: number | null;
  /** Invalidates every token handed out so far, as when another server fetched a new one. */
  revokeTokens(): void;
  close(): Promise<void>;
}

/** The bytes a fake mini-program code starts with: a PNG signature. */
export const FAKE_PNG = Uint8Array.from([137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13]);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function json(res: ServerResponse, body: unknown, type = 'application/json') {
  res.writeHead(200, { 'Content-Type': `${type}; charset=utf-8` });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startFakeWechat(): Promise<FakeWechat> {
  const valid = new Set<string>();
  let issued = 0;

  const fake: FakeWechat = {
    baseUrl: '',
    appId: 'wx0123456789abcdef',
    appSecret: 'fake0secret0never0in0logs0000000',
    tokenFetches: 0,
    wxacodeBodies: [],
    tokenDelayMs: 0,
    stallMs: 0,
    wxacodeErrors: [],
    httpStatus: null,
    revokeTokens: () => valid.clear(),
    close: async () => {},
  };

  function token(q: URLSearchParams, res: ServerResponse) {
    if (q.get('appid') !== fake.appId || q.get('secret') !== fake.appSecret) {
      return json(res, { errcode: 40125, errmsg: 'invalid appsecret rid: fake' });
    }
    fake.tokenFetches++;
    const value = `fake_token_${++issued}`;
    valid.add(value);
    return json(res, { access_token: value, expires_in: 7200 });
  }

  function session(q: URLSearchParams, res: ServerResponse) {
    const code = q.get('js_code') ?? '';
    const ok = q.get('appid') === fake.appId && q.get('secret') === fake.appSecret;
    if (!ok || !code.startsWith('good:') || q.get('grant_type') !== 'authorization_code') {
      return json(res, { errcode: 40029, errmsg: 'invalid code rid: fake' }, 'text/plain');
    }
    const name = code.slice(5);
    // WeChat sends jscode2session answers as text/plain.
    return json(
      res,
      { openid: `o_${name}`, unionid: `u_${name}`, session_key: 'sk' },
      'text/plain',
    );
  }

  async function wxacode(req: IncomingMessage, q: URLSearchParams, res: ServerResponse) {
    const body: unknown = JSON.parse(await readBody(req));
    if (!valid.has(q.get('access_token') ?? '')) {
      return json(res, { errcode: 40001, errmsg: 'invalid credential, access_token is invalid' });
    }
    fake.wxacodeBodies.push(body);
    const error = fake.wxacodeErrors.shift();
    if (error) return json(res, error);
    res.writeHead(200, { 'Content-Type': 'image/png' });
    res.end(Buffer.from(FAKE_PNG));
  }

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    if (fake.stallMs > 0) await sleep(fake.stallMs);
    if (res.destroyed) return;
    if (fake.httpStatus !== null) {
      res.writeHead(fake.httpStatus);
      return res.end('upstream trouble');
    }
    if (url.pathname === '/cgi-bin/token' && req.method === 'GET') {
      await sleep(fake.tokenDelayMs);
      return token(url.searchParams, res);
    }
    if (url.pathname === '/sns/jscode2session' && req.method === 'GET') {
      return session(url.searchParams, res);
    }
    if (url.pathname === '/wxa/getwxacodeunlimit' && req.method === 'POST') {
      return wxacode(req, url.searchParams, res);
    }
    res.writeHead(404);
    res.end();
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  fake.baseUrl = `http://127.0.0.1:${port}`;
  fake.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return fake;
}
