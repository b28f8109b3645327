import { mkdirSync, rmSync } from 'node:fs';
import {
  benchClient,
  type CpuShare,
  loadArgs,
  measureCpu,
  runNode,
  startBenchServer,
  stopProcess,
} from './conversions-process';
import { seedForLoad } from './conversions-seed';

// npm run bench:conversions:compare -- NAME=BUNDLE[;ENV=VALUE…] NAME=BUNDLE[;ENV=VALUE…] …
//
// Compares server builds or settings under the same postback load, on one seeded database, in
// interleaved rounds (A, B, then B, A, …): on a shared machine whose speed drifts from one minute to
// the next, two separate bench:conversions runs differ by more than most changes do. Each round
// restarts the variant's server and reports conversions/s, p99 and the CPU each conversion cost
// the server and Postgres. An ENV named PG_<setting> is set on the database for that variant.
//
//   git stash && npm run build && cp api/dist/node.mjs api/dist/base.mjs && git stash pop
//   npm run build && npm run bench:conversions:compare -- base=api/dist/base.mjs new=api/dist/node.mjs
//
// COMPARE_ROUNDS (3), BENCH_SECONDS (10 per measured run, after 3 s of warm-up),
// BENCH_CONNECTIONS (16), DATABASE_URL, REDIS_URL.

const BASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const ROUNDS = Number(process.env.COMPARE_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const WARMUP_SECONDS = 3;

interface Variant {
  name: string;
  bundle: string;
  env: Record<string, string>;
  databaseSettings: [string, string][];
}

interface Sample {
  rate: number;
  p99: number;
  serverUs: number;
  postgresUs: number;
}

const out = (line: string) => process.stdout.write(`${line}\n`);

function parseVariant(arg: string): Variant {
  const [head = '', ...settings] = arg.split(';');
  const [name, bundle] = head.split('=');
  if (!name || !bundle) throw new Error(`expected NAME=BUNDLE[;ENV=VALUE…], got ${arg}`);
  const env: Record<string, string> = {};
  const databaseSettings: [string, string][] = [];
  for (const setting of settings) {
    const at = setting.indexOf('=');
    if (at < 1) throw new Error(`expected ENV=VALUE, got ${setting}`);
    const key = setting.slice(0, at);
    const value = setting.slice(at + 1);
    if (key.startsWith('PG_')) {
      if (!/^[a-z_]+$/.test(key.slice(3))) throw new Error(`not a Postgres setting: ${key}`);
      databaseSettings.push([key.slice(3), value]);
    } else env[key] = value;
  }
  return { name, bundle, env, databaseSettings };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

async function main() {
  const variants = process.argv.slice(2).map(parseVariant);
  if (variants.length < 2) throw new Error('give two variants or more: NAME=BUNDLE …');
  const dbName = `tuike_bench_compare_${process.pid}`;
  const dataDir = `/tmp/${dbName}`;
  const admin = benchClient(BASE_URL, { max: 1 });
  await admin.unsafe(`create database "${dbName}"`);
  const url = new URL(BASE_URL);
  url.pathname = `/${dbName}`;
  const sql = benchClient(url.toString(), { max: 1 });
  mkdirSync(dataDir, { recursive: true });

  const start = (variant: Variant) =>
    startBenchServer(
      [variant.bundle],
      { databaseUrl: url.toString(), redisUrl: REDIS_URL, dataDir },
      variant.env,
    );
  const first = variants[0] as Variant;
  let server = await start(first);
  try {
    const fixtures = `${dataDir}/clicks.json`;
    const seeded = await seedForLoad(server.match[1] ?? '', sql, {
      promoters: 200,
      clicks: 20_000,
      fixtures,
    });

    let next = 0;
    const load = async (base: string, seconds: number, runId: string) => {
      let loadPid: number | undefined;
      const stopCpu = measureCpu(server.child.pid, () => loadPid);
      const text = await runNode(
        loadArgs({ base, connections: CONNECTIONS, seconds, fixtures, runId, next }),
        { BENCH_API_KEY: seeded.apiKey },
        (child) => {
          loadPid = child.pid;
        },
      );
      const cpu: CpuShare = stopCpu();
      const result = JSON.parse(text) as {
        next: number;
        conversionsPerSecond: number;
        p99: number;
        statuses: Record<string, number>;
      };
      next = result.next;
      return { result, cpu };
    };

    // Every variant meets tables that hold conversions already: plans made while they are empty
    // would scan them whole for the first variant only.
    await load(server.match[1] ?? '', 2 * WARMUP_SECONDS, 'prime');

    const samples = new Map<string, Sample[]>(variants.map((v) => [v.name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      // Every round adds conversions and each promoter's history costs a little more to read, so
      // the variant that runs first in a round has the advantage: the order alternates (A B, B A).
      for (const variant of round % 2 === 0 ? variants : [...variants].reverse()) {
        await stopProcess(server.child);
        await admin.unsafe(`alter database "${dbName}" reset all`);
        for (const [name, value] of variant.databaseSettings) {
          await admin.unsafe(`alter database "${dbName}" set ${name} = '${value}'`);
        }
        // Fresh statistics before each server plans its statements: the tables keep growing.
        // A checkpoint too, so no variant pays for the WAL the one before it wrote.
        await sql`analyze`;
        await sql`checkpoint`;
        server = await start(variant);
        const base = server.match[1] ?? '';
        await load(base, WARMUP_SECONDS, `w${round}-${variant.name}`);
        await sql`analyze`;
        const { result, cpu } = await load(base, SECONDS, `m${round}-${variant.name}`);
        const rate = result.conversionsPerSecond;
        const sample: Sample = {
          rate,
          p99: result.p99,
          serverUs: (cpu.server * 10_000) / rate,
          postgresUs: (cpu.postgres * 10_000) / rate,
        };
        samples.get(variant.name)?.push(sample);
        const others = Object.keys(result.statuses).filter((code) => code !== '201');
        out(
          `round ${round + 1} ${variant.name.padEnd(8)} ${rate.toFixed(0).padStart(5)}/s  p99 ${result.p99} ms` +
            `  CPU per conversion: server ${sample.serverUs.toFixed(0)} µs, postgres ${sample.postgresUs.toFixed(0)} µs` +
            `  (machine ${cpu.machine.toFixed(0)} % busy)` +
            (others.length > 0 ? `  other answers: ${JSON.stringify(result.statuses)}` : ''),
        );
      }
    }

    out('');
    const reference = samples.get(first.name) ?? [];
    for (const variant of variants) {
      const s = samples.get(variant.name) ?? [];
      const ratio = mean(s.map((x) => x.rate)) / mean(reference.map((x) => x.rate));
      out(
        `${variant.name.padEnd(8)} mean ${mean(s.map((x) => x.rate)).toFixed(0)} conversions/s` +
          ` (${ratio.toFixed(2)}× ${first.name}), p99 ${mean(s.map((x) => x.p99)).toFixed(0)} ms,` +
          ` server ${mean(s.map((x) => x.serverUs)).toFixed(0)} µs, postgres ${mean(s.map((x) => x.postgresUs)).toFixed(0)} µs per conversion`,
      );
    }
  } finally {
    await stopProcess(server.child).catch(() => {});
    await sql.end();
    await admin.unsafe(`drop database if exists "${dbName}" with (force)`);
    await admin.end();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
