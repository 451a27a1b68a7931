// A batch that starts past where the materializer stands must not skip the facts before it.
// kafkajs delivers batches fetched before a rejoin after it: a fetcher whose fetch failed on a
// leader move rejoins the group while another fetcher's request, made from the old position, is
// still in flight (issue #21). Here the consumer is made to deliver such a batch: the partition is
// paused, facts are written, the consumer seeks past some of them, then resumes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Consumer, Kafka, Producer } from 'kafkajs';
import { AvroSerde, createKafka, provision, type Topics } from '@optline/kafka';
import { createLogger, type OptlineConfig } from '@optline/runtime';
import { testConfig, uniqueName } from '@optline/test';
import { Materializer } from '../src/index.ts';
import { incoming, MatcherStandIn, OutputReader } from './support.ts';

let config: OptlineConfig;
let named: Topics;
let kafka: Kafka;
let producer: Producer;
let matcher: MatcherStandIn;
let reader: OutputReader;
let materializer: Materializer;

beforeAll(async () => {
  config = testConfig({ topicNamespace: uniqueName('it-mat-stale'), windowMs: 1000, windowGraceMs: 200 });
  ({ topics: named } = await provision(config));
  kafka = createKafka(config);
  const serde = new AvroSerde(config.schemaRegistryUrl, named);
  producer = kafka.producer({ idempotent: true });
  await producer.connect();
  matcher = new MatcherStandIn(producer, serde, named);
  reader = await new OutputReader(kafka, serde, named).start();
  materializer = new Materializer({ config, logger: createLogger('materializer-test', 'warn') });
  await materializer.start();
});

afterAll(async () => {
  await materializer?.stop();
  await Promise.all([reader?.stop(), producer?.disconnect()]);
});

/** The service's own consumer: only through it can a test make kafkajs deliver a batch from elsewhere. */
const consumerOf = (m: Materializer) => (m as unknown as { consumer: Consumer }).consumer;

/** Writes `n` facts of `project` to `partition` while it is paused, then lets the consumer read them from `offsetOf(first)`. */
async function deliverFrom(project: string, partition: number, n: number, offsetOf: (first: number) => number): Promise<void> {
  const consumer = consumerOf(materializer);
  const topic = named.facts.name;
  consumer.pause([{ topic, partitions: [partition] }]);
  let first = -1;
  for (let i = 0; i < n; i++) {
    const { offset } = await matcher.fact(incoming(project, `0042190500${partition}${String(i).padStart(3, '0')}`, `${project}-${i}`, `${project}-${i}`), Date.now(), partition);
    if (i === 0) first = offset;
  }
  consumer.seek({ topic, partition, offset: String(offsetOf(first)) });
  consumer.resume([{ topic, partitions: [partition] }]);
}

const tracked = (project: string) => reader.of(named.campaign.name, project).map((r) => r.value!.customer_id as string).sort();

describe('materializer: a batch from past the read position', () => {
  it('on a partition the group never committed: the facts before the batch are read too', async () => {
    // Partition 5 has had no fact yet: the first batch the consumer delivers starts at the third.
    await deliverFrom('never-committed', 5, 5, (first) => first + 2);
    const all = Array.from({ length: 5 }, (_, i) => `never-committed-${i}`);
    await reader.waitFor('5 incoming_message events', () => tracked('never-committed').length >= 5, 20_000).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 1500)); // a window and its grace: a copy would show
    expect(tracked('never-committed')).toEqual(all);
  });

  it('on a partition it has read: the facts between the read position and the batch are read too', async () => {
    // Partition 4 is read up to here, then the consumer skips two facts.
    await matcher.fact(incoming('read-before', '00421905004999', 'read-before-first', 'read-before-first'), Date.now(), 4);
    await reader.waitFor('the first event', () => tracked('read-before').length >= 1, 20_000);
    await deliverFrom('read-before', 4, 4, (first) => first + 2);
    const all = ['read-before-first', ...Array.from({ length: 4 }, (_, i) => `read-before-${i}`)].sort();
    await reader.waitFor('5 incoming_message events', () => tracked('read-before').length >= 5, 20_000).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 1500));
    expect(tracked('read-before')).toEqual(all);
  });

  it('past aborted facts that take several fetches (kafkajs passes over them by itself): the next fact is read', async () => {
    await matcher.fact(incoming('aborted', '00421905003999', 'aborted-first', 'aborted-first'), Date.now(), 3);
    await reader.waitFor('the first event', () => tracked('aborted').length >= 1, 20_000);
    const aborter = kafka.producer({ transactionalId: uniqueName('it-aborter'), idempotent: true, maxInFlightRequests: 1 });
    await aborter.connect();
    try {
      const transaction = await aborter.transaction();
      // ~3 MB of aborted records: three fetches of kafkajs' 1 MiB per partition, none reaching eachBatch.
      for (let i = 0; i < 30; i++) {
        await transaction.send({ topic: named.facts.name, messages: Array.from({ length: 100 }, () => ({ key: 'aborted', value: Buffer.alloc(1024, 1), partition: 3 })) });
      }
      await transaction.abort();
    } finally {
      await aborter.disconnect();
    }
    await matcher.fact(incoming('aborted', '00421905003998', 'aborted-after', 'aborted-after'), Date.now(), 3);
    await reader.waitFor('2 incoming_message events', () => tracked('aborted').length >= 2, 20_000).catch(() => undefined);
    expect(tracked('aborted')).toEqual(['aborted-after', 'aborted-first']);
  });
});
