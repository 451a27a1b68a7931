import { randomUUID } from 'node:crypto';
import type { Admin, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { Counter, Gauge, type Registry } from 'prom-client';
import { AvroSerde, createKafka, topics } from '@optline/kafka';
import type { Logger, OptlineConfig } from '@optline/runtime';
import { CatchUp, targetsFrom, type EndOffsets } from './catch-up.ts';

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

export class BlacklistTimeoutError extends Error {
  constructor(what: string, timeoutMs: number, lag: number) {
    super(`blacklist client: ${what} did not catch up within ${timeoutMs} ms (${lag} records behind)`);
    this.name = 'BlacklistTimeoutError';
  }
}

/**
 * The blacklist topic tailed into memory, for answers in microseconds without a network hop.
 * It always reads the compacted topic from the beginning under a group id of its own and never
 * commits, so every instance holds the whole table and nothing is shared between instances.
 */
export class BlacklistClient {
  readonly topic: string;
  private readonly entries = new Map<string, BlacklistRecord>();
  private readonly catchUp = new CatchUp();
  private readonly kafka: Kafka;
  private readonly serde: AvroSerde;
  private readonly logger: Logger | undefined;
  private consumer: Consumer | undefined;
  private admin: Admin | undefined;
  private startTargets: Promise<EndOffsets> | undefined;
  private lastTargets: EndOffsets = new Map();
  private readonly counters: { records?: Counter; undecodable?: Counter } = {};

  constructor(private readonly options: BlacklistClientOptions) {
    this.topic = topics(options.config.topicNamespace).blacklist.name;
    this.logger = options.logger?.child({ component: 'blacklist-client' });
    this.kafka = options.kafka ?? createKafka(options.config, this.logger, `${options.config.clientId}-blacklist-client`);
    this.serde = options.serde ?? new AvroSerde(options.config.schemaRegistryUrl, topics(options.config.topicNamespace));
    if (options.metrics) this.registerMetrics(options.metrics);
  }

  /** Starts tailing; the topic must exist (`provision`). Returns before the table is complete: see `ready()`. */
  async start(): Promise<void> {
    if (this.consumer) throw new Error('blacklist client: already started');
    this.admin = this.kafka.admin();
    await this.admin.connect();
    // The end offsets are taken before the consumer starts, so ready() covers every record
    // written before start() was called.
    this.startTargets = this.endOffsets();
    this.lastTargets = await this.startTargets;
    const ns = this.options.config.topicNamespace;
    this.consumer = this.kafka.consumer({
      groupId: `${ns ? `${ns}.` : ''}optline.blacklist-client.${randomUUID()}`,
      readUncommitted: false,
      maxWaitTimeInMs: 100,
    });
    const events = this.consumer.events;
    this.consumer.on(events.END_BATCH_PROCESS, ({ payload }) => {
      this.catchUp.advance(payload.partition, Number(payload.lastOffset), Number(payload.highWatermark));
    });
    // A rejoin starts again from the beginning (nothing is committed): positions restart too.
    this.consumer.on(events.GROUP_JOIN, () => this.catchUp.reset());
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await this.consumer.run({ autoCommit: false, eachBatch: (payload) => this.apply(payload) });
  }

  /** Resolves once the table holds every record committed before `start()`. */
  async ready(timeoutMs = 60_000): Promise<void> {
    if (!this.startTargets) throw new Error('blacklist client: ready() before start()');
    await this.waitFor(await this.startTargets, 'ready()', timeoutMs);
  }

  /** Resolves once the table holds every record committed before this call (read-your-writes). */
  async sync(timeoutMs = 30_000): Promise<void> {
    if (!this.admin) throw new Error('blacklist client: sync() before start()');
    this.lastTargets = await this.endOffsets();
    await this.waitFor(this.lastTargets, 'sync()', timeoutMs);
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

  /** Records behind the log end (as of the last batch read or end offsets fetched). */
  lag(): number {
    return this.catchUp.lag(this.lastTargets);
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
    await this.admin?.disconnect();
    this.consumer = undefined;
    this.admin = undefined;
  }

  private async endOffsets(): Promise<EndOffsets> {
    return targetsFrom(await this.admin!.fetchTopicOffsets(this.topic));
  }

  private async waitFor(targets: EndOffsets, what: string, timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new BlacklistTimeoutError(what, timeoutMs, this.catchUp.lag(targets))), timeoutMs);
    });
    try {
      await Promise.race([this.catchUp.waitFor(targets), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async apply({ batch }: EachBatchPayload): Promise<void> {
    for (const message of batch.messages) {
      const key = message.key?.toString();
      this.counters.records?.inc();
      if (key === undefined) {
        this.undecodable(batch.partition, message.offset, 'record without a key');
        continue;
      }
      if (message.value === null) {
        this.entries.delete(key);
        continue;
      }
      try {
        this.entries.set(key, this.serde.decodeKnown<BlacklistRecord>(message.value) ?? (await this.serde.decode<BlacklistRecord>(message.value)));
      } catch (err) {
        // The previous value stays: an unreadable update must not unblock a phone.
        this.undecodable(batch.partition, message.offset, (err as Error).message);
      }
    }
  }

  private undecodable(partition: number, offset: string, reason: string): void {
    this.counters.undecodable?.inc();
    this.logger?.error({ topic: this.topic, partition, offset, reason }, 'unreadable blacklist record skipped');
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
