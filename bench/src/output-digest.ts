// What `bench matcher-vs-streams` compares: the records two implementations wrote, decoded.
// Per key in order: a key's records come from one input partition, processed in order by both,
// so their sequence must match record for record. Across keys the order within an output
// partition depends on how the tasks' transactions interleave (a partition of the facts gets
// records from every input partition), so each partition is compared as a set: same records in
// the same partition (both use Kafka's default partitioner on the key).
import { createHash, randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { Codec, TOPICS, type AvroSerde } from '@optline/kafka';

/** Fields set from the wall clock when a record is written, so never equal across two runs. */
export const WALL_CLOCK_FIELDS: ReadonlySet<string> = new Set(['recorded_at']);

/** JSON with object keys sorted at every level: equal values give equal text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Buffer.isBuffer(value)) return JSON.stringify(value.toString('base64'));
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** A decoded record as compared: the key and the value without its wall-clock fields (null: a tombstone). */
export function comparableLine(key: string | null, value: unknown): string {
  let v = value;
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    v = Object.fromEntries(Object.entries(v as Record<string, unknown>).filter(([k]) => !WALL_CLOCK_FIELDS.has(k)));
  }
  return `${JSON.stringify(key)}\t${v === null ? 'null' : canonicalJson(v)}`;
}

export interface TopicDigest {
  records: number;
  tombstones: number;
  /** sha256 over the keys, sorted, each with the chained hash of its records in order. */
  perKey: string;
  /** sha256 of each partition's record hashes sorted; index = partition. */
  partitions: string[];
}

const sha1 = (text: string) => createHash('sha1').update(text).digest('base64');

/** Digest of one topic's records, fed in offset order within each partition. */
export class DigestBuilder {
  private readonly keys = new Map<string, string>();
  private readonly byPartition = new Map<number, string[]>();
  private records = 0;
  private tombstones = 0;

  add(partition: number, key: string | null, value: unknown): void {
    const line = comparableLine(key, value);
    const k = JSON.stringify(key);
    this.keys.set(k, sha1(`${this.keys.get(k) ?? ''}\n${line}`));
    let lines = this.byPartition.get(partition);
    if (!lines) this.byPartition.set(partition, (lines = []));
    // A hash per line, not the line: 1 M records stay small to sort.
    lines.push(sha1(line));
    this.records++;
    if (value === null) this.tombstones++;
  }

  digest(partitionCount: number): TopicDigest {
    const perKey = createHash('sha256');
    for (const k of [...this.keys.keys()].sort()) perKey.update(`${k}\t${this.keys.get(k)}\n`);
    const partitions = Array.from({ length: partitionCount }, (_, p) => createHash('sha256').update([...(this.byPartition.get(p) ?? [])].sort().join('\n')).digest('hex'));
    return { records: this.records, tombstones: this.tombstones, perKey: perKey.digest('hex'), partitions };
  }
}

/** How two digests of the same topic compare. */
export function compareDigests(a: TopicDigest, b: TopicDigest): 'identical' | 'same records per key, other partitions' | 'different' {
  if (a.perKey !== b.perKey || a.records !== b.records) return 'different';
  return a.partitions.length === b.partitions.length && a.partitions.every((p, i) => p === b.partitions[i]) ? 'identical' : 'same records per key, other partitions';
}

/**
 * Reads each topic from the start up to its end now (committed records only) and digests it.
 * The end: every partition's next offset within one of its high watermark (a transaction's
 * commit marker takes an offset no consumer sees); nothing new for `idleMs` before it is an error.
 */
export async function digestTopics(kafka: Kafka, serde: AvroSerde, topics: readonly string[], idleMs = 60_000): Promise<Map<string, TopicDigest>> {
  const admin = kafka.admin();
  await admin.connect();
  const high = new Map<string, number[]>();
  for (const topic of topics) {
    const offsets = await admin.fetchTopicOffsets(topic);
    high.set(topic, offsets.sort((x, y) => x.partition - y.partition).map((o) => Number(o.high)));
  }
  await admin.disconnect();
  const builders = new Map(topics.map((t) => [t, new DigestBuilder()]));
  // Each side writes its own copies of optline's topics, named `<prefix>.<topic>`: read as that topic's record.
  const codec = new Codec(serde);
  const recordOf = new Map(topics.map((t) => {
    const record = Object.values(TOPICS).find((spec) => t === spec.name || t.endsWith(`.${spec.name}`))?.valueSchema;
    if (!record) throw new Error(`digest: ${t} is not a copy of an Avro topic of optline`);
    return [t, record];
  }));
  const next = new Map(topics.map((t) => [t, high.get(t)!.map(() => 0)]));
  const consumer = kafka.consumer({ groupId: `bench-digest-${randomUUID()}`, readUncommitted: false, maxBytesPerPartition: 4 * 1024 * 1024 });
  await consumer.connect();
  let last = Date.now();
  // The position from kafkajs' end of each batch, not the last record's offset: it counts the
  // transaction markers behind the last record too (an abort marker after a commit marker
  // left the end one offset further than the last record + 1), and batches of markers only.
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    const positions = next.get(payload.topic);
    if (positions) positions[payload.partition] = Math.max(positions[payload.partition]!, Number(payload.lastOffset) + 1);
  });
  try {
    for (const topic of topics) await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch, heartbeat }) => {
        const b = builders.get(batch.topic)!;
        for (const m of batch.messages) {
          const value = m.value === null ? null : await codec.decodeSoon(recordOf.get(batch.topic)!, m.value);
          b.add(batch.partition, m.key?.toString('utf8') ?? null, value);
          next.get(batch.topic)![batch.partition] = Number(m.offset) + 1;
        }
        if (batch.messages.length > 0) last = Date.now();
        await heartbeat();
      },
    });
    const done = () => topics.every((t) => high.get(t)!.every((h, p) => next.get(t)![p]! >= h - 1));
    while (!done() && Date.now() - last < idleMs) await new Promise((r) => setTimeout(r, 100));
    // Else a digest of part of a topic would compare as 'different' (a loaded machine once stalled the read for 5 s).
    const short = topics.filter((t) => !high.get(t)!.every((h, p) => next.get(t)![p]! >= h - 1));
    if (short.length > 0) throw new Error(`digest: nothing new for ${idleMs} ms before the end of ${short.join(', ')}: not compared`);
  } finally {
    await consumer.disconnect();
  }
  return new Map(topics.map((t) => [t, builders.get(t)!.digest(high.get(t)!.length)]));
}
