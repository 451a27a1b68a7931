import type { Kafka } from 'kafkajs';
import { Counter, Gauge, type Registry } from 'prom-client';
import { AvroSerde, CompactedTail, createKafka, groupId, topics } from '@optline/kafka';
import type { Logger, OptlineConfig } from '@optline/runtime';

/** A `sms.blacklist.v1` value as read from the topic (Avro BlacklistEntry). */
export interface BlacklistRecord {
  project: string;
  phone: string;
  status: 'BLOCKED' | 'CONSENT_TRACKED';
  keyword: string;
  message_id: string;
  blocked_at: number;
  updated_at: number;
}

export interface BlacklistClientOptions {
  config: OptlineConfig;
  logger?: Logger;
  /** Share the caller's Kafka client (connections); one is created otherwise. */
  kafka?: Kafka;
  serde?: AvroSerde;
  /** Where the client's metrics go (one client per registry). */
  metrics?: Registry;
}

/**
 * The blacklist topic tailed into memory, for answers in microseconds without a network hop.
 * It always reads the compacted topic from the beginning under a group id of its own and never
 * commits, so every instance holds the whole table and nothing is shared between instances.
 * `start()`, `ready()` (every record committed before `start()`), `sync()` (every record
 * committed before the call: read-your-writes), `lag()` and `stop()` are the tail's.
 */
export class BlacklistClient extends CompactedTail<BlacklistRecord> {
  private readonly entries: Map<string, BlacklistRecord>;
  private readonly counters: { records?: Counter; undecodable?: Counter };

  constructor(options: BlacklistClientOptions) {
    const { config } = options;
    const named = topics(config.topicNamespace);
    const logger = options.logger?.child({ component: 'blacklist-client' });
    const kafka = options.kafka ?? createKafka(config, logger, `${config.clientId}-blacklist-client`);
    const serde = options.serde ?? new AvroSerde(config.schemaRegistryUrl, named);
    // Built before super() so the tail's callbacks can hold them.
    const entries = new Map<string, BlacklistRecord>();
    const counters: { records?: Counter; undecodable?: Counter } = {};
    super({
      kafka, topic: named.blacklist.name, name: 'blacklist client', logger, sink: entries,
      group: groupId(config.topicNamespace, 'optline.blacklist-client'),
      decode: (value) => serde.decodeKnown<BlacklistRecord>(value) ?? serde.decode<BlacklistRecord>(value),
      onRecord: () => counters.records?.inc(),
      onUnreadable: () => counters.undecodable?.inc(),
    });
    this.entries = entries;
    this.counters = counters;
    if (options.metrics) this.registerMetrics(options.metrics);
  }

  get(project: string, phone: string): BlacklistRecord | undefined {
    return this.entries.get(`${project}:${phone}`);
  }

  isBlacklisted(project: string, phone: string): boolean {
    return this.entries.has(`${project}:${phone}`);
  }

  get size(): number {
    return this.entries.size;
  }

  private registerMetrics(registry: Registry): void {
    const labelNames = ['topic'] as const;
    const client = this;
    new Gauge({
      name: 'optline_blacklist_client_lag_records', help: 'Blacklist records not yet read into memory', labelNames, registers: [registry],
      collect() { this.set({ topic: client.topic }, client.lag()); },
    });
    new Gauge({
      name: 'optline_blacklist_client_entries', help: 'Blacklisted (project, phone) pairs in memory', labelNames, registers: [registry],
      collect() { this.set({ topic: client.topic }, client.size); },
    });
    this.counters.records = new Counter({ name: 'optline_blacklist_client_records_total', help: 'Blacklist records read', registers: [registry] });
    this.counters.undecodable = new Counter({ name: 'optline_blacklist_client_undecodable_total', help: 'Blacklist records that could not be read (logged, previous value kept)', registers: [registry] });
  }
}
