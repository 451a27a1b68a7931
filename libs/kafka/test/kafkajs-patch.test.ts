// patches/kafkajs+2.2.4+001+producer-speed.patch speeds up kafkajs' producer (see patches/README.md). These
// tests pin that the patched code writes the same bytes and picks the same partitions as the
// code it replaces: a difference would put records in other partitions than other Kafka
// clients (breaking co-partitioning) or corrupt batches.
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { seededRandom } from '@optline/test/random';

const require = createRequire(import.meta.url);
const murmur2 = require('kafkajs/src/producer/partitioners/default/murmur2.js') as (key: Buffer | string) => number;
const encodeUncompressed = require('kafkajs/src/protocol/recordBatch/v0/encodeUncompressed.js') as (args: Record<string, unknown>) => Buffer;
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js') as { RecordBatch: (args: Record<string, unknown>) => Promise<{ buffer: Buffer }> };
const Record = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (args: Record<string, unknown>) => unknown;
const Long = require('kafkajs/src/utils/long.js') as { fromValue(v: unknown): unknown; fromNumber(v: number): unknown };
const crc32C = require('kafkajs/src/protocol/recordBatch/crc32C/index.js') as (buffer: Buffer) => number;
const Encoder = require('kafkajs/src/protocol/encoder.js') as new (size?: number) => { writeInt16(v: number): any; writeInt32(v: number): any; writeString(v: string | null): any; writeEncoder(e: unknown): any; size(): number; buffer: Buffer };
const frameRequest = require('kafkajs/src/protocol/request.js') as (args: Record<string, unknown>) => Promise<{ buffer: Buffer }>;
const produceV3 = require('kafkajs/src/protocol/requests/produce/v3/request.js') as (args: Record<string, unknown>) => { apiKey: number; apiVersion: number; encode(): Promise<unknown> };
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

