import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { Producer, ProducerBatch } from 'kafkajs';
import { BatchingPublisher, PublishUnavailable } from '../src/publisher.ts';

// The batching and deadline logic only; the real producer is exercised in ingress.it.test.ts.
function fakeProducer(batches: ProducerBatch[], gate: { open: Promise<void> }) {
  let connects = 0;
  const producer = {
    connect: async () => void connects++,
    disconnect: async () => undefined,
    sendBatch: async (batch: ProducerBatch) => {
      batches.push(batch);
      await gate.open;
      return [];
    },
  } as unknown as Producer;
  return { producer, connects: () => connects };
}

const logger = pino({ level: 'silent' });
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('BatchingPublisher', () => {
  it('sends the records of one event-loop turn in one request', async () => {
    const batches: ProducerBatch[] = [];
    const { producer } = fakeProducer(batches, { open: Promise.resolve() });
    const publisher = new BatchingPublisher({ createProducer: () => producer, timeoutMs: 5000, logger });
    await publisher.start();
    await Promise.all([1, 2, 3].map((k) => publisher.publish('a', { key: String(k), value: 'x' })));
    expect(batches.map((b) => b.topicMessages![0]!.messages.length)).toEqual([3]);
    // ... up to 512 KiB: larger records leave in several requests.
    const big = Buffer.alloc(200 * 1024);
    await Promise.all([1, 2, 3, 4, 5].map((k) => publisher.publish('a', { key: String(k), value: big })));
    expect(batches.slice(1).map((b) => b.topicMessages![0]!.messages.length)).toEqual([2, 2, 1]);
    await publisher.close(100);
  });

  it('sends records that arrive during a request together in the next one, grouped by topic', async () => {
    const batches: ProducerBatch[] = [];
    let release!: () => void;
    const gate = { open: new Promise<void>((r) => (release = r)) };
    const { producer } = fakeProducer(batches, gate);
    const publisher = new BatchingPublisher({ createProducer: () => producer, timeoutMs: 5000, logger });
    await publisher.start();
    const first = publisher.publish('a', { key: '1', value: 'x' });
    await tick();
    const rest = [publisher.publish('a', { key: '2', value: 'x' }), publisher.publish('b', { key: '3', value: 'x' })];
    await tick();
    expect(batches).toHaveLength(1);
    release();
    await Promise.all([first, ...rest]);
    expect(batches).toHaveLength(2);
    expect(batches[1]!.acks).toBe(-1);
    expect(batches[1]!.topicMessages!.map((t) => [t.topic, t.messages.map((m) => m.key)])).toEqual([['a', ['2']], ['b', ['3']]]);
    await publisher.close(100);
  });

  it('past the deadline: a queued record is dropped unwritten, an in-flight one is reported as maybe written; readiness drops', async () => {
    const batches: ProducerBatch[] = [];
    let release!: () => void;
    const gate = { open: new Promise<void>((r) => (release = r)) };
    const { producer } = fakeProducer(batches, gate);
    const publisher = new BatchingPublisher({ createProducer: () => producer, timeoutMs: 50, logger });
    await publisher.start();
    const inFlight = publisher.publish('a', { key: '1', value: 'x' }).catch((e: unknown) => e);
    await tick();
    const queued = publisher.publish('a', { key: '2', value: 'x' }).catch((e: unknown) => e);
    const [e1, e2] = (await Promise.all([inFlight, queued])) as PublishUnavailable[];
    expect(e1).toBeInstanceOf(PublishUnavailable);
    expect(e1!.maybeWritten).toBe(true);
    expect(e2!.maybeWritten).toBe(false);
    await new Promise((r) => setTimeout(r, 20));
    expect(publisher.health()).toMatchObject({ ready: false });
    release();
    await new Promise((r) => setTimeout(r, 10));
    expect(batches.flatMap((b) => b.topicMessages!.flatMap((t) => t.messages.map((m) => m.key)))).toEqual(['1']);
    expect(publisher.health()).toEqual({ ready: true });
    await publisher.close(100);
    await expect(publisher.publish('a', { key: '3', value: 'x' })).rejects.toThrow(/shutting down/);
  });

  it('with two lanes, a second record does not wait for the first request', async () => {
    const batches: ProducerBatch[] = [];
    let release!: () => void;
    const gate = { open: new Promise<void>((r) => (release = r)) };
    const publisher = new BatchingPublisher({ createProducer: () => fakeProducer(batches, gate).producer, timeoutMs: 5000, lanes: 2, logger });
    await publisher.start();
    const sent = [publisher.publish('a', { key: '1', value: 'x' })];
    await tick();
    sent.push(publisher.publish('a', { key: '2', value: 'x' }));
    await tick();
    expect(batches).toHaveLength(2);
    release();
    await Promise.all(sent);
    await publisher.close(100);
  });

  it('replaces the producer after a failed batch', async () => {
    let calls = 0;
    const created: string[] = [];
    const publisher = new BatchingPublisher({
      createProducer: () => {
        created.push(`p${created.length}`);
        return {
          connect: async () => undefined,
          disconnect: async () => undefined,
          sendBatch: async () => {
            if (calls++ === 0) throw new Error('OUT_OF_ORDER_SEQUENCE_NUMBER');
            return [];
          },
        } as unknown as Producer;
      },
      timeoutMs: 1000,
      logger,
    });
    await publisher.start();
    await expect(publisher.publish('a', { value: 'x' })).rejects.toThrow(/Kafka refused the record: OUT_OF_ORDER/);
    await publisher.publish('a', { value: 'y' });
    expect(created).toEqual(['p0', 'p1']);
    await publisher.close(100);
  });
});
