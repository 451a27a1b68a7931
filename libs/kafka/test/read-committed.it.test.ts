import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Admin, Kafka, Producer } from 'kafkajs';
import { collect, testConfig, uniqueName } from '@optline/test';
import { createKafka } from '../src/index.ts';

let kafka: Kafka;
let admin: Admin;
const producers: Producer[] = [];

beforeAll(async () => {
  kafka = createKafka(testConfig());
  admin = kafka.admin();
  await admin.connect();
});

afterAll(async () => {
  for (const p of producers) await p.disconnect();
  await admin?.disconnect();
});

async function transactional(): Promise<Producer> {
  const producer = kafka.producer({ transactionalId: `it-read-committed-${randomUUID()}`, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  producers.push(producer);
  return producer;
}

describe('read_committed through createKafka', () => {
  it('never delivers records of aborted transactions, also when a later-started transaction was aborted first', async () => {
    const topic = uniqueName('it.read-committed');
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    const [early, late, committer] = [await transactional(), await transactional(), await transactional()];
    const a = await early.transaction();
    await a.send({ topic, messages: [{ value: 'aborted-early-1' }, { value: 'aborted-early-2' }] });
    const b = await late.transaction();
    await b.send({ topic, messages: [{ value: 'aborted-late' }] });
    await b.abort(); // listed first by the broker, though it started later
    await a.abort();
    const c = await committer.transaction();
    await c.send({ topic, messages: [{ value: 'committed' }] });
    await c.commit();

    const records = await collect(kafka, topic, (r) => r.some((m) => m.value?.toString() === 'committed'));
    expect(records.map((r) => r.value?.toString())).toEqual(['committed']);
  });
});
