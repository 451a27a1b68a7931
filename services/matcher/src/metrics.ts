import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export function matcherMetrics(registry: Registry) {
  return {
    records: new Counter({ name: 'optline_matcher_records_total', help: 'Input records processed (committed), by topic', labelNames: ['topic'], registers: [registry] }),
    deadLetters: new Counter({ name: 'optline_matcher_dead_letters_total', help: 'Input records sent to the dead-letter topic, by rule', labelNames: ['rule'], registers: [registry] }),
    facts: new Counter({ name: 'optline_matcher_facts_total', help: 'Facts decided, by type', labelNames: ['type'], registers: [registry] }),
    duplicates: new Counter({ name: 'optline_matcher_duplicate_messages_total', help: 'Replies whose message id was already processed (no effect)', registers: [registry] }),
    skipped: new Counter({ name: 'optline_matcher_skipped_records_total', help: 'Input records read but not for the matcher (not a consent accept by phone, superseded profile update), by reason', labelNames: ['reason'], registers: [registry] }),
    outputRecords: new Counter({ name: 'optline_matcher_output_records_total', help: 'Records written by committed transactions (outputs, dead letters and changelog records)', registers: [registry] }),
    transactions: new Counter({ name: 'optline_matcher_transactions_total', help: 'Transactions, by outcome', labelNames: ['outcome'], registers: [registry] }),
    transactionSeconds: new Histogram({ name: 'optline_matcher_transaction_seconds', help: 'Time to process and commit one transaction', buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers: [registry] }),
    restoreSeconds: new Histogram({ name: 'optline_matcher_restore_seconds', help: 'Time to restore a store from its changelog on assignment', labelNames: ['store'], buckets: [0.01, 0.1, 0.5, 1, 5, 15, 60, 300], registers: [registry] }),
    restoredRecords: new Counter({ name: 'optline_matcher_restored_records_total', help: 'Changelog records applied while restoring', labelNames: ['store'], registers: [registry] }),
    tasks: new Gauge({ name: 'optline_matcher_tasks', help: 'Tasks (partition groups) this instance owns', labelNames: ['group'], registers: [registry] }),
  };
}

export type MatcherMetrics = ReturnType<typeof matcherMetrics>;
