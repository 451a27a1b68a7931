import type { Consumer, ConsumerConfig, Kafka } from 'kafkajs';
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
 */
export function stoppableConsumer(kafka: Kafka, config: ConsumerConfig): Consumer {
  let stopping = false;
  const restartOnFailure = config.retry?.restartOnFailure ?? retryOptionsOf(kafka)?.restartOnFailure;
  const consumer = kafka.consumer({
    ...config,
    retry: { ...config.retry, restartOnFailure: async (error) => !stopping && (restartOnFailure ? await restartOnFailure(error) : true) },
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
