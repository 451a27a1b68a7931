import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export function materializerMetrics(registry: Registry, pending: () => number) {
  const registers = [registry];
  return {
    factsRead: new Counter({
      name: 'optline_materializer_facts_read_total', help: 'Fact records read, by what became of them', labelNames: ['admission'] as const, registers,
    }),
    deadLetters: new Counter({
      name: 'optline_materializer_dead_letters_total', help: 'Fact records sent to the dead-letter topic, by rule', labelNames: ['rule'] as const, registers,
    }),
    events: new Counter({
      name: 'optline_materializer_records_written_total', help: 'Records committed by flushes, by output', labelNames: ['output'] as const, registers,
    }),
    flushes: new Counter({
      name: 'optline_materializer_flushes_total', help: 'Partition flush transactions, by result', labelNames: ['result'] as const, registers,
    }),
    flushSeconds: new Histogram({
      name: 'optline_materializer_flush_seconds', help: 'Duration of a partition flush (build, encode, transaction)', buckets: [0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30], registers,
    }),
    pending: new Gauge({
      name: 'optline_materializer_pending_facts', help: 'Facts read and waiting for their window to close', registers,
      collect() { this.set(pending()); },
    }),
  };
}

export type MaterializerMetrics = ReturnType<typeof materializerMetrics>;
