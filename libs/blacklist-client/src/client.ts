import type { Kafka } from 'kafkajs';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { BlacklistEntry, BlacklistSource, BlacklistStatus } from '@optline/schemas';
import { AvroSerde, Codec, CompactedTail, createKafka, groupId, topics } from '@optline/kafka';
import type { Logger, OptlineConfig } from '@optline/runtime';
import { CompactEntries, type Decoded } from './compact-entries.ts';
import { phoneNumberOf } from './phone-table.ts';

export type { BlacklistSource, BlacklistStatus };

/** A `sms.blacklist.v1` value, read as the BlacklistEntry of schemas/avro (defaults filled in). */
export type BlacklistRecord = BlacklistEntry;

export interface BlacklistClientOptions {
  config: OptlineConfig;
  logger?: Logger;
  /** Share the caller's Kafka client (connections); one is created otherwise. */
  kafka?: Kafka;
  /** Share the caller's codec (schema look-ups); one is created otherwise. */
  codec?: Codec;
  /** Where the client's metrics go (one client per registry). */
  metrics?: Registry;
  /** Where the details file goes (it is unlinked at once, so nothing stays); default the OS temp dir. */
  detailsDir?: string;
}

const STATUSES: readonly BlacklistStatus[] = ['BLOCKED', 'CONSENT_TRACKED'];
const SOURCES: readonly BlacklistSource[] = ['keyword', 'manual', 'import'];

/** A record's status and source in one byte: what filters need without reading the details. */
function codeOf(record: Pick<BlacklistRecord, 'status' | 'source'>): number {
  return STATUSES.indexOf(record.status) | (Math.max(0, SOURCES.indexOf(record.source)) << 2);
}

export function statusOfCode(code: number): BlacklistStatus {
  return STATUSES[code & 3]!;
}

/**
 * A record's status byte without decoding the record: through a projection of BlacklistEntry
 * on status and source, the other fields skipped unread (strings not decoded). A writer schema's
 * first record also goes through the full read, so `get()` can read its details synchronously.
 */
function statusCodes(codec: Codec): (raw: Buffer) => Decoded | Promise<Decoded> {
  const projection = codec.projection('BlacklistEntry', ['status', 'source']);
  const learn = async (raw: Buffer): Promise<Decoded> => {
    await codec.decode('BlacklistEntry', raw);
    return { code: codeOf(await codec.decode<BlacklistRecord>(projection, raw)), raw };
  };
  return (raw) => {
    const known = codec.decodeKnown<BlacklistRecord>(projection, raw);
    return known === undefined ? learn(raw) : { code: codeOf(known), raw };
  };
}

/** What a list page asks for. */
export interface ListQuery {
  /** Only phones after this canonical phone (exclusive): the previous page's last. */
  after?: string;
  status?: BlacklistStatus;
  limit: number;
}

/**
 * The blacklist topic tailed into a compact table, for answers in microseconds without a
 * network hop: membership and status in memory (tens of bytes an entry), each entry's record
 * in a file of the client's own, read back by `get()`. It always reads the compacted topic from
 * the beginning under a group id of its own and never commits, so every instance holds the
 * whole table and nothing is shared between instances. `start()`, `ready()` (every record
 * committed before `start()`), `sync()` (every record committed before the call:
 * read-your-writes), `lag()` and `stop()` are the tail's.
 */
export class BlacklistClient extends CompactedTail<Decoded> {
  private readonly entries: CompactEntries;
  private readonly codec: Codec;
  private readonly counters: { records?: Counter; undecodable?: Counter };

  constructor(options: BlacklistClientOptions) {
    const { config } = options;
    const named = topics(config.topicNamespace);
    const logger = options.logger?.child({ component: 'blacklist-client' });
    const kafka = options.kafka ?? createKafka(config, logger, `${config.clientId}-blacklist-client`);
    const codec = options.codec ?? new Codec(new AvroSerde(config.schemaRegistryUrl, named));
    // Built before super() so the tail's callbacks can hold them.
    const entries = new CompactEntries(options.detailsDir);
    const counters: { records?: Counter; undecodable?: Counter } = {};
    super({
      kafka, topic: named.blacklist.name, name: 'blacklist client', logger, sink: entries,
      group: groupId(config.topicNamespace, 'optline.blacklist-client'),
      decode: statusCodes(codec),
      onRecord: () => counters.records?.inc(),
      onUnreadable: () => counters.undecodable?.inc(),
    });
    this.entries = entries;
    this.codec = codec;
    this.counters = counters;
    if (options.metrics) this.registerMetrics(options.metrics);
  }

