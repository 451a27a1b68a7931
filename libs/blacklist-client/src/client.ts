import type { Kafka } from 'kafkajs';
import avro from 'avsc';
import { Counter, Gauge, type Registry } from 'prom-client';
import { AvroSerde, CompactedTail, createKafka, groupId, topics, type TailSink } from '@optline/kafka';
import type { Logger, OptlineConfig } from '@optline/runtime';
import { DetailFile } from './detail-file.ts';
import { PhoneTable, phoneNumberOf } from './phone-table.ts';

export type BlacklistStatus = 'BLOCKED' | 'CONSENT_TRACKED';
export type BlacklistSource = 'keyword' | 'manual' | 'import';

/** A `sms.blacklist.v1` value as read from the topic (Avro BlacklistEntry). */
export interface BlacklistRecord {
  project: string;
  phone: string;
  status: BlacklistStatus;
  keyword: string;
  message_id: string;
  blocked_at: number;
  updated_at: number;
  /** Absent only in records built by hand; the schema defaults it to `keyword`. */
  source?: BlacklistSource;
  actor?: string | null;
  reason?: string | null;
}

export interface BlacklistClientOptions {
  config: OptlineConfig;
  logger?: Logger;
  /** Share the caller's Kafka client (connections); one is created otherwise. */
  kafka?: Kafka;
  serde?: AvroSerde;
  /** Where the client's metrics go (one client per registry). */
  metrics?: Registry;
  /** Where the details file goes (it is unlinked at once, so nothing stays); default the OS temp dir. */
  detailsDir?: string;
}

const STATUSES: readonly BlacklistStatus[] = ['BLOCKED', 'CONSENT_TRACKED'];
const SOURCES: readonly BlacklistSource[] = ['keyword', 'manual', 'import'];

/** A record's status and source in one byte: what filters need without reading the details. */
function codeOf(record: Pick<BlacklistRecord, 'status' | 'source'>): number {
  return STATUSES.indexOf(record.status) | (Math.max(0, SOURCES.indexOf(record.source ?? 'keyword')) << 2);
}

export function statusOfCode(code: number): BlacklistStatus {
  return STATUSES[code & 3]!;
}

interface Decoded {
  code: number;
  raw: Buffer;
}

/** Only what the table keeps of a record; the rest of it is skipped unread (strings not decoded). */
const projection = avro.Type.forSchema({
  type: 'record', name: 'BlacklistEntry', namespace: 'dev.optline',
  fields: [
    { name: 'status', type: { type: 'enum', name: 'BlacklistStatus', symbols: [...STATUSES] } },
    { name: 'source', type: { type: 'enum', name: 'BlacklistSource', symbols: [...SOURCES] }, default: 'keyword' },
  ],
});

/**
 * A record's status byte without decoding the record: per writer schema, an Avro resolver from
 * it to the projection above. The first record of a schema goes through the serde's full decode
 * (async, the registry), which also teaches the serde the writer for `get()`.
 */
class CodeReaders {
  private readonly resolvers = new Map<number, avro.Resolver>();

  constructor(private readonly serde: AvroSerde) {}

  decode(raw: Buffer): Decoded | Promise<Decoded> {
    const id = raw.length >= 5 && raw[0] === 0 ? raw.readInt32BE(1) : -1;
    const resolver = this.resolvers.get(id);
    if (resolver === undefined) return this.learn(id, raw);
    const { status, source } = projection.fromBuffer(raw.subarray(5), resolver) as { status: BlacklistStatus; source: BlacklistSource };
    return { code: codeOf({ status, source }), raw };
  }

  private async learn(id: number, raw: Buffer): Promise<Decoded> {
    const record = await this.serde.decode<BlacklistRecord>(raw);
    const writer = (await this.serde.registry.getSchema(id)) as unknown as avro.Type;
    this.resolvers.set(id, projection.createResolver(writer));
    return { code: codeOf(record), raw };
  }
}

/** What a list page asks for. */
export interface ListQuery {
  /** Only phones after this canonical phone (exclusive): the previous page's last. */
  after?: string;
  status?: BlacklistStatus;
  limit: number;
}

