import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { schema } from '@tuike/db';
import { eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSigningKey } from '../../api/src/lib/tokens';
import { createHarness, type Harness } from '../helpers/harness';

// Runs the Cloudflare Workers entry (api/src/worker.ts) in workerd through `wrangler dev`,
// offline, with Hyperdrive pointed at this file's Postgres database: links made through the
// API redirect at the edge, and the click is written after the response (ctx.waitUntil).

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WRANGLER = join(ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js');
const START_TIMEOUT_MS = 90_000;

interface Worker {
  child: ChildProcess;
  url: string;
  output: () => string;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Miniflare refuses a Hyperdrive URL without a password; a trust-auth server ignores it. */
function hyperdriveUrl(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  if (!url.password) url.password = 'unused';
  return url.toString();
}

/** Stops wrangler and its workerd children: they share the process group it leads. */
async function stopWorker(child: ChildProcess): Promise<void> {
  const pid = child.pid;
  if (pid === undefined) return;
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-pid, name);
    } catch {
      // The group is already gone.
    }
  };
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  signal('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
  signal('SIGKILL');
}

async function startWorker(h: Harness, dir: string): Promise<Worker> {
  const envFile = join(dir, 'worker.env');
  const key = JSON.stringify((await generateSigningKey()).privateJwk);
  await writeFile(envFile, `JWT_PRIVATE_KEY='${key}'\n`, { mode: 0o600 });
  const [port, inspectorPort] = [await freePort(), await freePort()];
  const args = [
    ...['dev', '--ip', '127.0.0.1', '--port', String(port)],
    ...['--inspector-port', String(inspectorPort), '--env-file', envFile],
    ...['--persist-to', join(dir, 'state'), '--show-interactive-dev-session=false'],
  ];
  const child = spawn(process.execPath, [WRANGLER, ...args], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? dir,
      CLOUDFLARE_CF_FETCH_ENABLED: 'false',
      WRANGLER_SEND_METRICS: 'false',
      WRANGLER_LOG_PATH: join(dir, 'logs'),
      CLOUDFLARE_HYPERDRIVE_LOCAL_CONNECTION_STRING_HYPERDRIVE: hyperdriveUrl(h.databaseUrl ?? ''),
    },
  });
  let out = '';
  const collect = (d: Buffer) => {
    out = (out + d.toString()).slice(-20_000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  return { child, url: `http://127.0.0.1:${port}`, output: () => out };
}

async function waitUntilAnswering(worker: Worker): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline && worker.child.exitCode === null) {
    const res = await fetch(`${worker.url}/healthz`).catch(() => null);
    if (res?.status === 200) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`wrangler dev did not answer:\n${worker.output()}`);
}

async function waitForClick(h: Harness, id: string) {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const [click] = await h.database.db
      .select()
      .from(schema.clicks)
      .where(eq(schema.clicks.id, id));
    if (click) return click;
    await new Promise((r) => setTimeout(r, 100));
  }
  return undefined;
}

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
});

describe.runIf(process.env.DATABASE_URL)('workers entry', () => {
  it(
    'redirects at the edge over Hyperdrive and writes the click after the response',
    async () => {
      const h = await createHarness();
      cleanups.push(() => h.close());
      const t = await h.signup();
      const settings = await t.owner.PATCH('/v1/tenant', {
        body: { settings: { allowedDomains: ['shop.example.com'] } },
      });
      expect(settings.response.status).toBe(200);
      const promoter = await t.owner.POST('/v1/promoters', { body: { name: 'Edge promoter' } });
      const promoterId = promoter.data?.id ?? '';
      const link = await t.owner.POST('/v1/links', {
        body: { promoterId, destination: 'https://shop.example.com/p/1' },
      });
      const code = link.data?.code ?? '';
      expect(code).not.toBe('');

      const dir = await mkdtemp(join(tmpdir(), 'tuike-worker-'));
      cleanups.push(() => rm(dir, { recursive: true, force: true }));
      const worker = await startWorker(h, dir);
      cleanups.push(() => stopWorker(worker.child));
      await waitUntilAnswering(worker);

      const res = await fetch(`${worker.url}/r/${code}`, {
        redirect: 'manual',
        headers: { 'User-Agent': 'Mozilla/5.0 (worker e2e)' },
      });
      expect(res.status).toBe(302);
      const location = new URL(res.headers.get('location') ?? '');
      expect(location.origin + location.pathname).toBe('https://shop.example.com/p/1');
      const clickId = location.searchParams.get('tk_clk') ?? '';
      expect(clickId).toMatch(/^clk_/);
      expect(res.headers.get('set-cookie')).toMatch(/^tk_v=/);

      expect((await fetch(`${worker.url}/r/nosuchcode`, { redirect: 'manual' })).status).toBe(404);
      expect((await fetch(`${worker.url}/healthz`)).status).toBe(200);
      const ready = await fetch(`${worker.url}/readyz`);
      expect(await ready.json()).toEqual({ status: 'ok', checks: { database: 'ok' } });

      const click = await waitForClick(h, clickId);
      expect(click, worker.output()).toMatchObject({
        tenantId: t.tenantId,
        linkId: link.data?.id,
        promoterId,
        source: 'redirect',
        userAgent: 'Mozilla/5.0 (worker e2e)',
        isBot: false,
      });
    },
    START_TIMEOUT_MS + 60_000,
  );
});
