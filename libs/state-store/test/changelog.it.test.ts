import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Admin, Kafka, Producer } from 'kafkajs';
import { createKafka, provisionTopics } from '@optline/kafka';
import { testConfig, uniqueName } from '@optline/test';
import { ChangelogReader, RocksDbStore } from '../src/index.ts';

let kafka: Kafka;
let admin: Admin;
let producer: Producer;
let reader: ChangelogReader;
let dir: string;
const topic = uniqueName('it-state-store.changelog');

async function contents(store: RocksDbStore): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for await (const [k, v] of store.range()) out[k] = v.toString();
  return out;
}

async function inTransaction(messages: Array<{ key: string; value: string | null }>, commit = true): Promise<void> {
  const tx = await producer.transaction();
  await tx.send({ topic, messages: messages.map((m) => ({ ...m, partition: 1 })) });
  await (commit ? tx.commit() : tx.abort());
}

beforeAll(async () => {
  kafka = createKafka(testConfig());
  admin = kafka.admin();
  await admin.connect();
  // provisionTopics, not createTopics: it waits out the moment after a creation when KRaft's
  // metadata still answers UNKNOWN_TOPIC_OR_PARTITION (seen failing this file under load).
  await provisionTopics(admin, { partitions: 2, replicationFactor: 1 }, [{ name: topic, valueSchema: null, compacted: true, doc: 'test changelog' }]);
  producer = kafka.producer({ transactionalId: `it-changelog-${randomUUID()}`, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  reader = new ChangelogReader(kafka, [topic], 'it-state-store.restore');
  dir = await mkdtemp(join(tmpdir(), 'changelog-it-'));
});

afterAll(async () => {
  await reader?.stop();
  await producer?.disconnect();
  await admin?.disconnect();
  await rm(dir, { recursive: true, force: true });
});

describe('ChangelogReader', () => {
  it('restores committed puts and tombstones of one partition, skips aborted records, then only what is new', async () => {
    await inTransaction([{ key: 'a', value: 'a1' }, { key: 'b', value: 'b1' }, { key: 'c', value: 'c1' }]);
    await inTransaction([{ key: 'a', value: 'a2' }, { key: 'b', value: null }]);
    await inTransaction([{ key: 'c', value: 'aborted' }, { key: 'd', value: 'aborted' }], false);
    // A record on the other partition belongs to another store.
    const tx = await producer.transaction();
    await tx.send({ topic, messages: [{ key: 'other', value: 'x', partition: 0 }] });
    await tx.commit();

    const store = await RocksDbStore.open(join(dir, 'p1'));
    const first = await reader.restore(store, topic, 1);
    expect(await contents(store)).toEqual({ a: 'a2', c: 'c1' });
    expect(first.records).toBe(5);
    expect(first.from).toBe('0');

    await inTransaction([{ key: 'e', value: 'e1' }]);
    // A commit returns before its markers are written, so the last stable offset may lag it for
    // a moment (seen under load): restore again until the committed record is readable.
    let second = await reader.restore(store, topic, 1);
    for (let i = 0; second.records === 0 && i < 50; i++) {
      await new Promise((r) => setTimeout(r, 100));
      second = await reader.restore(store, topic, 1);
    }
    expect(second.records).toBe(1);
    expect(second.from).toBe(first.to);
    expect(await contents(store)).toEqual({ a: 'a2', c: 'c1', e: 'e1' });

    const third = await reader.restore(store, topic, 1);
    expect(third.records).toBe(0);
    await store.close();
  });

  it('rebuilds a store whose checkpoint belongs to another changelog', async () => {
    const store = await RocksDbStore.open(join(dir, 'foreign'));
    await store.batch([{ type: 'put', key: 'stale', value: Buffer.from('x') }], { topic: 'some-other-topic', partition: 1, offset: '3' });
    const result = await reader.restore(store, topic, 1);
    expect(result.rebuilt).toBe(true);
    expect(await contents(store)).toEqual({ a: 'a2', c: 'c1', e: 'e1' });
    await store.close();
  });
});
