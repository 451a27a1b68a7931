import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigResourceTypes, type Admin, type Kafka } from 'kafkajs';
import { schema, schemas } from '@optline/schemas';
import { collect, testConfig, uniqueName } from '@optline/test';
import { AvroSerde, Codec, createKafka, deadLetterMessage, provision, provisionTopics, readDeadLetterReason, SchemaRegistryError, type Topics, type TopicSpec } from '../src/index.ts';
import { SAMPLES } from './samples.ts';

let kafka: Kafka;
let admin: Admin;
let serde: AvroSerde;
let TOPICS: Topics;

beforeAll(async () => {
  // A namespace of its own: this file sees only the topics it provisioned.
  const config = testConfig({ topicNamespace: uniqueName('it-kafka') });
  ({ topics: TOPICS } = await provision(config));
  kafka = createKafka(config);
  admin = kafka.admin();
  await admin.connect();
  serde = new AvroSerde(config.schemaRegistryUrl, TOPICS);
});

afterAll(async () => {
  await admin?.disconnect();
});

describe('topics', () => {
  it('provisions every topic, compacted ones with cleanup.policy=compact (compact,delete with a retention)', async () => {
    const names = Object.values(TOPICS).map((t: TopicSpec) => t.name);
    expect(await admin.listTopics()).toEqual(expect.arrayContaining(names));
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: names.map((name) => ({ type: ConfigResourceTypes.TOPIC, name, configNames: ['cleanup.policy'] })),
    });
    const policy = Object.fromEntries(described.resources.map((r) => [r.resourceName, r.configEntries[0]?.configValue]));
    for (const spec of Object.values(TOPICS) as TopicSpec[]) {
      // compact,delete: compacted, and deleted by time too (the replier's attempts).
      expect(policy[spec.name], spec.name).toBe(spec.compacted ? (spec.retentionMs === undefined ? 'compact' : 'compact,delete') : 'delete');
    }
    expect(policy[TOPICS.blacklist.name]).toBe('compact');
    expect(TOPICS.blacklist.name).toMatch(/\.sms\.blacklist\.v1$/);
  });
});

describe('Avro serde through the schema registry', () => {
  it.each(Object.keys(SAMPLES))('round-trips a %s through a topic', async (name) => {
    const topic = uniqueName(`it.roundtrip.${name}`);
    // provisionTopics, not createTopics: it waits out the moment after a creation when KRaft's
    // metadata still answers UNKNOWN_TOPIC_OR_PARTITION (right after beforeAll created ~20 topics).
    await provisionTopics(admin, { ...testConfig(), partitions: 1 }, [{ name: topic, valueSchema: null, compacted: false, doc: '' }]);
    const id = await serde.register(`${topic}-value`, schema(name));
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [{ key: 'k', value: await serde.registry.encode(id, SAMPLES[name]) }] });
    await producer.disconnect();
    const [record] = await collect(kafka, topic, (r) => r.length >= 1);
    expect(record!.value![0]).toBe(0); // Confluent wire format: magic byte, then the schema id
    expect(record!.value!.readInt32BE(1)).toBe(id);
    expect(await new Codec(serde).decode(name, record!.value!)).toEqual(SAMPLES[name]);
  });

  it('registers a new subject from several processes at once: each gets the one id', async () => {
    // Apicurio answers 409 "rule already exists" to all but the first of concurrent PUT /config.
    for (let round = 0; round < 5; round++) {
      const subject = `${uniqueName('it.concurrent')}-value`;
      const ids = await Promise.all(Array.from({ length: 4 }, () => new AvroSerde(serde.registryUrl, TOPICS).register(subject, schema('InboundSms'))));
      expect(new Set(ids).size).toBe(1);
    }
  });

  it('has a sample for every schema', () => {
    expect(Object.keys(SAMPLES).sort()).toEqual(Object.keys(schemas).sort());
  });

  it('refuses a schema change that breaks BACKWARD compatibility, and accepts a compatible one', async () => {
    const base = schema('InboundSms');
    const subject = `${TOPICS.inbound.name}-value`;
    // A new required field without a default: readers of the new schema cannot read old records.
    const breaking = { ...base, fields: [...base.fields, { name: 'carrier', type: 'string', doc: 'x' }] };
    const error = await serde.register(subject, breaking).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SchemaRegistryError);
    expect((error as SchemaRegistryError).status).toBe(409);
    // The same field with a default is a compatible evolution, registered in a scratch subject
    // so that the real subject keeps the schema the code writes.
    const scratch = uniqueName('it.compat') + '-value';
    await serde.register(scratch, base);
    const compatible = { ...base, fields: [...base.fields, { name: 'carrier', type: ['null', 'string'], default: null, doc: 'x' }] };
    await expect(serde.register(scratch, compatible)).resolves.toBeGreaterThan(0);
    await expect(serde.register(scratch, breaking)).rejects.toThrow(/409/);
  });
});

describe('transactions (kafkajs 2.2.4 against the pinned broker)', () => {
  it('commits sends with consumed offsets atomically; an aborted send is never read by read_committed', async () => {
    const input = uniqueName('it.tx.in');
    const output = uniqueName('it.tx.out');
    const group = uniqueName('it.tx.group');
    await provisionTopics(admin, { ...testConfig(), partitions: 1 }, [input, output].map((name) => ({ name, valueSchema: null, compacted: false, doc: '' })));
    const producer = kafka.producer({ transactionalId: `it-${randomUUID()}`, idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    let tx = await producer.transaction();
    await tx.send({ topic: output, messages: [{ key: 'a', value: 'committed-1' }] });
    await tx.sendOffsets({ consumerGroupId: group, topics: [{ topic: input, partitions: [{ partition: 0, offset: '42' }] }] });
    await tx.commit();
    tx = await producer.transaction();
    await tx.send({ topic: output, messages: [{ key: 'b', value: 'aborted' }] });
    await tx.sendOffsets({ consumerGroupId: group, topics: [{ topic: input, partitions: [{ partition: 0, offset: '99' }] }] });
    await tx.abort();
    tx = await producer.transaction();
    await tx.send({ topic: output, messages: [{ key: 'c', value: 'committed-2' }] });
    await tx.commit();
    await producer.disconnect();

    const records = await collect(kafka, output, (r) => r.some((m) => m.value?.toString() === 'committed-2'));
    expect(records.map((r) => r.value?.toString())).toEqual(['committed-1', 'committed-2']);
    const [offsets] = await admin.fetchOffsets({ groupId: group, topics: [input] });
    expect(offsets!.partitions[0]!.offset).toBe('42');
  });
});

describe('dead-letter helper', () => {
  it('keeps the raw bytes and key untouched and carries the reason in headers', async () => {
    const raw = Buffer.from([0xff, 0x00, 0x13, 0x37]);
    const key = uniqueName('dlq-key');
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    await producer.send({
      topic: TOPICS.deadLetter.name,
      acks: -1,
      messages: [deadLetterMessage(key, raw, { source: 'sms.inbound.v1/0@17', rule: 'undecodable', field: 'value', message: 'not Avro' })],
    });
    await producer.disconnect();
    const records = await collect(kafka, TOPICS.deadLetter.name, (r) => r.some((m) => m.key === key));
    const record = records.find((m) => m.key === key)!;
    expect(record.value).toEqual(raw);
    const reason = readDeadLetterReason(record.headers);
    expect(reason).toMatchObject({ source: 'sms.inbound.v1/0@17', rule: 'undecodable', field: 'value', message: 'not Avro' });
    expect(reason.at).toBeGreaterThan(0);
  });
});
