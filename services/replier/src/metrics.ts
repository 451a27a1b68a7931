import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export function replierMetrics(registry: Registry, inFlight: () => number) {
  return {
    replies: new Counter({
      name: 'optline_replier_replies_total',
      help: 'Replies by kind and outcome: sent, failed (given up or refused), skipped (already done before a restart)',
      labelNames: ['kind', 'outcome'], registers: [registry],
    }),
    retries: new Counter({ name: 'optline_replier_retries_total', help: 'Sinch calls retried (5xx, 429, timeouts, resets)', registers: [registry] }),
    lookups: new Counter({ name: 'optline_replier_found_by_lookup_total', help: 'Replies found already accepted by Sinch when looked up by client_reference', registers: [registry] }),
    latency: new Histogram({
      name: 'optline_replier_reply_latency_seconds',
      help: 'From the inbound record (ingress 2xx) to Sinch accepting the reply batch',
      buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600],
      registers: [registry],
    }),
    batchRetries: new Counter({ name: 'optline_replier_batch_retries_total', help: 'Replies batches read again because their STARTED records could not be written (or decoded) first', registers: [registry] }),
    deadLetters: new Counter({ name: 'optline_replier_dead_letters_total', help: 'Reply records that could not be read', labelNames: ['rule'], registers: [registry] }),
    inFlight: new Gauge({ name: 'optline_replier_in_flight', help: 'Replies being delivered', registers: [registry], collect() { this.set(inFlight()); } }),
  };
}

export type ReplierMetrics = ReturnType<typeof replierMetrics>;
