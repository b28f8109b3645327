import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { appendFileSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { newId } from '@tuike/core';
import { createPostgresDatabase, schema } from '@tuike/db';
import { eq, sql } from 'drizzle-orm';
import { isBotUserAgent } from '../api/src/redirect/bots';
import { benchClient, productionArgs } from './conversions-process';

// npm run bench:redirect — Tuike's redirect against a bare Node http server doing the same 302,
// loaded alternately by autocannon in a separate process. Needs PostgreSQL and Redis
// (DATABASE_URL, REDIS_URL; defaults to the local servers).
//
// Tuike runs as `npm run start:prod` runs it (same flags). Visitors send browser user agents, a
// quarter of them a returning visitor's cookie, so clicks take the people's path (per-IP counts
// in Redis, visitor rows). They come from one address: the bench does not set TRUST_PROXY, so
// X-Forwarded-For would be ignored. Stored clicks are checked against the 302s the client
// counted, and each target is printed as holding or failing.

const BASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const DESTINATION = 'https://shop.example.com/products/42?utm_source=tuike';
// A fresh code per run: a code cached in Redis by an earlier run must not answer for this one.
const CODE = `bench${Date.now().toString(36)}`;
const METRICS_TOKEN = 'bench-metrics-token-0123456789';
// What people click from: WeChat's in-app browser first, as most of Tuike's traffic. None is a
// bot, so every 302 the load generator counts must become a non-bot click.
const USER_AGENTS = [
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.49(0x18003129) NetType/WIFI Language/zh_CN',
  'Mozilla/5.0 (Linux; Android 14; V2309A Build/UP1A.231005.007; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/122.0.6261.120 Mobile Safari/537.36 XWEB/1220133 MMWEBSDK/20240404 MMWEBID/2307 MicroMessenger/8.0.49.2600(0x2800313D) WeChat/arm64 Weixin NetType/5G Language/zh_CN ABI/arm64',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
];
// Targets: throughput against the bare server, tail latency, memory.
const MIN_RATIO = 0.55;
const MAX_P99_MS = 15;
const MAX_RSS_MB = 150;

/** The server's own view: clicks accepted, written, dropped, and its memory. */
async function serverStats(base: string) {
  const res = await fetch(`${base}/metrics`, {
    headers: { Authorization: `Bearer ${METRICS_TOKEN}` },
  });
  const text = await res.text();
  const value = (name: string) =>
    Number(new RegExp(`^tuike_${name} (\\S+)`, 'm').exec(text)?.[1] ?? Number.NaN);
  const mb = (name: string) => value(name) / 2 ** 20;
  return {
    accepted: value('clicks_accepted_total'),
    written: value('clicks_written_total'),
    dropped: value('clicks_dropped_total'),
    heapUsedMb: mb('nodejs_heap_size_used_bytes'),
    heapTotalMb: mb('nodejs_heap_size_total_bytes'),
    externalMb: mb('nodejs_external_memory_bytes'),
    rssMb: mb('process_resident_memory_bytes'),
  };
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

/** Starts a node process and waits for its ready line; BENCH_SERVER_LOG keeps its output. */
function startProcess(args: string[], env: Record<string, string>, ready: RegExp) {
  const log = process.env.BENCH_SERVER_LOG;
  const child = spawn(process.execPath, args, {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise<{ child: ChildProcess; match: RegExpExecArray }>((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      if (log) appendFileSync(log, d);
      const match = ready.exec(out);
      if (match) resolve({ child, match });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (d: Buffer) => {
      if (log) appendFileSync(log, d);
      else out += d.toString();
    });
    child.once('exit', (code) => reject(new Error(`process exited (${code}):\n${out}`)));
    setTimeout(() => reject(new Error(`process did not start:\n${out}`)), 60_000).unref();
  });
}

/**
 * The load generator: wrk when it is installed (Debian package `wrk`), else autocannon. On a
 * machine of two cores the generator shares the CPU with the server and its database: wrk
 * spends a fraction of autocannon's CPU per request, so the servers, not the generator, are
 * measured. BENCH_LOADER=autocannon forces autocannon.
 */
const LOADER =
  process.env.BENCH_LOADER ??
  (spawnSync('wrk', ['--version']).error === undefined ? 'wrk' : 'autocannon');

function load(url: string): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child =
      LOADER === 'wrk'
        ? spawn('wrk', ['-t1', `-c${CONNECTIONS}`, `-d${SECONDS}s`, '-s', 'bench/load.lua', url], {
            stdio: ['ignore', 'pipe', 'inherit'],
            env: { ...process.env, BENCH_AGENTS: USER_AGENTS.join('\n') },
          })
        : spawn(
            process.execPath,
            [
              '--import',
              'tsx',
              'bench/load.ts',
              url,
              String(CONNECTIONS),
              String(SECONDS),
              JSON.stringify(USER_AGENTS),
            ],
            { stdio: ['ignore', 'pipe', 'inherit'] },
          );
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.once('exit', (code) => {
      const json = out.split('\n').findLast((line) => line.startsWith('{'));
      if (code === 0 && json) resolve(JSON.parse(json) as LoadResult);
      else reject(new Error(`load failed (${code}):\n${out}`));
    });
  });
}

