import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { newId } from '@tuike/core';
import { createPostgresDatabase, schema } from '@tuike/db';
import { eq, sql } from 'drizzle-orm';
import postgres from 'postgres';

// npm run bench:redirect — Tuike's redirect against a bare Node http server doing the same 302,
// loaded alternately by autocannon in a separate process. Needs PostgreSQL and Redis
// (DATABASE_URL, REDIS_URL; defaults to the local servers).

const BASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const DESTINATION = 'https://shop.example.com/products/42?utm_source=tuike';
// A fresh code per run: a code cached in Redis by an earlier run must not answer for this one.
const CODE = `bench${Date.now().toString(36)}`;
const METRICS_TOKEN = 'bench-metrics-token-0123456789';

/** Redirects the server itself handed to its click writer (its own count, not the client's). */
async function acceptedClicks(base: string): Promise<number> {
  const res = await fetch(`${base}/metrics`, {
    headers: { Authorization: `Bearer ${METRICS_TOKEN}` },
  });
  const match = /^tuike_clicks_accepted_total (\d+)/m.exec(await res.text());
  return Number(match?.[1] ?? 0);
}

interface LoadResult {
  rps: number;
  total: number;
  p50: number;
  p99: number;
  redirects: number;
  errors: number;
  non302: number;
}

function databaseUrl(name: string): string {
  const u = new URL(BASE_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

function startProcess(args: string[], env: Record<string, string>, ready: RegExp) {
  const child = spawn(process.execPath, args, {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise<{ child: ChildProcess; match: RegExpExecArray }>((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      const match = ready.exec(out);
      if (match) resolve({ child, match });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.once('exit', (code) => reject(new Error(`process exited (${code}):\n${out}`)));
    setTimeout(() => reject(new Error(`process did not start:\n${out}`)), 60_000).unref();
  });
}

function load(url: string): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'bench/load.ts', url, String(CONNECTIONS), String(SECONDS)],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.once('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out) as LoadResult)
        : reject(new Error(`load failed: ${code}`)),
    );
  });
}

function rssMb(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

async function prepareDatabase(name: string) {
  const admin = postgres(BASE_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists "${name}" with (force)`);
  await admin.unsafe(`create database "${name}"`);
  await admin.end();
}

async function seedLink(url: string): Promise<string> {
  const database = createPostgresDatabase({ url, max: 1 });
  const [tenant] = await database.db.select().from(schema.tenants).limit(1);
  const [promoter] = await database.db.select().from(schema.promoters).limit(1);
  if (!tenant || !promoter) throw new Error('the demo seed made no tenant or promoter');
  const linkId = newId('link');
  await database.db.insert(schema.links).values({
    tenantId: tenant.id,
    id: linkId,
    code: CODE,
    promoterId: promoter.id,
    destination: DESTINATION,
  });
  await database.close();
  return linkId;
}

async function countClicks(url: string, linkId: string): Promise<number> {
  const database = createPostgresDatabase({ url, max: 1 });
  const [row] = await database.db
    .select({ n: sql<number>`count(*)::int` })
    .from(schema.clicks)
    .where(eq(schema.clicks.linkId, linkId));
  await database.close();
  return Number(row?.n ?? 0);
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

async function main() {
  const dbName = `tuike_bench_${process.pid}`;
  await prepareDatabase(dbName);
  const url = databaseUrl(dbName);

  execFileSync(process.execPath, ['--import', 'tsx', 'scripts/build.ts'], { stdio: 'inherit' });
  const tuike = await startProcess(
    ['api/dist/node.mjs'],
    {
      METRICS_TOKEN,
      DATABASE_URL: url,
      REDIS_URL,
      PORT: '0',
      LOG_LEVEL: 'warn',
      DATA_DIR: `/tmp/${dbName}`,
      ADMIN_EMAIL: 'bench@example.com',
      ADMIN_PASSWORD: 'bench password 123',
    },
    /Tuike is running at (http:\/\/\S+)/,
  );
  const bare = await startProcess(
    ['--import', 'tsx', 'bench/bare-redirect-server.ts'],
    { CODE, DESTINATION },
    /listening (\d+)/,
  );
  const tuikeUrl = `${tuike.match[1]}/r/${CODE}`;
  const bareUrl = `http://127.0.0.1:${bare.match[1]}/r/${CODE}`;
  const linkId = await seedLink(url);

  try {
    // Warm both (JIT, caches, connection pools) before measuring.
    const warmTuike = await fetch(tuikeUrl, { redirect: 'manual' });
    if (warmTuike.status !== 302) throw new Error(`tuike answered ${warmTuike.status}`);

    const bareRuns: LoadResult[] = [];
    const tuikeRuns: LoadResult[] = [];
    let rss = 0;
    for (let round = 0; round < ROUNDS; round++) {
      bareRuns.push(await load(bareUrl));
      const sampler = setInterval(() => {
        rss = Math.max(rss, rssMb(tuike.child.pid));
      }, 250);
      tuikeRuns.push(await load(tuikeUrl));
      clearInterval(sampler);
      rss = Math.max(rss, rssMb(tuike.child.pid));
    }

    const served = await acceptedClicks(tuike.match[1] ?? '');
    const drainStart = Date.now();
    let clicks = await countClicks(url, linkId);
    while (clicks < served && Date.now() - drainStart < 60_000) {
      await new Promise((r) => setTimeout(r, 250));
      clicks = await countClicks(url, linkId);
    }
    const drainSeconds = (Date.now() - drainStart) / 1000;

    const bareRps = mean(bareRuns.map((r) => r.rps));
    const tuikeRps = mean(tuikeRuns.map((r) => r.rps));
    const p99 = Math.max(...tuikeRuns.map((r) => r.p99));
    const ratio = tuikeRps / bareRps;
    const row = (name: string, runs: LoadResult[]) =>
      `${name.padEnd(10)} ${mean(runs.map((r) => r.rps))
        .toFixed(0)
        .padStart(8)} req/s  p50 ${mean(runs.map((r) => r.p50)).toFixed(
        1,
      )} ms  p99 ${Math.max(...runs.map((r) => r.p99)).toFixed(1)} ms  errors ${runs.reduce(
        (s, r) => s + r.errors + r.non302,
        0,
      )}`;
    console.log(`\n${CONNECTIONS} connections, ${SECONDS} s x ${ROUNDS} rounds each, alternating`);
    console.log(row('bare node', bareRuns));
    console.log(row('tuike', tuikeRuns));
    console.log(
      `tuike RSS peak ${rss.toFixed(0)} MB; clicks drained in ${drainSeconds.toFixed(1)} s`,
    );
    console.log(
      `redirect: ${ratio.toFixed(2)}× bare node, p99 ${p99.toFixed(1)} ms, clicks ${clicks}/${served}`,
    );
  } finally {
    tuike.child.kill('SIGTERM');
    bare.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1500));
    const admin = postgres(BASE_URL, { max: 1, onnotice: () => {} });
    await admin.unsafe(`drop database if exists "${dbName}" with (force)`);
    await admin.end();
  }
}

await main();
