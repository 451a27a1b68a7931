import { Counter, Histogram, type Registry } from 'prom-client';

export function ingressMetrics(registry: Registry) {
  return {
    requests: new Counter({
      name: 'optline_ingress_requests_total',
      help: 'Sinch callbacks answered, by outcome (accepted, or the error code answered)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    publishSeconds: new Histogram({
      name: 'optline_ingress_publish_duration_seconds',
      help: 'From handing an InboundSms to the publisher to the broker acknowledgement (acks=all)',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    batchRecords: new Histogram({
      name: 'optline_ingress_batch_records',
      help: 'Records per produce request (group commit)',
      labelNames: ['result'] as const,
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
      registers: [registry],
    }),
    deadLetters: new Counter({
      name: 'optline_ingress_dead_letters_total',
      help: 'Refused callbacks kept in the dead-letter topic, by rule',
      labelNames: ['rule'] as const,
      registers: [registry],
    }),
  };
}

export type IngressMetrics = ReturnType<typeof ingressMetrics>;
