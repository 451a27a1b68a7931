import type { Kafka, Producer } from 'kafkajs';
import { Counter, Gauge, type Registry } from 'prom-client';
import type * as records from '@optline/schemas/records';
import type { NumberConflict, SettingsError, SettingsOutcome, SmsSettings } from '@optline/core';
import { AvroSerde, Codec, CompactedTail, createKafka, groupId, topics, UndecodableError, type Topics } from '@optline/kafka';
import type { Logger, OptlineConfig } from '@optline/runtime';
import { SettingsCommands } from './commands.ts';
import { SettingsState } from './state.ts';

export interface SettingsTableOptions {
  config: OptlineConfig;
  logger?: Logger;
  /** Share the caller's Kafka client (connections); one is created otherwise. */
  kafka?: Kafka;
  /** Share the caller's codec (schema look-ups); one is created otherwise. */
  codec?: Codec;
  /** For `put`'s commands: a connected idempotent producer of the caller's; one is created otherwise. */
  producer?: Producer;
  /** Where the table's metrics go (one table per registry). */
  metrics?: Registry;
}

/**
 * The Avro SmsSettings record as the core's frozen SmsSettings. Records are read as the schema
 * in schemas/avro, so those stored before a field existed have its Avro default.
 */
export function toSettings(record: records.SmsSettings): SmsSettings {
  return Object.freeze({
    project: record.project,
    trackIncoming: record.trackIncoming,
    optOutEnabled: record.optOutEnabled,
    keywords: Object.freeze([...record.keywords]),
    optInKeywords: Object.freeze([...record.optInKeywords]),
    helpKeywords: Object.freeze([...record.helpKeywords]),
    replies: Object.freeze(record.replies.map((r) => Object.freeze({ kind: r.kind, text: r.text, keywords: Object.freeze([...r.keywords]) }))),
    possibleOptOuts: record.possibleOptOuts,
    consentCategories: Object.freeze([...record.consentCategories]),
    dedicatedNumbers: Object.freeze([...record.dedicatedNumbers]),
    version: record.version,
    updatedAt: record.updatedAt,
  });
}

export interface PutOptions {
  /** Store only over this version (0: the project has none yet); else over whatever is stored. */
  ifMatch?: number | null;
  /** Stored as `updatedAt`. */
  now?: number;
  timeoutMs?: number;
}

export type PutResult =
  | { ok: true; settings: SmsSettings }
  /** `stale`: If-Match named another version than the stored one (`errors` names If-Match). */
  | { ok: false; errors: SettingsError[]; conflicts?: NumberConflict[]; stale?: { ifMatch: number; stored: number } };

/**
 * The compacted settings topic (SmsSettings, keyed by project) tailed into memory, and the way
 * to change it: `put` sends the document as a command to the settings writer (SettingsWriter,
 * the topic's only writer), which validates it against the settings as stored, in order with
 * every other instance's changes, and resolves with the stored version once this table has
 * read it, so a `get` right after sees it.
 *
 * Reading is the tail's: `ready()` covers every record written before `start()`, `sync()`
 * every record written before the call.
 */
export class SettingsTable extends CompactedTail<SmsSettings> {
  readonly topics: Topics;
  private readonly state: SettingsState;
  private readonly commands: SettingsCommands;
  private readonly logger: Logger | undefined;
  private readonly counters: { undecodable?: Counter };

  constructor(options: SettingsTableOptions) {
    const { config } = options;
    const named = topics(config.topicNamespace);
    const logger = options.logger?.child({ component: 'settings-table' });
    const kafka = options.kafka ?? createKafka(config, logger, `${config.clientId}-settings-table`);
    const codec = options.codec ?? new Codec(new AvroSerde(config.schemaRegistryUrl, named));
    // Built before super() so the tail's callbacks can hold them.
    const state = new SettingsState();
    const counters: { undecodable?: Counter } = {};
    super({
      kafka, topic: named.settings.name, name: 'settings table', logger,
      group: groupId(config.topicNamespace, 'optline.settings-table'),
      async decode(value, project) {
        const settings = toSettings(await codec.decodeSoon<records.SmsSettings>('SmsSettings', value));
        if (settings.project !== project) throw new UndecodableError(`the value is project ${JSON.stringify(settings.project)}`);
        return settings;
      },
      sink: { set: (project, settings) => state.apply(project, settings), delete: (project) => state.apply(project, null) },
      onUnreadable: () => counters.undecodable?.inc(),
    });
    this.topics = named;
    this.state = state;
    this.commands = new SettingsCommands({ kafka, codec, topics: named, namespace: config.topicNamespace, logger, producer: options.producer });
    this.logger = logger;
    this.counters = counters;
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

  /** The tail's failure, or the outcome listener's: either leaves the table unable to serve. */
  override get failure(): Error | undefined {
    return super.failure ?? this.commands.failure;
  }

  /** Starts listening for the writer's answers, so the first `put` does not wait for it. */
  openWrites(): Promise<void> {
    return this.commands.start();
  }

  /**
   * Has the settings writer validate `input` as the whole new settings of `project` (every
   * error at once; numbers of other projects are `conflicts`; a stale `ifMatch` is `stale`)
   * and store it with the next version; resolves once this table holds that version.
   */
  async put(project: string, input: unknown, options: PutOptions = {}): Promise<PutResult> {
    const { ifMatch = null, now = Date.now(), timeoutMs = 30_000 } = options;
    const started = Date.now();
    const outcome = await this.commands.submit(project, input, ifMatch, now, timeoutMs);
    return this.resultOf(outcome, ifMatch, Math.max(1, timeoutMs - (Date.now() - started)));
  }

  /** The settings writer's own commits, before the tail reads them back. */
  applyOwn(settings: SmsSettings): void {
    this.state.apply(settings.project, settings);
  }

  override async stop(): Promise<void> {
    await super.stop();
    await this.commands.stop();
  }

  private async resultOf(outcome: SettingsOutcome, ifMatch: number | null, timeoutMs: number): Promise<PutResult> {
    const { project, version } = outcome;
    switch (outcome.outcome) {
      case 'stored': {
        await this.sync(timeoutMs);
        const settings = this.state.version(project, version!);
        if (!settings) throw new Error(`settings table: version ${version} of ${project} was stored but is no longer held`);
        this.logger?.info({ project, version }, 'settings stored');
        return { ok: true, settings };
      }
      case 'invalid':
        return { ok: false, errors: [...outcome.errors], ...(outcome.conflicts.length ? { conflicts: [...outcome.conflicts] } : {}) };
      case 'precondition_failed': {
        const message = `If-Match names version ${ifMatch} of ${project}'s settings, but version ${version} is stored${version === 0 ? ' (none: use If-Match: 0 to create them)' : ''}; read them again and retry`;
        return { ok: false, errors: [{ field: 'If-Match', rule: 'version_mismatch', message }], stale: { ifMatch: ifMatch!, stored: version! } };
      }
      case 'expired':
        throw new Error(`settings table: ${project}'s change reached the settings writer after it expired; nothing was applied`);
    }
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
