import type { Kafka, Producer } from 'kafkajs';
import { Counter, Gauge, type Registry } from 'prom-client';
import { DEFAULT_POSSIBLE_OPT_OUTS, validateSettings, type SettingsResult, type SmsSettings } from '@optline/core';
import { AvroSerde, CompactedTail, createKafka, groupId, topics } from '@optline/kafka';
import type { Logger, OptlineConfig } from '@optline/runtime';
import { SettingsState } from './state.ts';

export interface SettingsTableOptions {
  config: OptlineConfig;
  logger?: Logger;
  /** Share the caller's Kafka client (connections); one is created otherwise. */
  kafka?: Kafka;
  serde?: AvroSerde;
  /** For `put`: a connected idempotent producer of the caller's; one is created otherwise. */
  producer?: Producer;
  /** Where the table's metrics go (one table per registry). */
  metrics?: Registry;
}

/**
 * The Avro SmsSettings record as the core's frozen SmsSettings. Records are decoded with their
 * writer's schema, so those stored before a field existed lack it: they get its Avro default.
 */
export function toSettings(record: Partial<SmsSettings> & Omit<SmsSettings, 'helpKeywords' | 'replies' | 'possibleOptOuts'>): SmsSettings {
  return Object.freeze({
    project: record.project,
    trackIncoming: record.trackIncoming,
    optOutEnabled: record.optOutEnabled,
    keywords: Object.freeze([...record.keywords]),
    optInKeywords: Object.freeze([...(record.optInKeywords ?? [])]),
    helpKeywords: Object.freeze([...(record.helpKeywords ?? [])]),
    replies: Object.freeze((record.replies ?? []).map((r) => Object.freeze({ kind: r.kind, text: r.text, keywords: Object.freeze([...(r.keywords ?? [])]) }))),
    possibleOptOuts: record.possibleOptOuts ?? DEFAULT_POSSIBLE_OPT_OUTS,
    consentCategories: Object.freeze([...record.consentCategories]),
    dedicatedNumbers: Object.freeze([...record.dedicatedNumbers]),
    version: record.version,
    ...(record.updatedAt === undefined ? {} : { updatedAt: Number(record.updatedAt) }),
  });
}

/**
 * The compacted settings topic (SmsSettings, keyed by project) tailed into memory, and the one
 * way to change it: `put` validates a document against the table (previous version, owners of
 * dedicated numbers), writes it and returns once this table has read it back.
 *
 * Writes are serialised within one process, across projects too: a dedicated number conflict
 * is between two projects, so two PUTs must not validate against the same stale table. Two
 * processes writing at once are not serialised: both may store the same next version of a
 * project (the later one in the log wins, as compaction keeps it), or both claim one number
 * (`ownerOfNumber` answers with the first claim in the log). Run one writer, or send all PUTs
 * to one instance, when that matters.
 *
 * Reading is the tail's: `ready()` covers every record written before `start()`, `sync()`
 * every record written before the call.
 */
export class SettingsTable extends CompactedTail<SmsSettings> {
  private readonly state: SettingsState;
  private readonly kafka: Kafka;
  private readonly serde: AvroSerde;
  private readonly logger: Logger | undefined;
  private producer: Producer | undefined;
  private readonly sharedProducer: Producer | undefined;
  private ownsProducer = false;
  private writes: Promise<unknown> = Promise.resolve();
  private readonly counters: { undecodable?: Counter };

  constructor(options: SettingsTableOptions) {
    const { config } = options;
    const named = topics(config.topicNamespace);
    const logger = options.logger?.child({ component: 'settings-table' });
    const kafka = options.kafka ?? createKafka(config, logger, `${config.clientId}-settings-table`);
    const serde = options.serde ?? new AvroSerde(config.schemaRegistryUrl, named);
    // Built before super() so the tail's callbacks can hold them.
    const state = new SettingsState();
    const counters: { undecodable?: Counter } = {};
    super({
      kafka, topic: named.settings.name, name: 'settings table', logger,
      group: groupId(config.topicNamespace, 'optline.settings-table'),
      async decode(value, project) {
        const settings = toSettings(await serde.decode<Parameters<typeof toSettings>[0]>(value));
        if (settings.project !== project) throw new Error(`the value is project ${JSON.stringify(settings.project)}`);
        return settings;
      },
      sink: { set: (project, settings) => state.apply(project, settings), delete: (project) => state.apply(project, null) },
      onUnreadable: () => counters.undecodable?.inc(),
    });
    this.state = state;
    this.kafka = kafka;
    this.serde = serde;
    this.logger = logger;
    this.counters = counters;
    this.sharedProducer = options.producer;
    if (options.metrics) this.registerMetrics(options.metrics);
  }

  get(project: string): SmsSettings | undefined {
    return this.state.get(project);
  }

  /** The project a canonical dedicated number belongs to, if any. */
  ownerOfNumber(number: string): string | undefined {
    return this.state.ownerOfNumber(number);
  }

  /** Every project's current settings, as read so far. */
  all(): IterableIterator<SmsSettings> {
    return this.state.all();
  }

  get size(): number {
    return this.state.size;
  }

  /**
   * Validates `input` as the whole new settings of `project` (every error at once; numbers of
   * other projects are `conflicts`), stores it with the next version (acks=all) and resolves
   * once this table has read it back, so a `get` right after sees it.
   */
  put(project: string, input: unknown, now = Date.now(), timeoutMs = 30_000): Promise<SettingsResult> {
    const write = this.writes.then(() => this.write(project, input, now, timeoutMs));
    this.writes = write.catch(() => undefined);
    return write;
  }

  override async stop(): Promise<void> {
    await super.stop();
    if (this.ownsProducer) await this.producer?.disconnect();
    this.producer = undefined;
  }

  private async write(project: string, input: unknown, now: number, timeoutMs: number): Promise<SettingsResult> {
    // Validate against the latest stored state, including other processes' writes.
    await this.sync(timeoutMs);
    const result = validateSettings(project, input, {
      ownerOfNumber: (number) => this.state.ownerOfNumber(number),
      previous: this.state.get(project),
      now,
    });
    if (!result.ok) return result;
    const value = await this.serde.encode(this.topic, result.settings);
    const [meta] = await (await this.writer()).send({ topic: this.topic, acks: -1, messages: [{ key: project, value }] });
    if (meta?.baseOffset === undefined) throw new Error(`settings table: the broker did not return the offset of ${project}'s settings`);
    await this.waitFor(new Map([[meta.partition, Number(meta.baseOffset) + 1]]), `reading back ${project}'s settings`, timeoutMs);
    this.logger?.info({ project, version: result.settings.version }, 'settings stored');
    return result;
  }

  private async writer(): Promise<Producer> {
    if (this.producer) return this.producer;
    if (this.sharedProducer) return (this.producer = this.sharedProducer);
    const producer = this.kafka.producer({ idempotent: true, allowAutoTopicCreation: false });
    await producer.connect();
    this.ownsProducer = true;
    return (this.producer = producer);
  }

  private registerMetrics(registry: Registry): void {
    const table = this;
    new Gauge({
      name: 'optline_settings_table_lag_records', help: 'Settings records not yet read into memory', registers: [registry],
      collect() { this.set(table.lag()); },
    });
    new Gauge({
      name: 'optline_settings_table_projects', help: 'Projects with settings in memory', registers: [registry],
      collect() { this.set(table.size); },
    });
    this.counters.undecodable = new Counter({ name: 'optline_settings_table_undecodable_total', help: 'Settings records that could not be read (logged, previous settings kept)', registers: [registry] });
  }
}
