import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';

// Runs the real Node entry as a newcomer would: `npm start` with no environment, then against
// Postgres and Redis; checks readiness, the seeded login, metrics and a clean SIGTERM.

interface Server {
  child: ChildProcess;
  url: string;
  output: () => string;
}

const METRICS_TOKEN = 'metrics-token-for-tests-0123456789';

async function startServer(env: Record<string, string>): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'api/src/node.ts'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const match = /Tuike is running at (http:\/\/\S+)/.exec(out);
    if (match?.[1]) return { child, url: match[1], output: () => out };
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`server did not start:\n${out}`);
}

function stop(server: Server): Promise<number | null> {
  return new Promise((resolve) => {
    if (server.child.exitCode !== null) return resolve(server.child.exitCode);
    server.child.once('exit', (code) => resolve(code));
    server.child.kill('SIGTERM');
  });
}

async function loginWithBanner(server: Server) {
  const email = /e-mail:\s+(\S+)/.exec(server.output())?.[1];
  const password = /password:\s+(\S+)/.exec(server.output())?.[1];
  const res = await fetch(`${server.url}/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe('node entry', () => {
  it('starts on embedded PGlite with no environment, seeds a demo owner and stops on SIGTERM', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tuike-e2e-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const server = await startServer({ DATA_DIR: dataDir, METRICS_TOKEN });
    cleanups.push(() => stop(server));

    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    const login = await loginWithBanner(server);
    expect(login.status).toBe(200);
    expect(login.body.accessToken).toEqual(expect.any(String));

    // A redirect through the real server (Node's own header reader, not the fetch Headers path).
    const auth = {
      Authorization: `Bearer ${login.body.accessToken}`,
      'Content-Type': 'application/json',
    };
    const promoters = (await (
      await fetch(`${server.url}/v1/promoters`, { headers: auth })
    ).json()) as {
      data: { id: string }[];
    };
    const link = (await (
      await fetch(`${server.url}/v1/links`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({
          promoterId: promoters.data[0]?.id,
          destination: 'https://shop.example.com/item',
        }),
      })
    ).json()) as { code: string };
    const first = await fetch(`${server.url}/r/${link.code}`, { redirect: 'manual' });
    expect(first.status).toBe(302);
    expect(first.headers.get('location')).toMatch(
      /^https:\/\/shop\.example\.com\/item\?tk_clk=clk_/,
    );
    const cookie = (first.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const again = await fetch(`${server.url}/r/${link.code}`, {
      redirect: 'manual',
      headers: { Cookie: cookie },
    });
    expect((again.headers.get('set-cookie') ?? '').split(';')[0]).toBe(cookie);

    // The entry answers /r/ before Hono; an escaped code takes Hono's route instead, and both
    // must answer alike (date, framing and the fresh ids aside).
    const escaped = `%${link.code.charCodeAt(0).toString(16)}${link.code.slice(1)}`;
    for (const [fast, framework] of [
      [`/r/${link.code}`, `/r/${escaped}`],
      ['/r/nosuchcode', '/r/%6eosuchcode'],
    ]) {
      for (const method of ['GET', 'HEAD']) {
        const [a, b] = await Promise.all(
          [fast, framework].map((path) =>
            fetch(`${server.url}${path}`, {
              method,
              redirect: 'manual',
              headers: { Cookie: cookie },
            }),
          ),
        );
        const shape = async (res: Response) => ({
          status: res.status,
          headers: [...res.headers.entries()]
            .filter(
              ([name]) =>
                ![
                  'date',
                  'keep-alive',
                  'connection',
                  'content-length',
                  'transfer-encoding',
                ].includes(name),
            )
            .map(([name, value]) => [name, value.replace(/clk_[0-9a-z]+/, 'clk_…')]),
          body: await res.text(),
        });
        expect(await shape(a as Response), `${method} ${fast}`).toEqual(await shape(b as Response));
      }
    }

    const metrics = await fetch(`${server.url}/metrics`, {
      headers: { Authorization: `Bearer ${METRICS_TOKEN}` },
    });
    expect(metrics.status).toBe(200);
    const exposition = await metrics.text();
    expect(exposition).toContain('tuike_http_request_duration_seconds');
    expect(exposition).toMatch(/^tuike_clicks_accepted_total 4$/m);
    expect((await fetch(`${server.url}/metrics`)).status).toBe(404);

    // The body limit (1 MiB by default) through Node's parser: judged by Content-Length when
    // the body declares one, counted as it streams when it comes chunked.
    const big = JSON.stringify({ email: 'a@b.co', password: 'x'.repeat(2 * 1024 * 1024) });
    const chunked = (text: string) =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          const bytes = new TextEncoder().encode(text);
          for (let at = 0; at < bytes.length; at += 64 * 1024) {
            controller.enqueue(bytes.subarray(at, at + 64 * 1024));
          }
          controller.close();
        },
      });
    const post = (body: string | ReadableStream<Uint8Array>) =>
      fetch(`${server.url}/v1/auth/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body,
        ...(typeof body === 'string' ? {} : { duplex: 'half' }),
      } as RequestInit);
    for (const body of [big, chunked(big)]) {
      const refused = await post(body);
      expect(refused.status).toBe(413);
      expect(((await refused.json()) as { code: string }).code).toBe('payload_too_large');
    }
    const email = /e-mail:\s+(\S+)/.exec(server.output())?.[1];
    const password = /password:\s+(\S+)/.exec(server.output())?.[1];
    const streamedLogin = await post(chunked(JSON.stringify({ email, password })));
    expect(streamedLogin.status).toBe(200);

    expect(await stop(server)).toBe(0);
    expect(server.output()).not.toContain(String(login.body.accessToken));
  });

  it.runIf(process.env.DATABASE_URL)(
    'uses DATABASE_URL and REDIS_URL when set, and reports both in /readyz',
    async () => {
      const base = process.env.DATABASE_URL ?? '';
      const name = `tuike_e2e_${process.pid}`;
      const admin = postgres(base, { max: 1, onnotice: () => {} });
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.unsafe(`create database "${name}"`);
      cleanups.push(async () => {
        await admin.unsafe(`drop database if exists "${name}" with (force)`);
        await admin.end();
      });
      const url = new URL(base);
      url.pathname = `/${name}`;
      const dataDir = await mkdtemp(join(tmpdir(), 'tuike-e2e-pg-'));
      cleanups.push(() => rm(dataDir, { recursive: true, force: true }));

      const server = await startServer({
        DATABASE_URL: url.toString(),
        REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
        DATA_DIR: dataDir,
        ADMIN_EMAIL: 'boss@example.com',
        ADMIN_PASSWORD: 'a strong demo password',
      });
      cleanups.push(() => stop(server));

      const ready = await fetch(`${server.url}/readyz`);
      expect(await ready.json()).toEqual({
        status: 'ok',
        checks: { database: 'ok', redis: 'ok' },
      });
      const login = await fetch(`${server.url}/v1/auth/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: 'boss@example.com', password: 'a strong demo password' }),
      });
      expect(login.status).toBe(200);
      expect(await stop(server)).toBe(0);
    },
  );
});
