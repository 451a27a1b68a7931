// A consumer made by stoppableConsumer keeps reading after its handler threw an error kafkajs
// calls non-retriable: kafkajs restarts a crashed consumer only for retriable errors, so a
// service whose transaction the broker refused outright (a fenced producer, MESSAGE_TOO_LARGE)
// stayed up without reading (issue #21: the settings writer, matcher and replier all throw
// their transaction errors from eachBatch).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaJSNonRetriableError, type Admin, type Consumer, type Kafka, type Producer } from 'kafkajs';
import type { OptlineConfig } from '@optline/runtime';
import { testConfig, uniqueName } from '@optline/test';
import { createKafka, provisionTopics, retriableForKafkajs, stoppableConsumer } from '../src/index.ts';

let config: OptlineConfig;
let kafka: Kafka;
let admin: Admin;
let producer: Producer;
const consumers: Consumer[] = [];

beforeAll(async () => {
  config = testConfig({ topicNamespace: uniqueName('it-stoppable') });
  // Quick retries: the batch is retried a few times, then the consumer restarts.
  kafka = createKafka(config, undefined, uniqueName('stoppable'), { retry: { initialRetryTime: 50, retries: 2 } });
  admin = kafka.admin();
  producer = kafka.producer({ idempotent: true });
  await Promise.all([admin.connect(), producer.connect()]);
});

afterAll(async () => {
  for (const c of consumers) await c.disconnect().catch(() => undefined);
  await Promise.all([admin?.disconnect(), producer?.disconnect()]);
});

const until = async (what: string, done: () => boolean, timeoutMs = 30_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe('stoppableConsumer', () => {
  it('a handler that throws a non-retriable error: the batch is read again and the consumer goes on', async () => {
    const topic = `${config.topicNamespace}.${uniqueName('refused')}`;
    await provisionTopics(admin, { ...config, partitions: 1 }, [{ name: topic, valueSchema: null, compacted: false, doc: 'test' }]);
    const consumer = stoppableConsumer(kafka, { groupId: uniqueName('stoppable'), maxWaitTimeInMs: 50 });
    consumers.push(consumer);
    const crashes: boolean[] = [];
    consumer.on(consumer.events.CRASH, ({ payload }) => void crashes.push(payload.restart));
    const seen: string[] = [];
    let refusals = 3;
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch, resolveOffset }) => {
        for (const m of batch.messages) {
          if (m.value!.toString() === 'refused' && refusals-- > 0) throw new KafkaJSNonRetriableError('the broker refused the transaction');
          seen.push(m.value!.toString());
          resolveOffset(m.offset);
        }
      },
    });
    await producer.send({ topic, acks: -1, messages: [{ value: 'first' }, { value: 'refused' }, { value: 'last' }] });
    await until('every record read', () => seen.includes('last'));
    await producer.send({ topic, acks: -1, messages: [{ value: 'later' }] });
    await until('a later record read', () => seen.includes('later'));
    expect(seen).toEqual(['first', 'refused', 'last', 'later']);
    // The refusals outlasted the batch's retries once: a crash, and kafkajs restarted it.
    expect(crashes).toEqual([true]);
  }, 60_000);

  it('passes rebalance answers and retriable errors through unchanged', () => {
    const rebalance = Object.assign(new Error('The group is rebalancing'), { type: 'REBALANCE_IN_PROGRESS', retriable: false });
    expect(retriableForKafkajs(rebalance)).toBe(rebalance);
    const plain = new Error('a sink failed');
    expect(retriableForKafkajs(plain)).toBe(plain);
    const wrapped = retriableForKafkajs(new TypeError('x is undefined')) as Error;
    expect(wrapped.name).toBe('Error');
    expect(wrapped.message).toBe('TypeError: x is undefined');
  });
});
