import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Admin, Consumer, Kafka, KafkaConfig, Producer } from 'kafkajs';
import type { Logger, OptlineConfig } from '@optline/runtime';
import { testConfig, uniqueName } from '@optline/test';
import { CompactedTail, createKafka, provisionTopics, TailStoppedError, UndecodableError, type CompactedTailOptions } from '../src/index.ts';

let config: OptlineConfig;
let kafka: Kafka;
let admin: Admin;
let producer: Producer;
const tails: CompactedTail<string>[] = [];

class CaughtUpTooLate extends Error {}

/** A compacted topic of its own per test, so each one knows exactly what the log holds. */
async function topic(): Promise<string> {
  const name = `${config.topicNamespace}.${uniqueName('tail')}`;
  await provisionTopics(admin, { ...config, partitions: 3 }, [{ name, valueSchema: null, compacted: true, doc: 'test' }]);
  return name;
}

async function write(topicName: string, messages: Array<{ key: string; value: string | null }>): Promise<void> {
  await producer.send({ topic: topicName, acks: -1, messages });
}

/** Values are text; one starting with "bad" cannot be read. */
function tail(topicName: string, overrides: Partial<CompactedTailOptions<string>> = {}, client = kafka): { tail: CompactedTail<string>; entries: Map<string, string>; unreadable: () => number } {
  const entries = new Map<string, string>();
  let unreadable = 0;
  const t = new CompactedTail<string>({
    kafka: client, topic: topicName, name: 'test tail', group: `${config.topicNamespace}.tail`, sink: entries,
    decode: (value) => {
      const text = value.toString();
      if (text.startsWith('bad')) throw new UndecodableError('unreadable on purpose');
      return text;
    },
    onUnreadable: () => unreadable++,
    timeoutError: () => new CaughtUpTooLate(),
    ...overrides,
  });
  tails.push(t);
  return { tail: t, entries, unreadable: () => unreadable };
}

/** A kafkajs client whose consumers, once a batch failed all its retries, restart or not. */
function crashing(restart: boolean): Kafka {
  const retry: KafkaConfig['retry'] = { initialRetryTime: 100, restartOnFailure: async () => restart };
  return createKafka(config, undefined, uniqueName('tail-crash'), { retry });
}

function collectingLogger(lines: string[]): Logger {
  const log = (_: unknown, msg: string) => void lines.push(msg);
  return { warn: log, error: log, info: log, debug: log } as unknown as Logger;
}

beforeAll(async () => {
  config = testConfig({ topicNamespace: uniqueName('it-tail') });
  kafka = createKafka(config);
  admin = kafka.admin();
  await admin.connect();
  producer = kafka.producer({ idempotent: true });
  await producer.connect();
});

afterAll(async () => {
  await Promise.all(tails.map((t) => t.stop()));
  await producer?.disconnect();
  await admin?.disconnect();
});

