/** Metrics go through their own channel. The Node entry backs this with prom-client. */
export interface Metrics {
  observeRequest(labels: { method: string; route: string; status: number }, seconds: number): void;
  /** Prometheus text exposition, or null where the runtime keeps no metrics. */
  render(): Promise<{ contentType: string; body: string } | null>;
}

export const noopMetrics: Metrics = {
  observeRequest: () => {},
  render: async () => null,
};
