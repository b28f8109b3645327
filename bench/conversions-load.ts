import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { orderBody, type SeededClick } from './conversions-orders';

// One postback load run in its own process (the server keeps its cores to itself), each request
// with its own body. Prints one JSON line: counts by status, latency, and the order ids still
// unanswered when the run stopped (the server may have recorded them).
//
//   node --import tsx bench/conversions-load.ts URL CONNECTIONS SECONDS FIXTURES RUN_ID START
//   (the API key comes in BENCH_API_KEY, not on the command line)

const [url, connections, seconds, fixtures, runId, start] = process.argv.slice(2);
const apiKey = process.env.BENCH_API_KEY ?? '';
const clicks = JSON.parse(readFileSync(fixtures ?? '', 'utf8')) as SeededClick[];

let next = Number(start ?? 0);
const statuses: Record<string, number> = {};
const unanswered = new Set<string>();

interface Context {
  orderId?: string;
}

const result = await autocannon({
  url: `${url}/v1/conversions`,
  connections: Number(connections ?? 16),
  duration: Number(seconds ?? 20),
  method: 'POST',
  headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
  requests: [
    {
      setupRequest: (req: Record<string, unknown>, context: Context) => {
        const i = next++;
        const orderId = `${runId}-${i}`;
        context.orderId = orderId;
        unanswered.add(orderId);
        return { ...req, body: orderBody(runId ?? 'run', i, clicks, Date.now()) };
      },
      onResponse: (status: number, _body: string, context: Context) => {
        if (context.orderId) unanswered.delete(context.orderId);
        statuses[status] = (statuses[status] ?? 0) + 1;
      },
    },
  ],
});

const created = statuses['201'] ?? 0;
process.stdout.write(
  `${JSON.stringify({
    seconds: result.duration,
    created,
    conversionsPerSecond: created / result.duration,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
    statuses,
    errors: result.errors,
    timeouts: result.timeouts,
    next,
    unanswered: [...unanswered],
  })}\n`,
);
