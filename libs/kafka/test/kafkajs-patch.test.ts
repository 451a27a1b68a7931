// patches/kafkajs+2.2.4.patch speeds up kafkajs' producer (see libs/kafka/README.md). These
// tests pin that the patched code writes the same bytes and picks the same partitions as the
// code it replaces: a difference would put records in other partitions than other Kafka
// clients (breaking co-partitioning) or corrupt batches.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '@optline/test/random';

const require = createRequire(import.meta.url);
const murmur2 = require('kafkajs/src/producer/partitioners/default/murmur2.js') as (key: Buffer | string) => number;
const encodeUncompressed = require('kafkajs/src/protocol/recordBatch/v0/encodeUncompressed.js') as (args: Record<string, unknown>) => Buffer;
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js') as { RecordBatch: (args: Record<string, unknown>) => Promise<{ buffer: Buffer }> };
const Record = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (args: Record<string, unknown>) => unknown;
const Long = require('kafkajs/src/utils/long.js') as { fromValue(v: unknown): unknown; fromNumber(v: number): unknown };
const groupMessagesPerPartition = require('kafkajs/src/producer/groupMessagesPerPartition.js') as (args: Record<string, unknown>) => Record<string, unknown[]>;

describe('kafkajs patch: murmur2', () => {
  it("matches the Java client's Utils.murmur2 on Kafka's own test vectors", () => {
    const cases: Array<[string, number]> = [
      ['21', -973932308], ['foobar', -790332482], ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829], ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971], ['abc', 479470107],
    ];
    for (const [key, hash] of cases) expect(murmur2(Buffer.from(key)), key).toBe(hash);
  });

  it('hashes a string key as its UTF-8 bytes', () => {
    for (const key of ['bench:00421905123456', 'žluťoučký kůň', '', 'a', 'ab', 'abc', 'abcd']) expect(murmur2(key)).toBe(murmur2(Buffer.from(key, 'utf8')));
  });
});

describe('kafkajs patch: groupMessagesPerPartition', () => {
  it('keeps every message, in order, under the partition the partitioner picks', () => {
    const messages = Array.from({ length: 500 }, (_, i) => ({ key: `k${i}`, value: `v${i}` }));
    const grouped = groupMessagesPerPartition({ topic: 't', partitionMetadata: [{}, {}, {}], messages, partitioner: ({ message }: { message: { key: string } }) => Number(message.key.slice(1)) % 3 });
    expect(Object.keys(grouped).sort()).toEqual(['0', '1', '2']);
    for (const p of [0, 1, 2]) expect(grouped[p]).toEqual(messages.filter((_, i) => i % 3 === p));
  });
});

describe('kafkajs patch: uncompressed record batches', () => {
  const random = seededRandom(7);
  const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)]!;
  const text = (max: number) => Array.from({ length: Math.floor(random() * max) }, () => pick(['a', 'Z', '0', ' ', 'é', 'ü', '€', '😀'])).join('');

  function message(i: number): Record<string, unknown> {
    const m: Record<string, unknown> = {
      key: pick([null, undefined, text(30), Buffer.from(text(30)), `00421${i}`]),
      value: pick([null, text(400), Buffer.from(text(2000)), Buffer.alloc(0), '']),
    };
    if (random() < 0.5) m.headers = { reason: text(40), multi: [text(5), Buffer.from(text(5))], empty: '' };
    if (random() < 0.3) m.timestamp = String(1_700_000_000_000 + Math.floor(random() * 1e6));
    return m;
  }

  /** What kafkajs' produce v3 request wrote for a partition before the patch (Compression.None). */
  async function original(messages: Array<Record<string, unknown>>, dateNow: number, transactional: boolean, producerId: unknown, producerEpoch: number, firstSequence: number): Promise<Buffer> {
    const stamps = messages.map((m) => m.timestamp).filter((t) => t != null).sort() as string[];
    const timestamps = stamps.length === 0 ? [dateNow] : stamps;
    const firstTimestamp = timestamps[0]!;
    const records = messages.map((m, i) => Record({ ...m, offsetDelta: i, timestampDelta: (Number(m.timestamp) || dateNow) - Number(firstTimestamp) }));
    const batch = await RecordBatch({ records, firstTimestamp, maxTimestamp: timestamps[timestamps.length - 1], producerId, producerEpoch, firstSequence, transactional, lastOffsetDelta: records.length - 1 });
    return batch.buffer;
  }

  it('writes the same bytes as kafkajs for 300 random batches (keys, values, headers, timestamps, transactional or not)', async () => {
    for (let n = 0; n < 300; n++) {
      const messages = Array.from({ length: 1 + Math.floor(random() * 40) }, (_, i) => message(i));
      const dateNow = 1_700_000_500_000 + n;
      const transactional = random() < 0.5;
      const producerId = Long.fromValue(String(Math.floor(random() * 100000)));
      const producerEpoch = Math.floor(random() * 30);
      const firstSequence = Math.floor(random() * 1e6);
      const expected = await original(messages, dateNow, transactional, producerId, producerEpoch, firstSequence);
      const actual = encodeUncompressed({ messages, dateNow, transactional, producerId, producerEpoch, firstSequence });
      expect(actual.equals(expected), `batch ${n}`).toBe(true);
    }
  });
});