  /** The entry of (project, canonical phone), read back from the details file (a few microseconds). */
  get(project: string, phone: string): BlacklistRecord | undefined {
    const found = this.entries.lookup(project, phone);
    return found === undefined ? undefined : this.detail(found.ref);
  }

  isBlacklisted(project: string, phone: string): boolean {
    return this.entries.has(project, phone);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Entries of a project held in memory. */
  projectSize(project: string): number {
    return this.entries.projects.get(project)?.size ?? 0;
  }

  /** Bytes of memory the table holds (typed arrays), and bytes written to the details file. */
  footprint(): { tableBytes: number; detailFileBytes: number } {
    return { tableBytes: this.entries.bytes, detailFileBytes: this.entries.details?.appended ?? 0 };
  }

  /**
   * One page of a project's entries in phone order, after `query.after`: a scan of the
   * project's table keeping the `limit` lowest phones (no sort of the whole list).
   */
  list(project: string, query: ListQuery): BlacklistRecord[] {
    const table = this.entries.projects.get(project);
    if (table === undefined || query.limit <= 0) return [];
    const after = query.after === undefined ? 0 : phoneNumberOf(query.after);
    const status = query.status === undefined ? -1 : STATUSES.indexOf(query.status);
    const { limit } = query;
    // Candidates pile up to twice the page, then the lowest `limit` are kept: linear in the table.
    let kept: number[] = [];
    let bound = Infinity;
    table.forEach((phone, _ref, code) => {
      if (phone <= after || phone >= bound || (status >= 0 && (code & 3) !== status)) return;
      kept.push(phone);
      if (kept.length >= 2 * limit) {
        kept = kept.sort((a, b) => a - b).slice(0, limit);
        bound = kept[limit - 1]!;
      }
    });
    kept = kept.sort((a, b) => a - b).slice(0, limit);
    return kept.map((phone) => this.detail(table.ref(phone)));
  }

  /**
   * Every entry of a project as it stood at the first call, for an export: a snapshot of the
   * entries' detail references (4 bytes each; the details file is append-only, so they stay
   * valid), read back in file order, so a scan reads the file sequentially. Nothing else is
   * held: each record is decoded when it is reached. Ends early if the client stops.
   */
  *export(project: string, status?: BlacklistStatus): Generator<BlacklistRecord> {
    const table = this.entries.projects.get(project);
    const details = this.entries.details;
    if (table === undefined || details === undefined) return;
    const wanted = status === undefined ? -1 : STATUSES.indexOf(status);
    const refs = table.sortedRefs((code) => wanted < 0 || (code & 3) === wanted);
    for (const bytes of details.readMany(refs)) {
      if (this.entries.details !== details) return;
      yield this.decodeDetail(bytes);
    }
  }

  /** Starts over from an empty table (each start reads the whole topic again). */
  override async start(): Promise<void> {
    this.entries.reset();
    await super.start();
  }

  /** Stops reading and drops the table and its details file. */
  override async stop(): Promise<void> {
    await super.stop();
    this.entries.close();
  }

  private detail(ref: number): BlacklistRecord {
    return this.decodeDetail(this.entries.details!.read(ref));
  }

  private decodeDetail(bytes: Buffer): BlacklistRecord {
    // Every record in the file was decoded once on the way in, so its writer schema is known.
    const record = this.codec.decodeKnown<BlacklistRecord>('BlacklistEntry', bytes);
    if (record === undefined) throw new Error('blacklist client: a stored record has an unknown writer schema');
    return record;
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
    new Gauge({
      name: 'optline_blacklist_client_table_bytes', help: 'Bytes of memory of the in-memory membership table', labelNames, registers: [registry],
      collect() { this.set({ topic: client.topic }, client.footprint().tableBytes); },
    });
    new Gauge({
      name: 'optline_blacklist_client_detail_file_bytes', help: 'Bytes written to the details file since start (superseded records included)', labelNames, registers: [registry],
      collect() { this.set({ topic: client.topic }, client.footprint().detailFileBytes); },
    });
    this.counters.records = new Counter({ name: 'optline_blacklist_client_records_total', help: 'Blacklist records read', registers: [registry] });
    this.counters.undecodable = new Counter({ name: 'optline_blacklist_client_undecodable_total', help: 'Blacklist records that could not be read (logged, previous value kept)', registers: [registry] });
  }
}
