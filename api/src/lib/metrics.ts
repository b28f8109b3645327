/** Counters the app keeps, by name; each is a Prometheus counter `tuike_<name>_total`. */
export type CounterName = 'clicks_accepted' | 'clicks_written' | 'clicks_dropped';

/** Metrics go through their own channel. The Node entry backs this with prom-client. */
export interface Metrics {
  /**
   * Backs a counter with a reading taken at each scrape: the hot path keeps a plain number and
   * pays nothing per event. The reading must never go down.
   */
  countFrom(name: CounterName, read: () => number): void;
  observeRequest(labels: { method: string; route: string; status: number }, seconds: number): void;
  /** Prometheus text exposition, or null where the runtime keeps no metrics. */
  render(): Promise<{ contentType: string; body: string } | null>;
}

export const noopMetrics: Metrics = {
  countFrom: () => {},
  observeRequest: () => {},
  render: async () => null,
};
