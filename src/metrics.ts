import {
  AggregatorRegistry,
  Counter,
  Histogram,
  Registry,
  collectDefaultMetrics,
} from "prom-client";

/** The service's Prometheus metrics, on a registry of its own (served at GET /metrics). */
export interface Metrics {
  registry: Registry;
  eventsReceived: Counter<"type">;
  eventsDeduplicated: Counter;
  eventsFailed: Counter<"type">;
  jobDuration: Histogram<"job" | "outcome">;
  jobsBuried: Counter<"job" | "outcome">;
  lineApiCalls: Counter<"endpoint" | "status">;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    eventsReceived: new Counter({
      name: "line_webhook_events_received_total",
      help: "Webhook events stored for the first time, by event type",
      labelNames: ["type"],
      registers: [registry],
    }),
    eventsDeduplicated: new Counter({
      name: "line_webhook_events_deduplicated_total",
      help: "Webhook events LINE sent again (redelivery or duplicate) that were already stored",
      registers: [registry],
    }),
    eventsFailed: new Counter({
      name: "line_webhook_events_failed_total",
      help: "Webhook events whose processing failed for good",
      labelNames: ["type"],
      registers: [registry],
    }),
    jobDuration: new Histogram({
      name: "job_duration_seconds",
      help: "Time from a job's creation to the end of its processing",
      labelNames: ["job", "outcome"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    jobsBuried: new Counter({
      name: "jobs_buried_total",
      help: "Jobs that failed all their attempts: outcome redrive (tried again later) or given-up (waits for an admin)",
      labelNames: ["job", "outcome"],
      registers: [registry],
    }),
    lineApiCalls: new Counter({
      name: "line_api_calls_total",
      help: "Calls to the LINE Messaging API, by endpoint and HTTP status (0 = no answer)",
      labelNames: ["endpoint", "status"],
      registers: [registry],
    }),
  };
}

/** One process's metrics as prom-client hands them between processes. */
export type MetricsSnapshot = Awaited<ReturnType<Registry["getMetricsAsJSON"]>>;

/**
 * What /metrics serves: this process's metrics, added up with those of the other roles of the
 * same `npm start` (the worker's jobs and LINE calls), so one scrape sees the whole service.
 */
export async function metricsText(metrics: Metrics, siblings: MetricsSnapshot[]): Promise<string> {
  if (siblings.length === 0) return metrics.registry.metrics();
  const own = await metrics.registry.getMetricsAsJSON();
  return AggregatorRegistry.aggregate([own, ...siblings]).metrics();
}
