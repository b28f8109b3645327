import { loadCustomerFacts, loadPromoterFacts, schema } from '@tuike/db';
import { desc, isNotNull } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';

// Planning and execution time of the two fact queries a postback runs (conversion-facts.ts),
// replayed with the inputs of conversions a bench run recorded. For a database kept with
// BENCH_KEEP_DATABASE=1:
//
//   node --import tsx bench/conversions-explain.ts postgres://…/tuike_bench_conv_NNN [SAMPLES]

const [url, samples] = process.argv.slice(2);
if (!url) throw new Error('usage: conversions-explain.ts DATABASE_URL [SAMPLES]');

const DAY_MS = 86_400_000;
let captured: { query: string; params: unknown[] } | null = null;
const client = postgres(url, {
  max: 1,
  onnotice: () => {},
  types: { bigint: postgres.BigInt },
  debug: (_connection, query, params) => {
    // The first statement of a call is the facts query (loadPromoterFacts then reads tiers).
    captured ??= { query, params: params as unknown[] };
  },
});
const db = drizzle(client, { schema }) as unknown as Parameters<typeof loadCustomerFacts>[0];

interface Timing {
  planning: number;
  execution: number;
  wall: number;
}
const timings = new Map<string, Timing[]>();

/** Runs `run` once for its SQL, then EXPLAIN ANALYZE of that SQL with the same parameters. */
async function explain(name: string, run: () => Promise<unknown>, show: boolean) {
  captured = null;
  const started = performance.now();
  await run();
  const wall = performance.now() - started;
  const query = captured as { query: string; params: unknown[] } | null;
  if (!query) return;
  captured = { query: '', params: [] };
  const plan = await client.unsafe(
    `explain (analyze, buffers, summary) ${query.query}`,
    query.params as never[],
  );
  const lines = plan.map((r) => String(r['QUERY PLAN']));
  const ms = (label: string) =>
    Number(new RegExp(`${label}: ([\\d.]+) ms`).exec(lines.join('\n'))?.[1] ?? 0);
  const list = timings.get(name) ?? [];
  list.push({ planning: ms('Planning Time'), execution: ms('Execution Time'), wall });
  timings.set(name, list);
  if (show) process.stdout.write(`\n--- ${name}\n${lines.join('\n')}\n`);
}

const rows = await db
  .select()
  .from(schema.conversions)
  .where(isNotNull(schema.conversions.promoterId))
  .orderBy(desc(schema.conversions.occurredAt))
  .limit(Number(samples ?? 50));
const [tenant] = await db.select().from(schema.tenants).limit(1);
if (!tenant || rows.length === 0) throw new Error('no tenant or no attributed conversion');

for (const [i, c] of rows.entries()) {
  const at = c.occurredAt;
  await explain(
    'loadCustomerFacts',
    () =>
      loadCustomerFacts(db, {
        orderId: null,
        tenantId: c.tenantId,
        at,
        windowDays: tenant.attributionWindowDays,
        amount: c.amount,
        customerRef: c.customerRef,
        deviceId: c.deviceId,
        ipHash: c.ipHash,
        clickId: c.clickId,
        clickTime: c.clickedAt,
        couponCode: c.couponCode,
      }),
    i === 0,
  );
  await explain(
    'loadPromoterFacts',
    () =>
      loadPromoterFacts(db, {
        tenantId: c.tenantId,
        promoterId: c.promoterId ?? '',
        at,
        depth: tenant.distributionDepth,
        periodStart: new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1)),
        lateClickHours: 24,
        trafficSince: new Date(at.getTime() - 30 * DAY_MS),
        minClickSeconds: 10,
        ipHash: c.ipHash,
        deviceId: c.deviceId,
        // The bench's rule set caps no rule per period, so the service does not ask.
        periodPaid: false,
      }),
    i === 0,
  );
}

const [counts] = await client<{ conversions: number; per_promoter: number }[]>`
  select count(*)::int as conversions,
         (count(*) filter (where promoter_id is not null) / greatest(count(distinct promoter_id), 1))::int
           as per_promoter
  from conversions`;
process.stdout.write(
  `\n${counts?.conversions} conversions, ~${counts?.per_promoter} per attributed promoter; ` +
    `${rows.length} samples (ms: mean planning / execution / wall incl. round trip):\n`,
);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
for (const [name, list] of timings) {
  process.stdout.write(
    `  ${name.padEnd(18)} ${mean(list.map((t) => t.planning)).toFixed(2)} / ` +
      `${mean(list.map((t) => t.execution)).toFixed(2)} / ${mean(list.map((t) => t.wall)).toFixed(2)}\n`,
  );
}
await client.end();
