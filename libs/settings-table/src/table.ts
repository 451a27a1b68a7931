import { randomUUID } from 'node:crypto';
import type { Admin, Consumer, EachBatchPayload, Kafka, Producer } from 'kafkajs';
import { Counter, Gauge, type Registry } from 'prom-client';
import { validateSettings, type SettingsResult, type SmsSettings } from '@optline/core';
import { AvroSerde, createKafka, topics } from '@optline/kafka';
import type { Logger, OptlineConfig } from '@optline/runtime';
import { CatchUp, targetsFrom, type EndOffsets } from '@optline/blacklist-client';
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

export class SettingsTimeoutError extends Error {
  constructor(what: string, timeoutMs: number, lag: number) {
    super(`settings table: ${what} did not catch up within ${timeoutMs} ms (${lag} records behind)`);
    this.name = 'SettingsTimeoutError';
  }
}

/** The Avro SmsSettings record as the core's frozen SmsSettings. */
function toSettings(record: SmsSettings): SmsSettings {
  return Object.freeze({
    project: record.project,
    trackIncoming: record.trackIncoming,
    optOutEnabled: record.optOutEnabled,
    keywords: Object.freeze([...record.keywords]),
    optInKeywords: Object.freeze([...record.optInKeywords]),
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
 */
export class SettingsTable {
  readonly topic: string;
  private readonly state = new SettingsState();
  private readonly catchUp = new CatchUp();
  private readonly kafka: Kafka;
  private readonly serde: AvroSerde;
  private readonly logger: Logger | undefined;
  private consumer: Consumer | undefined;
  private admin: Admin | undefined;
  private producer: Producer | undefined;
  private ownsProducer = false;
  private startTargets: Promise<EndOffsets> | undefined;
  private lastTargets: EndOffsets = new Map();
  private writes: Promise<unknown> = Promise.resolve();
  private undecodable: Counter | undefined;

  constructor(private readonly options: SettingsTableOptions) {
    const named = topics(options.config.topicNamespace);
    this.topic = named.settings.name;
    this.logger = options.logger?.child({ component: 'settings-table' });
    this.kafka = options.kafka ?? createKafka(options.config, this.logger, `${options.config.clientId}-settings-table`);
    this.serde = options.serde ?? new AvroSerde(options.config.schemaRegistryUrl, named);
    if (options.metrics) this.registerMetrics(options.metrics);
  }

  /** Starts tailing; the topic must exist (`provision`). Returns before the table is complete: see `ready()`. */
  async start(): Promise<void> {
    if (this.consumer) throw new Error('settings table: already started');
    this.admin = this.kafka.admin();
    await this.admin.connect();
    // Taken before the consumer starts, so ready() covers every record written before start().
    this.startTargets = this.endOffsets();
    this.lastTargets = await this.startTargets;
    const ns = this.options.config.topicNamespace;
    this.consumer = this.kafka.consumer({ groupId: `${ns ? `${ns}.` : ''}optline.settings-table.${randomUUID()}`, maxWaitTimeInMs: 100 });
    const events = this.consumer.events;
    this.consumer.on(events.END_BATCH_PROCESS, ({ payload }) => {
      this.catchUp.advance(payload.partition, Number(payload.lastOffset), Number(payload.highWatermark));
    });
    // Nothing is committed, so a rejoin reads from the beginning again.
    this.consumer.on(events.GROUP_JOIN, () => this.catchUp.reset());
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await this.consumer.run({ autoCommit: false, eachBatch: (payload) => this.apply(payload) });
  }

  /** Resolves once the table holds every record written before `start()`. */
  async ready(timeoutMs = 60_000): Promise<void> {
    if (!this.startTargets) throw new Error('settings table: ready() before start()');
    await this.waitFor(await this.startTargets, 'ready()', timeoutMs);
  }

  /** Resolves once the table holds every record written before this call. */
  async sync(timeoutMs = 30_000): Promise<void> {
    if (!this.admin) throw new Error('settings table: sync() before start()');
    this.lastTargets = await this.endOffsets();
    await this.waitFor(this.lastTargets, 'sync()', timeoutMs);
  }

  get(project: string): SmsSettings | undefined {
    return this.state.get(project);
  }

  /** The project a canonical dedicated number belongs to, if any. */
  ownerOfNumber(number: string): string | undefined {
    return this.state.ownerOfNumber(number);
  }

  get size(): number {
    return this.state.size;
  }

  /** Records behind the log end (as of the last batch read or end offsets fetched). */
  lag(): number {
    return this.catchUp.lag(this.lastTargets);
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

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
    await this.admin?.disconnect();
    if (this.ownsProducer) await this.producer?.disconnect();
    this.consumer = undefined;
    this.admin = undefined;
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
    if (this.options.producer) return (this.producer = this.options.producer);
    const producer = this.kafka.producer({ idempotent: true, allowAutoTopicCreation: false });
    await producer.connect();
    this.ownsProducer = true;
    return (this.producer = producer);
  }

  private async endOffsets(): Promise<EndOffsets> {
    return targetsFrom(await this.admin!.fetchTopicOffsets(this.topic));
  }

  private async waitFor(targets: EndOffsets, what: string, timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new SettingsTimeoutError(what, timeoutMs, this.catchUp.lag(targets))), timeoutMs);
      // A wait still pending when the table stops must not keep the process alive.
      timer.unref();
    });
    try {
      await Promise.race([this.catchUp.waitFor(targets), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async apply({ batch }: EachBatchPayload): Promise<void> {
    for (const message of batch.messages) {
      const project = message.key?.toString();
      if (project === undefined) {
        this.skip(batch.partition, message.offset, 'record without a key');
        continue;
      }
      if (message.value === null) {
        this.state.apply(project, null);
        continue;
      }
      try {
        const settings = toSettings(await this.serde.decode<SmsSettings>(message.value));
        if (settings.project !== project) throw new Error(`the value is project ${JSON.stringify(settings.project)}`);
        this.state.apply(project, settings);
      } catch (err) {
        // The previous settings stay: the project keeps working as configured before.
        this.skip(batch.partition, message.offset, (err as Error).message);
      }
    }
  }

  private skip(partition: number, offset: string, reason: string): void {
    this.undecodable?.inc();
    this.logger?.error({ topic: this.topic, partition, offset, reason }, 'unreadable settings record skipped');
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
    this.undecodable = new Counter({ name: 'optline_settings_table_undecodable_total', help: 'Settings records that could not be read (logged, previous settings kept)', registers: [registry] });
  }
}
