import autocannon from 'autocannon';

// One load run in its own process, so the load generator never shares a core's event loop with
// the server it measures. Prints one JSON line.
//
// Visitors look like people: each request carries a browser user agent (autocannon sends none,
// and an empty agent is a bot to the server), and every fourth one the visitor cookie of a
// returning visitor, one visitor per connection. Requests are prebuilt per connection, so the
// mix costs the load generator nothing per request.
const [url = '', connections = '64', seconds = '10', agents = '[]'] = process.argv.slice(2);
const userAgents = JSON.parse(agents) as string[];
const path = new URL(url).pathname;
const SEQUENCE = 8;

let connection = 0;
/** The part of autocannon's per-connection client used here. */
interface LoadClient {
  setRequests(requests: object[]): void;
}

function visitorsOf(client: LoadClient) {
  const n = connection++;
  const requests = Array.from({ length: SEQUENCE }, (_, k) => ({
    method: 'GET' as const,
    path,
    headers: {
      'user-agent': userAgents[(n + k) % userAgents.length] ?? '',
      accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
      'accept-language': 'zh-CN,zh;q=0.9,en;q=0.8',
      ...(k % 4 === 0 ? { cookie: `tk_v=benchvisitor${n.toString().padStart(4, '0')}` } : {}),
    },
  }));
  client.setRequests(requests);
}

const result = await autocannon({
  url,
  connections: Number(connections),
  duration: Number(seconds),
  followRedirect: false,
  setupClient: userAgents.length > 0 ? visitorsOf : undefined,
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
