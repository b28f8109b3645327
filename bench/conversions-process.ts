import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { postgresTarget } from '@tuike/db';
import postgres from 'postgres';

// Processes for bench:conversions: start one and wait for its ready line, and read what the
// kernel counts for it (resident memory, CPU time), so the report says who used the cores.

export function startProcess(
  args: string[],
  env: Record<string, string>,
  ready: RegExp,
): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  const child = spawn(process.execPath, args, {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      const match = ready.exec(out);
      if (match) resolve({ child, match });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (d: Buffer) => {
      out += d.toString();
      // After start, the server's warnings and errors still reach the console.
      if (out.length > 100_000) out = out.slice(-50_000);
    });
    child.once('exit', (code) => reject(new Error(`process exited (${code}):\n${out}`)));
    setTimeout(() => reject(new Error(`process did not start:\n${out}`)), 60_000).unref();
  });
}

/** Runs a node script to its end and answers its stdout; stderr passes through. */
export function runNode(
  args: string[],
  env: Record<string, string> = {},
  onStart?: (child: ChildProcess) => void,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    onStart?.(child);
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.once('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${args.join(' ')} failed: ${code}`)),
    );
  });
}

export function rssMb(pid: number | undefined): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

/** User + system CPU seconds of one process (clock ticks of 1/100 s on Linux). */
function cpuSeconds(pid: number | string): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** CPU seconds of every postgres backend and helper now running. */
function postgresCpuSeconds(): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres') {
        total += cpuSeconds(entry);
      }
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return total;
}

/** Busy and total jiffies of the whole machine, from the first line of /proc/stat. */
function machineTicks(): { busy: number; total: number } {
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '')
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  return { busy: total - idle, total };
}

export interface CpuShare {
  /** Percent of one core over the interval. */
  server: number;
  postgres: number;
  load: number;
  /** Percent of all cores busy, anything included. */
  machine: number;
}

/** Starts counting; the returned function answers the shares since then. */
export function measureCpu(serverPid: number | undefined, loadPid: () => number | undefined) {
  const started = Date.now();
  const server0 = cpuSeconds(serverPid ?? 0);
  const pg0 = postgresCpuSeconds();
  const machine0 = machineTicks();
  let loadLast = 0;
  // The load process is sampled while it lives; its last reading stands for its total.
  const sampler = setInterval(() => {
    const pid = loadPid();
    if (pid === undefined) return;
    const now = cpuSeconds(pid);
    if (now > 0) loadLast = now;
  }, 200);
  return (): CpuShare => {
    clearInterval(sampler);
    const seconds = (Date.now() - started) / 1000;
    const machine1 = machineTicks();
    const pct = (cpu: number) => (100 * cpu) / seconds;
    return {
      server: pct(cpuSeconds(serverPid ?? 0) - server0),
      postgres: pct(postgresCpuSeconds() - pg0),
      load: pct(loadLast),
      machine: (100 * (machine1.busy - machine0.busy)) / (machine1.total - machine0.total),
    };
  };
}

/**
 * Starts the production bundle as the conversion benches run it: production mode, no demo
 * seed, open sign-up (the seed signs up through the API), behind a trusted proxy (the load
 * sends each customer's address in X-Forwarded-For).
 */
export function startBenchServer(
  args: string[],
  where: { databaseUrl: string; redisUrl: string; dataDir: string },
  env: Record<string, string> = {},
) {
  return startProcess(
    args,
    {
      NODE_ENV: 'production',
      DATABASE_URL: where.databaseUrl,
      REDIS_URL: where.redisUrl,
      PORT: '0',
      LOG_LEVEL: 'warn',
      DATA_DIR: where.dataDir,
      OPEN_SIGNUP: 'true',
      SEED_DEMO: 'false',
      TRUST_PROXY: 'true',
      ...env,
    },
    /Tuike is running at (http:\/\/\S+)/,
  );
}

/**
 * Stops a started process with SIGTERM and waits for it to exit (at most `timeoutMs`); one
 * that has exited already (a server that failed to start) returns at once.
 */
export async function stopProcess(child: ChildProcess, timeoutMs = 12_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => {
    child.once('exit', r);
    setTimeout(r, timeoutMs).unref();
  });
  child.kill('SIGTERM');
  await exited;
}

/** The arguments of one postback load run (bench/conversions-load.ts). */
export function loadArgs(run: {
  base: string;
  connections: number;
  seconds: number;
  fixtures: string;
  runId: string;
  next: number;
}): string[] {
  return [
    '--import',
    'tsx',
    'bench/conversions-load.ts',
    run.base,
    String(run.connections),
    String(run.seconds),
    run.fixtures,
    run.runId,
    String(run.next),
  ];
}

/**
 * A postgres.js client for a bench script; the URL may name a unix socket directory the way
 * libpq does (`?host=/var/run/postgresql`), as DATABASE_URL may for the server.
 */
export function benchClient(url: string, options: { max?: number } = {}): postgres.Sql {
  const target = postgresTarget(url);
  return postgres(target.url, {
    onnotice: () => {},
    ...options,
    ...(target.host ? { host: target.host } : {}),
  });
}

/**
 * Node's arguments for the built server, read from the `start:prod` script so the bench runs it
 * with the same flags production does.
 */
export function productionArgs(): string[] {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
    scripts: Record<string, string>;
  };
  const [node, ...args] = (pkg.scripts['start:prod'] ?? '').split(/\s+/).filter(Boolean);
  if (node !== 'node' || args.at(-1) !== 'api/dist/node.mjs')
    throw new Error('start:prod is expected to be `node [flags] api/dist/node.mjs`');
  // BENCH_NODE_FLAGS replaces the script's flags, to try others without editing it.
  const flags = process.env.BENCH_NODE_FLAGS;
  return flags === undefined ? args : [...flags.split(/\s+/).filter(Boolean), 'api/dist/node.mjs'];
}
