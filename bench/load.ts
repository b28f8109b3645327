import autocannon from 'autocannon';

// One load run in its own process, so the load generator never shares a core's event loop with
// the server it measures. Prints one JSON line.
const [url, connections, seconds] = process.argv.slice(2);
const result = await autocannon({
  url: url ?? '',
  connections: Number(connections ?? 64),
  duration: Number(seconds ?? 10),
  followRedirect: false,
});
const codes = result.statusCodeStats as unknown as Record<string, { count: number }>;
process.stdout.write(
  `${JSON.stringify({
    rps: result.requests.average,
    total: result.requests.total,
    p50: result.latency.p50,
    p99: result.latency.p99,
    redirects: codes['302']?.count ?? 0,
    errors: result.errors + result.timeouts,
    non302: Object.entries(codes)
      .filter(([code]) => code !== '302')
      .reduce((sum, [, s]) => sum + s.count, 0),
  })}\n`,
);
