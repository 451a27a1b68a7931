import type { Message, Producer, TopicMessages } from 'kafkajs';
import type { Logger } from '@optline/runtime';
import type { Readiness } from '@optline/http';
import { messageSize, PRODUCE_REQUEST_BYTES } from '@optline/kafka';

/** The broker did not acknowledge in time or refused: the caller should answer 503. */
export class PublishUnavailable extends Error {
  constructor(
    message: string,
    /** False when the record was never handed to Kafka; true when it may still be written. */
    readonly maybeWritten: boolean,
  ) {
    super(message);
    this.name = 'PublishUnavailable';
  }
}

interface Pending {
  topic: string;
  message: Message;
  state: 'queued' | 'sending' | 'settled';
  resolve: () => void;
  reject: (error: PublishUnavailable) => void;
  /** Epoch ms past which the caller gets PublishUnavailable. */
  deadline: number;
}

export interface PublisherOptions {
  /** A new idempotent producer; called per lane at start and after a failed batch. */
  createProducer: () => Producer;
  timeoutMs: number;
  /** Producers working side by side (default 1). */
  lanes?: number;
  /** Most records in one produce request. */
  maxBatch?: number;
  logger: Logger;
  onBatch?: (size: number, ok: boolean) => void;
}

/**
 * One idempotent producer with group commit: while its produce request (acks=all) is in
 * flight, new records wait and leave together in the next one. kafkajs sends one request at a
 * time per broker for an idempotent producer anyway, so this turns one broker round trip per
 * record into one per batch.
 */
class Lane {
  private producer: Producer | null = null;
  readonly queue: Pending[] = [];
  inFlightSince: number | null = null;
  onIdle: (() => void) | null = null;

  constructor(private readonly options: PublisherOptions) {}

  private connecting: Promise<Producer> | null = null;

  private closed = false;

  /** The lane's producer, connecting a new one if it has none (one attempt at a time). */
  connect(): Promise<Producer> {
    if (this.producer) return Promise.resolve(this.producer);
    // A batch failing while ingress stops would otherwise connect a producer nobody disconnects.
    if (this.closed) return Promise.reject(new PublishUnavailable('ingress is shutting down', false));
    this.connecting ??= (async () => {
      const producer = this.options.createProducer();
      try {
        await producer.connect();
      } catch (error) {
        await producer.disconnect().catch(() => undefined);
        throw error;
      }
      if (this.closed) {
        await producer.disconnect().catch(() => undefined);
        throw new PublishUnavailable('ingress is shutting down', false);
      }
      this.producer = producer;
      return producer;
    })().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  get connected(): boolean {
    return this.producer !== null;
  }

  add(pending: Pending): void {
    this.queue.push(pending);
    this.watch(pending);
    this.pump();
  }

  // Deadlines: records arrive in order with the same timeout, so the oldest unsettled record
  // always has the earliest deadline, and one timer per lane (armed for it) replaces a timer per
  // record, which was ~1.5 % of the ingress's CPU.
  private readonly watched: Pending[] = [];
  private watchHead = 0;
  private sweepTimer: NodeJS.Timeout | null = null;

  private watch(pending: Pending): void {
    this.watched.push(pending);
    if (this.sweepTimer === null) this.arm();
  }

  /** Drops settled records from the front of the watch list (amortised: the list is compacted, not shifted). */
  private compact(): void {
    while (this.watchHead < this.watched.length && this.watched[this.watchHead]!.state === 'settled') this.watchHead++;
    if (this.watchHead > 1024 && this.watchHead * 2 > this.watched.length) {
      this.watched.splice(0, this.watchHead);
      this.watchHead = 0;
    }
  }

  private arm(): void {
    this.compact();
    const head = this.watched[this.watchHead];
    // Unref'd: a timer armed for records already settled must not hold a stopping process.
    this.sweepTimer = head ? setTimeout(() => this.sweep(), Math.max(0, head.deadline - Date.now())).unref() : null;
  }

  private sweep(): void {
    const now = Date.now();
    for (let head = this.watched[this.watchHead]; head && (head.state === 'settled' || head.deadline <= now); head = this.watched[++this.watchHead]) {
      if (head.state !== 'settled') this.expire(head);
    }
    this.arm();
  }

  expire(pending: Pending): void {
    const seconds = this.options.timeoutMs / 1000;
    if (pending.state === 'queued') {
      this.queue.splice(this.queue.indexOf(pending), 1);
      pending.state = 'settled';
      pending.reject(new PublishUnavailable(`Kafka did not take the record within ${seconds} s; it was not written`, false));
    } else if (pending.state === 'sending') {
      pending.state = 'settled';
      pending.reject(new PublishUnavailable(`Kafka did not acknowledge the record within ${seconds} s; it may still be written`, true));
    }
  }

  private scheduled = false;

  // The send waits for the end of the current event-loop turn: every request whose body
  // arrived in the same turn joins the batch, at no cost in latency worth the name.
  private pump(): void {
    if (this.inFlightSince !== null || this.scheduled) return;
    if (this.queue.length === 0) {
      this.onIdle?.();
      return;
    }
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    if (this.inFlightSince !== null || this.queue.length === 0) {
      if (this.queue.length === 0 && this.inFlightSince === null) this.onIdle?.();
      return;
    }
    const batch = this.queue.splice(0, this.batchLength());
    for (const p of batch) p.state = 'sending';
    this.inFlightSince = Date.now();
    void this.send(batch).finally(() => {
      this.inFlightSince = null;
      this.pump();
    });
  }

  /** How many queued records the next request takes: bounded in count and in bytes (brokers refuse large batches). */
  private batchLength(): number {
    const maxRecords = this.options.maxBatch ?? 1000;
    let bytes = 0;
    let n = 0;
    while (n < this.queue.length && n < maxRecords) {
      // The one estimate and bound of every optline producer (libs/kafka's request splitter).
      bytes += messageSize(this.queue[n]!.message);
      if (n > 0 && bytes > PRODUCE_REQUEST_BYTES) break;
      n++;
    }
    return n;
  }

  private async send(batch: Pending[]): Promise<void> {
    const byTopic = new Map<string, Message[]>();
    for (const p of batch) {
      const messages = byTopic.get(p.topic);
      if (messages) messages.push(p.message);
      else byTopic.set(p.topic, [p.message]);
    }
    const topicMessages: TopicMessages[] = [...byTopic].map(([topic, messages]) => ({ topic, messages }));
    const settle = (error?: PublishUnavailable) => {
      for (const p of batch) {
        if (p.state === 'settled') continue;
        p.state = 'settled';
        if (error) p.reject(error);
        else p.resolve();
      }
      this.compact();
    };
    try {
      const producer = await this.connect();
      await producer.sendBatch({ acks: -1, topicMessages });
      this.options.onBatch?.(batch.length, true);
      settle();
    } catch (error) {
      this.options.onBatch?.(batch.length, false);
      this.options.logger.error({ err: error, records: batch.length }, 'publishing failed; replacing the producer');
      settle(new PublishUnavailable(`Kafka refused the record: ${(error as Error).message}`, true));
      // A fresh producer id: an idempotent producer left in a bad sequence state must not wedge ingress.
      const broken = this.producer;
      this.producer = null;
      await broken?.disconnect().catch(() => undefined);
      if (!this.closed) this.connect().catch((err: unknown) => this.options.logger.warn({ err }, 'reconnecting the producer failed; retrying with the next record or readiness probe'));
    }
  }

  async disconnect(): Promise<void> {
    this.closed = true;
    await this.connecting?.catch(() => undefined);
    const producer = this.producer;
    this.producer = null;
    await producer?.disconnect();
  }
}

/**
 * Publishes records with acks=all through a few idempotent producers ("lanes"), so that one
 * produce request waiting for the broker does not hold every caller. Records in flight at the
 * same time have no order between them, so a record takes the least busy lane.
 *
 * Each record has its own deadline: past it the caller gets PublishUnavailable. A record still
 * queued then leaves the queue (never written: the caller's 503 makes Sinch retry); one already
 * in flight may still be written, and Sinch's retry is then a duplicate that downstream
 * de-duplicates by message id. Producers retry without limit (what keeps idempotent sequence
 * numbers sound) with a short backoff, so they resume within about a second of the broker
 * coming back.
 */
export class BatchingPublisher {
  private readonly lanes: Lane[];
  private closed = false;

