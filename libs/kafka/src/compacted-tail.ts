// A compacted topic read whole into memory, with waits that say how complete the copy is.
// The blacklist client and the settings table extend it with a value type and a sink of their own.

import { randomUUID } from 'node:crypto';
import type { Admin, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { Logger } from '@optline/runtime';
import { CatchUp, targetsFrom, type EndOffsets } from './catch-up.ts';
import { UndecodableError } from './codec.ts';
import { isExpectedDuringJoin } from './client.ts';
import { fetchTopicOffsets } from './offsets.ts';
import { keepPositions, stoppableConsumer } from './stoppable.ts';

/** Where the records go, in log order per partition; a `Map` is one. */
export interface TailSink<T> {
  /** `at` is where the record sits, for sinks that keep every record rather than the last per key. */
  set(key: string, value: T, at: { partition: number; offset: string }): unknown;
  /** A tombstone. */
  delete(key: string): unknown;
}

export interface CompactedTailOptions<T> {
  kafka: Kafka;
  topic: string;
  /** Names the tail in errors, e.g. `settings table`. */
  name: string;
  /**
   * Prefix of the consumer group. A random suffix makes the group the tail's own: each tail
   * must get every partition, and nothing is committed, so no two tails may share a group.
   */
  group: string;
  /**
   * Throwing an UndecodableError skips the record (logged) and keeps the key's previous value.
   * Any other error (a registry that does not answer) is not the record's fault: like a sink's,
   * it fails the batch, which is read again, so no record is skipped for it.
   */
  decode(value: Buffer, key: string): T | Promise<T>;
  /** Errors it throws are not skipped: the consumer crashes, and restarts from the beginning. */
  sink: TailSink<T>;
  logger?: Logger | undefined;
  /** For metrics: every record read, and every one skipped as unreadable. */
  onRecord?(): void;
  onUnreadable?(): void;
  /** The error a wait rejects with when it times out; callers match on their own error types. */
  timeoutError?(what: string, timeoutMs: number, lag: number): Error;
}

export class TailTimeoutError extends Error {
  constructor(name: string, what: string, timeoutMs: number, lag: number) {
    super(`${name}: ${what} did not catch up within ${timeoutMs} ms (${lag} records behind)`);
    this.name = 'TailTimeoutError';
  }
}

/** The tail will not catch up any more: it was stopped, or its consumer crashed for good. */
export class TailStoppedError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TailStoppedError';
  }
}

export class CompactedTail<T> {
  readonly topic: string;
  private readonly catchUp = new CatchUp();
  private consumer: Consumer | undefined;
  private admin: Admin | undefined;
  private running = false;
  private startTargets: Promise<EndOffsets> | undefined;
  private lastTargets: EndOffsets = new Map();
  private crash: TailStoppedError | undefined;

  constructor(private readonly options: CompactedTailOptions<T>) {
    this.topic = options.topic;
  }

  /** Set once the consumer crashed and kafkajs will not restart it: the copy stays as it was. */
  get failure(): Error | undefined {
    return this.crash;
  }