/**
 * The entries in memory: per project a hash table of phones (13 bytes a slot), each with a
 * reference into the details file and its status byte. Keys that are not `<project>:<canonical
 * phone>` (none are written by optline) keep their details reference in a plain Map.
 */
class CompactEntries implements TailSink<Decoded> {
  readonly projects = new Map<string, PhoneTable>();
  readonly odd = new Map<string, { ref: number; code: number }>();
  details: DetailFile | undefined;
  private count = 0;

  constructor(private readonly dir?: string) {}

  reset(): void {
    this.close();
    this.details = new DetailFile(this.dir);
  }

  close(): void {
    this.details?.close();
    this.details = undefined;
    this.projects.clear();
    this.odd.clear();
    this.count = 0;
  }

  get size(): number {
    return this.count;
  }

  set(key: string, value: Decoded): void {
    if (this.details === undefined) throw new Error('blacklist client: a record arrived while stopped');
    const ref = this.details.append(value.raw);
    const colon = key.lastIndexOf(':');
    const phone = colon < 0 ? -1 : phoneNumberOf(key.slice(colon + 1));
    if (phone < 0) {
      if (!this.odd.has(key)) this.count++;
      this.odd.set(key, { ref, code: value.code });
      return;
    }
    const project = key.slice(0, colon);
    let table = this.projects.get(project);
    if (table === undefined) this.projects.set(project, (table = new PhoneTable()));
    const before = table.size;
    table.set(phone, ref, value.code);
    this.count += table.size - before;
  }

  delete(key: string): void {
    const colon = key.lastIndexOf(':');
    const phone = colon < 0 ? -1 : phoneNumberOf(key.slice(colon + 1));
    if (phone < 0) {
      if (this.odd.delete(key)) this.count--;
      return;
    }
    const project = key.slice(0, colon);
    const table = this.projects.get(project);
    if (table?.delete(phone)) {
      this.count--;
      if (table.size === 0) this.projects.delete(project);
    }
  }

  /** The details reference and status byte of (project, phone), or undefined. */
  lookup(project: string, phone: string): { ref: number; code: number } | undefined {
    const value = phoneNumberOf(phone);
    if (value < 0) return this.odd.get(`${project}:${phone}`);
    const table = this.projects.get(project);
    if (table === undefined) return undefined;
    const ref = table.ref(value);
    return ref < 0 ? undefined : { ref, code: table.code(value) };
  }

  has(project: string, phone: string): boolean {
    const value = phoneNumberOf(phone);
    if (value < 0) return this.odd.has(`${project}:${phone}`);
    return this.projects.get(project)?.has(value) ?? false;
  }

  get bytes(): number {
    let total = 0;
    for (const table of this.projects.values()) total += table.bytes;
    return total;
  }
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
  private readonly serde: AvroSerde;
  private readonly counters: { records?: Counter; undecodable?: Counter };

  constructor(options: BlacklistClientOptions) {
    const { config } = options;
    const named = topics(config.topicNamespace);
    const logger = options.logger?.child({ component: 'blacklist-client' });
    const kafka = options.kafka ?? createKafka(config, logger, `${config.clientId}-blacklist-client`);
    const serde = options.serde ?? new AvroSerde(config.schemaRegistryUrl, named);
    // Built before super() so the tail's callbacks can hold them.
    const entries = new CompactEntries(options.detailsDir);
    const counters: { records?: Counter; undecodable?: Counter } = {};
    const codes = new CodeReaders(serde);
    super({
      kafka, topic: named.blacklist.name, name: 'blacklist client', logger, sink: entries,
      group: groupId(config.topicNamespace, 'optline.blacklist-client'),
      decode: (value) => codes.decode(value),
      onRecord: () => counters.records?.inc(),
      onUnreadable: () => counters.undecodable?.inc(),
    });
    this.entries = entries;
    this.serde = serde;
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
    const record = this.serde.decodeKnown<BlacklistRecord>(bytes);
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
