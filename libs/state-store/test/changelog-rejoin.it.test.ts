// A restore under way when the reader's consumer rejoins its group (on a cluster: its coordinator
// moved with a node) goes on where it was. kafkajs starts each partition again from the group's
// committed offset after a rejoin, and the reader commits nothing: before, a restore went on from
// the topic's end, and with nothing new written it waited for ever (the matcher's task never
// opened); with new records it finished without what lay between (issue #21). A second member
// joining the reader's group while the first batch is being applied makes that rejoin here.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Admin, Consumer, Kafka, Producer } from 'kafkajs';
import { createKafka, provisionTopics } from '@optline/kafka';
import { testConfig, uniqueName } from '@optline/test';
import { ChangelogReader, RocksDbStore, type KeyValueStore } from '../src/index.ts';

let kafka: Kafka;
let admin: Admin;
let producer: Producer;
let reader: ChangelogReader;
let member: Consumer | undefined;
let dir: string;
const topic = uniqueName('it-state-store.rejoin');
// More than one fetch (the reader takes 4 MiB per partition): the restore needs a second one.
const RECORDS = 12;
const VALUE = 'v'.repeat(500_000);

beforeAll(async () => {
  kafka = createKafka(testConfig());
  admin = kafka.admin();
  await admin.connect();
  await provisionTopics(admin, { partitions: 1, replicationFactor: 1 }, [{ name: topic, valueSchema: null, compacted: true, doc: 'test changelog' }]);
  producer = kafka.producer({ idempotent: true });
  await producer.connect();
  for (let i = 0; i < RECORDS; i++) await producer.send({ topic, acks: -1, messages: [{ key: `k${i}`, value: VALUE }] });
  reader = new ChangelogReader(kafka, [topic], uniqueName('it-state-store.rejoin-restore'));
  dir = await mkdtemp(join(tmpdir(), 'changelog-rejoin-'));
});

afterAll(async () => {
  await member?.disconnect().catch(() => undefined);
  await reader?.stop();
  await producer?.disconnect();
  await admin?.disconnect();
  await rm(dir, { recursive: true, force: true });
});

/** The store, with its first batch held until `release()`. */
function held(store: RocksDbStore): { store: KeyValueStore; release: () => void; entered: Promise<void> } {
  let release!: () => void;
  let entered!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const enteredP = new Promise<void>((r) => (entered = r));
  const proxy = new Proxy(store, {
    get(target, prop) {
      if (prop === 'batch') return async (...args: Parameters<KeyValueStore['batch']>) => (entered(), await gate, target.batch(...args));
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { store: proxy, release, entered: enteredP };
}

describe('ChangelogReader: a rejoin during a restore', () => {
  it('the restore goes on where it was and applies every record', async () => {
    const rocks = await RocksDbStore.open(join(dir, 'db'));
    const { store, release, entered } = held(rocks);
    const restoring = reader.restore(store, topic, 0);
    await entered;
    const consumer = (reader as unknown as { consumer: Consumer }).consumer;
    member = kafka.consumer({ groupId: (await consumer.describeGroup()).groupId, maxWaitTimeInMs: 50 });
    await member.connect();
    await member.subscribe({ topic });
    // Joining waits for the reader to rejoin, which waits for its batch: started, not awaited.
    const joined = member.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: async () => undefined });
    // Past kafkajs' heartbeat interval (3 s): the reader learns of the rebalance right after this batch.
    await new Promise((r) => setTimeout(r, 4000));
    release();
    await joined;
    // Whichever member got the partition, the reader has it again once the other leaves.
    await new Promise((r) => setTimeout(r, 1000));
    await member.disconnect();
    const result = await Promise.race([restoring, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the restore did not finish within 30 s')), 30_000))]);
    expect(result.records).toBe(RECORDS);
    let count = 0;
    for await (const entry of rocks.range()) count += entry[1].length === VALUE.length ? 1 : 0;
    expect(count).toBe(RECORDS);
    await rocks.close();
  }, 90_000);
});