  /** Starts reading; the topic must exist. Returns before the copy is complete: see `ready()`. */
  async start(): Promise<void> {
    const { kafka, name } = this.options;
    if (this.running) throw new Error(`${name}: already started`);
    this.running = true;
    this.crash = undefined;
    try {
      this.admin = kafka.admin();
      await this.admin.connect();
      // Taken before the consumer starts, so ready() covers every record written before start().
      this.startTargets = this.endOffsets();
      this.lastTargets = await this.startTargets;
      const consumer = (this.consumer = stoppableConsumer(kafka, { groupId: `${this.options.group}.${randomUUID()}`, readUncommitted: false, maxWaitTimeInMs: 100 }));
      const events = consumer.events;
      consumer.on(events.END_BATCH_PROCESS, ({ payload }) => {
        this.catchUp.advance(payload.partition, Number(payload.lastOffset), Number(payload.highWatermark));
      });
      // A rejoin reading from the beginning again made the copy go back through older values of a
      // key until the re-read passed it (a phone that opted out again read as allowed).
      keepPositions(consumer);
      consumer.on(events.CRASH, ({ payload }) => this.crashed(payload.error, payload.restart));
      await consumer.connect();
      await consumer.subscribe({ topic: this.topic, fromBeginning: true });
      await consumer.run({ autoCommit: false, eachBatch: (payload) => this.apply(payload) });
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  /** Resolves once the copy holds every record committed before `start()`. */
  async ready(timeoutMs = 60_000): Promise<void> {
    if (!this.startTargets) throw new Error(`${this.options.name}: ready() before start()`);
    await this.waitFor(await this.startTargets, 'ready()', timeoutMs);
  }

  /** Resolves once the copy holds every record committed before this call (read-your-writes). */
  async sync(timeoutMs = 30_000): Promise<void> {
    if (!this.admin) throw new Error(`${this.options.name}: sync() before start()`);
    this.lastTargets = await this.endOffsets();
    await this.waitFor(this.lastTargets, 'sync()', timeoutMs);
  }

  /** Resolves once each partition has been read up to its target offset (exclusive). */
  async waitFor(targets: EndOffsets, what: string, timeoutMs: number): Promise<void> {
    if (this.crash) throw this.crash;
    if (!this.running) throw new TailStoppedError(`${this.options.name}: ${what} on a stopped tail`);
    const timeoutError = this.options.timeoutError ?? ((w, ms, lag) => new TailTimeoutError(this.options.name, w, ms, lag));
    await this.catchUp.waitFor(targets, { ms: timeoutMs, error: () => timeoutError(what, timeoutMs, this.catchUp.lag(targets)) });
  }

  /** Records behind the log end (as of the last batch read or end offsets fetched). */
  lag(): number {
    return this.catchUp.lag(this.lastTargets);
  }

  async stop(): Promise<void> {
    this.running = false;
    this.catchUp.fail(new TailStoppedError(`${this.options.name}: stopped`));
    const { consumer, admin } = this;
    this.consumer = undefined;
    this.admin = undefined;
    await consumer?.disconnect();
    await admin?.disconnect();
  }

  private async endOffsets(): Promise<EndOffsets> {
    return targetsFrom(await fetchTopicOffsets(this.admin!, this.topic));
  }

  private crashed(error: Error, restart: boolean): void {
    if (restart) {
      this.options.logger?.[isExpectedDuringJoin(error) ? 'debug' : 'warn']({ err: error, topic: this.topic }, 'tail consumer crashed; kafkajs restarts it where it was');
      return;
    }
    this.crash = new TailStoppedError(`${this.options.name}: the consumer crashed and will not restart: ${error.message}`, { cause: error });
    this.options.logger?.error({ err: error, topic: this.topic }, 'tail consumer crashed for good; the copy stops where it is');
    this.catchUp.fail(this.crash);
  }

  private async apply({ batch }: EachBatchPayload): Promise<void> {
    const { decode, sink, onRecord } = this.options;
    for (const message of batch.messages) {
      onRecord?.();
      const key = message.key?.toString();
      if (key === undefined) {
        this.unreadable(batch.partition, message.offset, 'record without a key');
        continue;
      }
      if (message.value === null) {
        sink.delete(key);
        continue;
      }
      let value: T;
      try {
        const decoded = decode(message.value, key);
        // Most decodes are synchronous (cached schema): awaiting only promises keeps a full read fast.
        value = decoded instanceof Promise ? await decoded : decoded;
      } catch (err) {
        if (!(err instanceof UndecodableError)) throw err;
        // The previous value stays: an unreadable update must not undo what the key held.
        this.unreadable(batch.partition, message.offset, err.message);
        continue;
      }
      sink.set(key, value, { partition: batch.partition, offset: message.offset });
    }
  }

  private unreadable(partition: number, offset: string, reason: string): void {
    this.options.onUnreadable?.();
    this.options.logger?.error({ topic: this.topic, partition, offset, reason }, 'unreadable record skipped');
  }
}