describe('CompactedTail', () => {
  it('is ready with every record written before start: last value per key, tombstones applied, an unreadable update skipped', async () => {
    const name = await topic();
    await write(name, Array.from({ length: 30 }, (_, i) => ({ key: `k${i}`, value: 'v1' })));
    await write(name, Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: 'v2' })));
    await write(name, [{ key: 'k5', value: null }, { key: 'k7', value: 'bad value' }]);
    // The log ends on a transaction's commit marker, which no record stands for.
    const tx = kafka.producer({ transactionalId: uniqueName(`${config.topicNamespace}.tx`), idempotent: true, maxInFlightRequests: 1 });
    await tx.connect();
    const t = await tx.transaction();
    await t.send({ topic: name, messages: [{ key: 'k29', value: 'committed' }] });
    await t.commit();
    await tx.disconnect();

    const { tail: reader, entries, unreadable } = tail(name);
    await reader.start();
    await reader.ready(30_000);
    expect(entries.size).toBe(29);
    expect(entries.has('k5')).toBe(false);
    expect(entries.get('k7')).toBe('v2');
    expect(entries.get('k9')).toBe('v2');
    expect(entries.get('k10')).toBe('v1');
    expect(entries.get('k29')).toBe('committed');
    expect(unreadable()).toBe(1);
    expect(reader.lag()).toBe(0);

    await write(name, [{ key: 'k100', value: 'later' }]);
    await reader.sync();
    expect(entries.get('k100')).toBe('later');
  });

  it('is ready at once on an empty topic', async () => {
    const { tail: reader } = tail(await topic());
    await reader.start();
    await reader.ready(5_000);
    expect(reader.lag()).toBe(0);
  });

  it("times out with the caller's error, and rejects waits once stopped", async () => {
    const { tail: reader } = tail(await topic());
    await expect(reader.ready()).rejects.toThrow(/ready\(\) before start\(\)/);
    await reader.start();
    await expect(reader.waitFor(new Map([[0, 1_000]]), 'reading far ahead', 300)).rejects.toBeInstanceOf(CaughtUpTooLate);
    const pending = expect(reader.waitFor(new Map([[0, 1_000]]), 'reading far ahead', 60_000)).rejects.toBeInstanceOf(TailStoppedError);
    await reader.stop();
    await pending;
    await expect(reader.ready()).rejects.toBeInstanceOf(TailStoppedError);
  });

  it('reads on after a crash kafkajs restarts', async () => {
    const name = await topic();
    await write(name, Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: 'v' })));
    const lines: string[] = [];
    const crashed = 'tail consumer crashed; kafkajs restarts it where it was';
    const entries = new Map<string, string>();
    const sink = {
      set: (key: string, value: string) => {
        // kafkajs retries a failed batch in place a few times before it crashes the consumer.
        if (key === 'k3' && !lines.includes(crashed)) throw new Error('the sink fails until the consumer crashed');
        entries.set(key, value);
      },
      delete: (key: string) => entries.delete(key),
    };
    const { tail: reader } = tail(name, { sink, logger: collectingLogger(lines) }, crashing(true));
    await reader.start();
    await reader.ready(30_000);
    expect(lines).toContain(crashed);
    expect(entries.size).toBe(20);
    expect(reader.failure).toBeUndefined();
  });

  it('skips no record for a decode error that is not the record\'s fault (a registry outage): the batch is read again', async () => {
    const name = await topic();
    await write(name, [{ key: 'a', value: 'v' }, { key: 'flaky', value: 'v' }, { key: 'b', value: 'v' }]);
    let outage = 2;
    const decode = (value: Buffer, key: string) => {
      if (key === 'flaky' && outage-- > 0) throw Object.assign(new Error('registry down'), { status: 503 });
      return value.toString();
    };
    const { tail: reader, entries, unreadable } = tail(name, { decode }, crashing(true));
    await reader.start();
    await reader.ready(30_000);
    expect([...entries.keys()].sort()).toEqual(['a', 'b', 'flaky']);
    expect(unreadable()).toBe(0);
  });

  it('fails every wait, and readiness, once the consumer crashed for good', async () => {
    const name = await topic();
    await write(name, [{ key: 'a', value: 'v' }, { key: 'boom', value: 'v' }]);
    const sink = { set: (key: string) => { if (key === 'boom') throw new Error('the sink cannot take it'); }, delete: () => undefined };
    const { tail: reader } = tail(name, { sink }, crashing(false));
    await reader.start();
    const error = await reader.ready(30_000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TailStoppedError);
    expect((error as Error).message).toMatch(/crashed and will not restart/);
    expect(reader.failure).toBe(error);
    await expect(reader.sync()).rejects.toBe(error);
  });
  it('goes on where it was after its consumer rejoins: no key goes back through its older values', async () => {
    // kafkajs starts each partition again from the committed offset after a rejoin (on a cluster:
    // a coordinator that moved), and the tail commits nothing: before, it read from the beginning
    // again, and a key updated twice held its older value until the re-read passed it (issue #21).
    const name = await topic();
    await write(name, Array.from({ length: 12 }, (_, i) => ({ key: `k${i}`, value: 'old' })));
    await write(name, Array.from({ length: 12 }, (_, i) => ({ key: `k${i}`, value: 'new' })));
    const seen: string[] = [];
    const entries = new Map<string, string>();
    const sink = { set: (key: string, value: string) => void (seen.push(value), entries.set(key, value)), delete: (key: string) => entries.delete(key) };
    const { tail: reader } = tail(name, { sink });
    await reader.start();
    await reader.ready(30_000);
    expect(new Set(entries.values())).toEqual(new Set(['new']));
    const readBefore = seen.length;
    // A second member joins the tail's group and leaves: two rejoins, partitions moving both ways.
    const consumer = (reader as unknown as { consumer: Consumer }).consumer;
    const member = kafka.consumer({ groupId: (await consumer.describeGroup()).groupId, maxWaitTimeInMs: 50 });
    await member.connect();
    await member.subscribe({ topic: name });
    await member.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: async () => undefined });
    await new Promise((r) => setTimeout(r, 1500));
    await member.disconnect();
    await new Promise((r) => setTimeout(r, 3000));
    await write(name, [{ key: 'after', value: 'new' }]);
    await reader.sync(30_000);
    expect(seen.slice(readBefore)).toEqual(['new']);
    expect(entries.get('after')).toBe('new');
  });
});
