import type { Consumer, ConsumerConfig, ConsumerRunConfig, Kafka } from 'kafkajs';
import { retryOptionsOf } from './client.ts';

/**
 * A kafkajs consumer that stays stopped once `disconnect()` was called.
 *
 * kafkajs restarts a crashed consumer from a timer: on a crash it disconnects, asks
 * `retry.restartOnFailure`, then schedules `start()` in ~100 ms. `disconnect()` clears that
 * timer, but a crash that happens while `disconnect()` runs (its own aborted fetch, or a broker
 * that went away and came back) schedules the restart after the timer was cleared. The consumer
 * then rejoins and keeps the process alive after every service logged "stopped" (issue #15:
 * "Restarting the consumer in 100ms" after SIGINT, the process up for minutes).
 *
 * Here the restart is refused once stopping began, and a consumer that rejoins anyway (a crash
 * already past that question) is disconnected again. Crashes after that are not passed on.
 *
 * And it is never stopped for good by its own handler: kafkajs restarts a crashed consumer only
 * when the error is retriable, so one batch whose transaction the broker refused outright
 * (MESSAGE_TOO_LARGE, a fenced producer, a TypeError) left a matcher or replier running without
 * reading, until someone restarted the process. Such an error is passed to kafkajs as a plain
 * one: the batch is retried, then the consumer restarts from the committed offsets (each crash
 * is still logged by the service's crash listener).
 */
export function stoppableConsumer(kafka: Kafka, config: ConsumerConfig): Consumer {
  let stopping = false;
  const restartOnFailure = config.retry?.restartOnFailure ?? retryOptionsOf(kafka)?.restartOnFailure;
  const consumer = kafka.consumer({
    ...config,
    retry: { ...config.retry, restartOnFailure: async (error) => !stopping && (restartOnFailure ? await restartOnFailure(error) : true) },
  });
  const run = consumer.run.bind(consumer);
  consumer.run = (options?: ConsumerRunConfig) => run(options && {
    ...options,
    ...(options.eachBatch ? { eachBatch: (p) => options.eachBatch!(p).catch(rethrowRetriable) } : {}),
    ...(options.eachMessage ? { eachMessage: (p) => options.eachMessage!(p).catch(rethrowRetriable) } : {}),
  });
  const disconnect = consumer.disconnect.bind(consumer);
  consumer.on(consumer.events.GROUP_JOIN, () => {
    if (stopping) void disconnect().catch(() => undefined);
  });
  consumer.disconnect = () => {
    stopping = true;
    return disconnect();
  };
  // A crash once stopping began is the stop ending a retry (the broker down): not news for the
  // crash listeners, which would log it as a consumer that failed for good.
  const on = consumer.on.bind(consumer) as (event: string, listener: (event: unknown) => void) => unknown;
  consumer.on = ((event: string, listener: (event: unknown) => void) =>
    on(event, event === consumer.events.CRASH ? (e) => (stopping ? undefined : listener(e)) : listener)) as Consumer['on'];
  return consumer;
}

// kafkajs' rebalance answers, which its runner handles by type (a rejoin), pass unchanged.
const REJOIN = new Set(['REBALANCE_IN_PROGRESS', 'NOT_COORDINATOR_FOR_GROUP', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID']);
const UNRECOVERABLE = new Set(['RangeError', 'ReferenceError', 'SyntaxError', 'TypeError']);

/** A handler's error as kafkajs must see it to retry the batch and, at worst, restart the consumer. */
export function retriableForKafkajs(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const e = error as Error & { retriable?: boolean; type?: string };
  if (REJOIN.has(e.type ?? '')) return error;
  if (e.retriable !== false && !UNRECOVERABLE.has(e.name)) return error;
  return new Error(`${e.name}: ${e.message}`, { cause: error });
}

function rethrowRetriable(error: unknown): never {
  throw retriableForKafkajs(error);
}

/**
 * Makes a consumer of a group that commits nothing take each partition up where it was after a
 * rejoin. kafkajs starts every assigned partition again from the group's committed offset after a
 * rejoin (a coordinator that moved with a node, a restarted crash), and without one from the
 * beginning or the end: a copy went back through every older value of a key, a reader missed what
 * was written meanwhile (issue #21). Call before `run()`.
 */
export function keepPositions(consumer: Consumer): void {
  const positions = new Map<string, Map<number, string>>();
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    let byPartition = positions.get(payload.topic);
    if (!byPartition) positions.set(payload.topic, (byPartition = new Map()));
    byPartition.set(payload.partition, (BigInt(payload.lastOffset) + 1n).toString());
  });
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    for (const [topic, partitions] of Object.entries(payload.memberAssignment)) {
      for (const partition of partitions) {
        const offset = positions.get(topic)?.get(partition);
        if (offset !== undefined) consumer.seek({ topic, partition, offset });
      }
    }
  });
}