  constructor(private readonly options: PublisherOptions) {
    this.lanes = Array.from({ length: Math.max(1, options.lanes ?? 1) }, () => new Lane(options));
  }

  async start(): Promise<void> {
    await Promise.all(this.lanes.map((lane) => lane.connect()));
  }

  private leastBusy(): Lane {
    let best = this.lanes[0]!;
    for (const lane of this.lanes) {
      if (lane.inFlightSince === null) return lane;
      if (lane.queue.length < best.queue.length) best = lane;
    }
    return best;
  }

  publish(topic: string, message: Message): Promise<void> {
    if (this.closed) return Promise.reject(new PublishUnavailable('ingress is shutting down', false));
    const lane = this.leastBusy();
    return new Promise((resolve, reject) => {
      lane.add({ topic, message, state: 'queued', resolve, reject, deadline: Date.now() + this.options.timeoutMs });
    });
  }

  /** Not ready while a produce request has waited longer than the publish timeout. */
  health(): Readiness {
    if (this.closed) return { ready: false, reason: 'shutting down' };
    const disconnected = this.lanes.filter((lane) => !lane.connected);
    if (disconnected.length > 0) {
      // The probe drives reconnection too, so an idle ingress becomes ready again on its own.
      for (const lane of disconnected) lane.connect().catch(() => undefined);
      return { ready: false, reason: 'a Kafka producer is not connected' };
    }
    const oldest = Math.min(...this.lanes.map((lane) => lane.inFlightSince ?? Infinity));
    if (Date.now() - oldest > this.options.timeoutMs) {
      return { ready: false, reason: `Kafka has not acknowledged a write for ${Math.round((Date.now() - oldest) / 1000)} s` };
    }
    return { ready: true };
  }

  /** Refuses new records, waits (at most `waitMs`) for those taken to be written, disconnects. */
  async close(waitMs: number): Promise<void> {
    this.closed = true;
    const busy = this.lanes.filter((lane) => lane.inFlightSince !== null || lane.queue.length > 0);
    const drained = Promise.all(busy.map((lane) => new Promise<void>((resolve) => (lane.onIdle = resolve))));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([drained, new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)))]);
    clearTimeout(timer);
    await Promise.all(this.lanes.map((lane) => lane.disconnect()));
  }
}
