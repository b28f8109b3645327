import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import type { CounterName, Metrics } from './metrics';

/** Prometheus metrics for the Node entry: process defaults plus request latency. */
export function createNodeMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'tuike_' });
  const requests = new Histogram({
    name: 'tuike_http_request_duration_seconds',
    help: 'HTTP request latency by route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const readings = new Map<CounterName, () => number>();
  for (const name of ['clicks_accepted', 'clicks_written', 'clicks_dropped'] as const) {
    new Counter({
      name: `tuike_${name}_total`,
      help: name.replace('_', ' '),
      registers: [registry],
      collect() {
        const read = readings.get(name);
        if (!read) return;
        this.reset();
        this.inc(read());
      },
    });
  }
  return {
    countFrom: (name, read) => void readings.set(name, read),
    observeRequest: (labels, seconds) =>
      requests.observe({ ...labels, status: String(labels.status) }, seconds),
    render: async () => ({ contentType: registry.contentType, body: await registry.metrics() }),
  };
}