describe('kafkajs patch: CRC-32C (slicing-by-8)', () => {
  // Bit by bit from the Castagnoli polynomial: shares nothing with kafkajs' tables.
  function reference(buffer: Buffer): number {
    let crc = 0xffffffff;
    for (const byte of buffer) {
      crc ^= byte;
      for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
    }
    return (crc ^ 0xffffffff) >>> 0;
  }

  it('gives the check value of CRC-32C and agrees with a bitwise reference at every length and offset', () => {
    expect(crc32C(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32C(Buffer.alloc(0))).toBe(0);
    const random = seededRandom(11);
    const pool = Buffer.from(Array.from({ length: 4096 }, () => Math.floor(random() * 256)));
    for (let length = 0; length < 300; length++) {
      const start = length % 13; // unaligned views too
      const slice = pool.subarray(start, start + length);
      expect(crc32C(slice), `length ${length}`).toBe(reference(slice));
    }
  });
});

describe('kafkajs patch: request framing and unzeroed encoder buffers', () => {
  afterEach(() => vi.restoreAllMocks());

  type ProduceArgs = { acks: number; timeout: number; transactionalId: string | null; producerId: unknown; producerEpoch: number; topicData: Array<{ topic: string; partitions: Array<{ partition: number; firstSequence: number; messages: unknown[] }> }> };

  /**
   * kafkajs' produce v3 payload and request framing before the patches: an encoder per
   * partition, per topic and for the request (each written with writeArray), then the header
   * and payload copied behind the size. Record sets from encodeUncompressed (tested above).
   */
  function originalFrame({ correlationId, clientId, apiKey, apiVersion, args }: { correlationId: number; clientId: string | null; apiKey: number; apiVersion: number; args: ProduceArgs }): Buffer {
    const E = Encoder as unknown as new (size?: number) => { writeInt16(v: number): any; writeInt32(v: number): any; writeString(v: string | null): any; writeBuffer(b: Buffer): any; writeArray(a: unknown[]): any; writeEncoder(e: unknown): any; size(): number; buffer: Buffer };
    const topics = args.topicData.map(({ topic, partitions }) => new E().writeString(topic).writeArray(partitions.map(({ partition, firstSequence, messages }) => {
      const set = encodeUncompressed({ messages, dateNow: Date.now(), transactional: !!args.transactionalId, producerId: args.producerId, producerEpoch: args.producerEpoch, firstSequence });
      return new E().writeInt32(partition).writeInt32(set.length).writeBuffer(set);
    })));
    const payload = new E().writeString(args.transactionalId).writeInt16(args.acks).writeInt32(args.timeout).writeArray(topics);
    const requestPayload = new E().writeInt16(apiKey).writeInt16(apiVersion).writeInt32(correlationId).writeString(clientId).writeEncoder(payload);
    return new E().writeInt32(requestPayload.size()).writeEncoder(requestPayload).buffer;
  }

  function produceArgs(seed: number): ProduceArgs {
    const random = seededRandom(seed);
    const messages = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `00421${i}`, value: Buffer.alloc(Math.floor(random() * 3000), i), headers: random() < 0.5 ? { h: 'v' } : undefined }));
    return {
      acks: -1,
      timeout: 30000,
      transactionalId: random() < 0.5 ? null : 'tx-ü',
      producerId: Long.fromNumber(42),
      producerEpoch: 1,
      topicData: [0, 1].map((t) => ({ topic: `topic-${t}`, partitions: [0, 1, 2].map((partition) => ({ partition, firstSequence: 7, messages: messages(1 + Math.floor(random() * 20)) })) })),
    };
  }

  it('frames produce requests with the bytes kafkajs wrote, in the payload\'s own buffer, whatever the unzeroed buffers held', async () => {
    vi.spyOn(Date, 'now').mockReturnValue(1_700_000_000_000); // record batches carry the time of encoding
    for (let seed = 1; seed <= 30; seed++) {
      const clientId = seed % 3 === 0 ? null : `optline-é-${seed}`;
      const request = produceV3(produceArgs(seed));
      // kafkajs' own behaviour: zero-filled buffers, the original payload and framing.
      const zeroed = vi.spyOn(Buffer, 'allocUnsafe').mockImplementation((size: number) => Buffer.alloc(size, 0));
      const expected = originalFrame({ correlationId: seed, clientId, apiKey: request.apiKey, apiVersion: request.apiVersion, args: produceArgs(seed) });
      zeroed.mockRestore();
      // The patch: buffers full of garbage, one exact buffer with the frame written in front. Any byte not written would show.
      const garbage = vi.spyOn(Buffer, 'allocUnsafe').mockImplementation((size: number) => Buffer.alloc(size, 0xa5));
      const framed = (await frameRequest({ correlationId: seed, clientId, request })) as { buffer: Buffer; buf: Buffer };
      expect(garbage).toHaveBeenCalled();
      garbage.mockRestore();
      expect(framed.buffer.equals(expected), `request ${seed}`).toBe(true);
      // Exactly sized: the payload's buffer is the request (no copy into a frame, no slack).
      expect(framed.buf.length, `request ${seed}`).toBe(expected.length);
    }
  });

  it('still frames a request whose payload leaves no room in front (every request but produce)', async () => {
    const payload = new Encoder().writeInt32(7).writeString('x');
    const framed = await frameRequest({ correlationId: 3, clientId: 'c', request: { apiKey: 1, apiVersion: 2, encode: async () => payload } });
    expect(framed.buffer.toString('hex')).toBe('00000012' + '0001' + '0002' + '00000003' + '000163' + '00000007' + '000178');
  });
});

describe('kafkajs patch: request queue timer (patches/kafkajs+2.2.4+003+node24-timeout.patch)', () => {
  afterEach(() => vi.restoreAllMocks());

  it('never asks for a negative delay, which Node 24 reports as a TimeoutNegativeWarning on every start', () => {
    const RequestQueue = require('kafkajs/src/network/requestQueue/index.js') as new (args: Record<string, unknown>) => { scheduleCheckPendingRequests(): void; destroy(): void };
    const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, namespace: () => logger };
    const queue = new RequestQueue({ instrumentationEmitter: { emit: () => undefined }, maxInFlightRequests: 1, requestTimeout: 1000, enforceRequestTimeout: false, clientId: 't', broker: 'b', logger, isConnected: () => true });
    const spy = vi.spyOn(globalThis, 'setTimeout');
    queue.scheduleCheckPendingRequests(); // not throttled, nothing pending
    const delays = spy.mock.calls.map((call) => call[1]);
    queue.destroy();
    expect(delays).toHaveLength(1);
    expect(delays[0]).toBeGreaterThanOrEqual(1);
  });
});