const TICK_US = 1_000_000 / Number(execFileSync('getconf', ['CLK_TCK']).toString().trim() || 100);

/** CPU time (user + system) a process (or with `thread`, one of its threads) has used, in µs. */
function cpuUs(pid: number | undefined, thread?: number): number {
  const path = thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`;
  const fields = readFileSync(path, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * TICK_US;
}

/** CPU time of every PostgreSQL server process on this machine, in microseconds. */
function postgresCpuUs(): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.includes('(postgres)')) total += cpuUs(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return total;
}

/** The machine's busy and total CPU time so far, in clock ticks (from /proc/stat). */
function machineTicks(): { busy: number; total: number } {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]?.trim().split(/\s+/).slice(1) ?? [];
  const ticks = cpu.map(Number);
  const total = ticks.reduce((a, b) => a + b, 0);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  return { busy: total - idle, total };
}

function rssMb(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

async function prepareDatabase(name: string) {
  const admin = benchClient(BASE_URL, { max: 1 });
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

/** Clicks stored for the link, people and bots apart. */
async function countClicks(url: string, linkId: string) {
  const database = createPostgresDatabase({ url, max: 1 });
  const rows = await database.db
    .select({ bot: schema.clicks.isBot, n: sql<number>`count(*)::int` })
    .from(schema.clicks)
    .where(eq(schema.clicks.linkId, linkId))
    .groupBy(schema.clicks.isBot);
  await database.close();
  const n = (bot: boolean) => Number(rows.find((r) => r.bot === bot)?.n ?? 0);
  return { people: n(false), bots: n(true) };
}

/** Waits until the server has written every click it accepted (or a minute has passed). */
async function drain(base: string) {
  const start = Date.now();
  let stats = await serverStats(base);
  while (stats.written + stats.dropped < stats.accepted && Date.now() - start < 60_000) {
    await new Promise((r) => setTimeout(r, 250));
    stats = await serverStats(base);
  }
  return { stats, seconds: (Date.now() - start) / 1000 };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

async function main() {
  const bots = USER_AGENTS.filter((agent) => isBotUserAgent(agent));
  if (bots.length > 0) throw new Error(`bench user agents taken for bots: ${bots.join(', ')}`);

  const dbName = `tuike_bench_${process.pid}`;
  await prepareDatabase(dbName);
  const url = databaseUrl(dbName);

  execFileSync(process.execPath, ['--import', 'tsx', 'scripts/build.ts'], { stdio: 'inherit' });
  const tuike = await startProcess(
    productionArgs(),
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
  const base = tuike.match[1] ?? '';
  const tuikeUrl = `${base}/r/${CODE}`;
  const bareUrl = `http://127.0.0.1:${bare.match[1]}/r/${CODE}`;
  const linkId = await seedLink(url);

  try {
    // Warm both (JIT, caches, connection pools) before measuring; this redirect is a click too.
    const warmTuike = await fetch(tuikeUrl, {
      redirect: 'manual',
      headers: { 'User-Agent': USER_AGENTS[0] ?? '' },
    });
    if (warmTuike.status !== 302) throw new Error(`tuike answered ${warmTuike.status}`);
    const idleRss = rssMb(tuike.child.pid);

    const bareRuns: LoadResult[] = [];
    const tuikeRuns: LoadResult[] = [];
    let rss = 0;
    let serverCpu = 0;
    let mainThreadCpu = 0;
    const machineBusy: number[] = [];
    let bareCpu = 0;
    let databaseCpu = 0;
    let memory = await serverStats(base);
    for (let round = 0; round < ROUNDS; round++) {
      const bareBefore = cpuUs(bare.child.pid);
      bareRuns.push(await load(bareUrl));
      bareCpu += cpuUs(bare.child.pid) - bareBefore;
      const sampler = setInterval(() => {
        rss = Math.max(rss, rssMb(tuike.child.pid));
      }, 250);
      const cpuBefore = cpuUs(tuike.child.pid);
      const mainBefore = cpuUs(tuike.child.pid, tuike.child.pid);
      const pgBefore = postgresCpuUs();
      const machineBefore = machineTicks();
      tuikeRuns.push(await load(tuikeUrl));
      serverCpu += cpuUs(tuike.child.pid) - cpuBefore;
      mainThreadCpu += cpuUs(tuike.child.pid, tuike.child.pid) - mainBefore;
      databaseCpu += postgresCpuUs() - pgBefore;
      const machineAfter = machineTicks();
      machineBusy.push(
        (machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total),
      );
      clearInterval(sampler);
      rss = Math.max(rss, rssMb(tuike.child.pid));
      memory = await serverStats(base);
    }

    // What the clicks must match: the 302s the client saw. Requests still in flight when a run
    // stops may be answered (and recorded) without the client counting them: at most one per
    // connection per run.
    const redirects = 1 + tuikeRuns.reduce((s, r) => s + r.redirects, 0);
    const inFlightSlack = CONNECTIONS * ROUNDS;
    const { stats, seconds: drainSeconds } = await drain(base);
    const clicks = await countClicks(url, linkId);

    const bareRps = mean(bareRuns.map((r) => r.rps));
    const tuikeRps = mean(tuikeRuns.map((r) => r.rps));
    const p99 = Math.max(...tuikeRuns.map((r) => r.p99));
    const ratio = tuikeRps / bareRps;
    const clicksHold =
      clicks.people >= redirects &&
      clicks.people - redirects <= inFlightSlack &&
      clicks.bots === 0 &&
      stats.dropped === 0;
    const row = (name: string, runs: LoadResult[]) =>
      `${name.padEnd(10)} ${mean(runs.map((r) => r.rps))
        .toFixed(0)
        .padStart(8)} req/s  p50 ${mean(runs.map((r) => r.p50)).toFixed(
        1,
      )} ms  p99 ${Math.max(...runs.map((r) => r.p99)).toFixed(1)} ms  errors ${runs.reduce(
        (s, r) => s + r.errors + r.non302,
        0,
      )}`;
    const verdict = (holds: boolean, text: string) =>
      console.log(`  ${holds ? 'ok  ' : 'FAIL'} ${text}`);

    console.log(
      `\n${LOADER}, ${CONNECTIONS} connections, ${SECONDS} s x ${ROUNDS} rounds each, alternating`,
    );
    console.log(row('bare node', bareRuns));
    console.log(row('tuike', tuikeRuns));
    console.log(
      `tuike RSS idle ${idleRss.toFixed(0)} MB, peak ${rss.toFixed(0)} MB; after the last run: ` +
        `heap ${memory.heapUsedMb.toFixed(0)}/${memory.heapTotalMb.toFixed(0)} MB, ` +
        `external ${memory.externalMb.toFixed(0)} MB, RSS ${memory.rssMb.toFixed(0)} MB, ` +
        `${memory.accepted - memory.written - memory.dropped} clicks waiting`,
    );
    const served = tuikeRuns.reduce((sum, r) => sum + r.total, 0);
    console.log(
      `CPU per redirect: bare node ${(bareCpu / bareRuns.reduce((sum, r) => sum + r.total, 0)).toFixed(1)} µs, ` +
        `tuike ${(serverCpu / served).toFixed(1)} µs ` +
        `(${(mainThreadCpu / served).toFixed(1)} on its event loop's thread), ` +
        `postgres ${(databaseCpu / served).toFixed(1)} µs; machine ${(mean(machineBusy) * 100).toFixed(0)} % busy (while loaded)`,
    );
    console.log(
      `clicks: ${redirects} redirects counted by the client; server accepted ${stats.accepted}, ` +
        `wrote ${stats.written}, dropped ${stats.dropped}; stored ${clicks.people} people and ` +
        `${clicks.bots} bots; drained in ${drainSeconds.toFixed(1)} s`,
    );
    console.log('targets:');
    verdict(ratio >= MIN_RATIO, `throughput ${ratio.toFixed(2)}× bare node (≥ ${MIN_RATIO})`);
    verdict(p99 <= MAX_P99_MS, `p99 ${p99.toFixed(1)} ms (≤ ${MAX_P99_MS} ms)`);
    verdict(rss < MAX_RSS_MB, `RSS peak ${rss.toFixed(0)} MB (< ${MAX_RSS_MB} MB)`);
    verdict(
      clicksHold,
      `clicks ${clicks.people} stored for ${redirects} redirects, none as bots ` +
        `(at most ${inFlightSlack} more for requests in flight at a run's end)`,
    );
    console.log(
      `redirect: ${ratio.toFixed(2)}× bare node, p99 ${p99.toFixed(1)} ms, clicks ${clicks.people}/${redirects}`,
    );
  } finally {
    tuike.child.kill('SIGTERM');
    bare.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1500));
    const admin = benchClient(BASE_URL, { max: 1 });
    await admin.unsafe(`drop database if exists "${dbName}" with (force)`);
    await admin.end();
    rmSync(`/tmp/${dbName}`, { recursive: true, force: true });
  }
}

await main();
