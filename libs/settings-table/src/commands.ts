// The requesting side of settings changes: send a SettingsCommand, wait for its SettingsOutcome.
// Every API instance sends to the one command partition; the settings writer decides them in
// order, so two instances can no longer both store "the next version".

import { randomUUID } from 'node:crypto';
import type { Admin, Consumer, EachBatchPayload, Kafka, Message, Producer } from 'kafkajs';
import type { SettingsCommand, SettingsOutcome } from '@optline/core';
import { UndecodableError, fetchTopicOffsets, groupId, stoppableConsumer, type Codec, type Topics } from '@optline/kafka';
import type { Logger } from '@optline/runtime';

export class SettingsCommandTimeoutError extends Error {
  constructor(project: string, timeoutMs: number) {
    super(`the settings writer did not answer ${project}'s change within ${timeoutMs} ms; it was not applied and will not be`);
    this.name = 'SettingsCommandTimeoutError';
  }
}

export interface SettingsCommandsOptions {
  kafka: Kafka;
  codec: Codec;
  topics: Topics;
  namespace: string;
  logger?: Logger | undefined;
  /** A connected idempotent producer of the caller's; one is created otherwise. */
  producer?: Producer | undefined;
}

interface Waiter {
  resolve(outcome: SettingsOutcome): void;
}

/** Part of the wait left to the writer: a command expires before the requester gives up. */
const EXPIRY_SHARE = 0.8;

export class SettingsCommands {
  private readonly waiters = new Map<string, Waiter>();
  private consumer: Consumer | undefined;
  private admin: Admin | undefined;
  private producer: Producer | undefined;
  private ownsProducer = false;
  private starting: Promise<void> | undefined;
  private queued: { message: Message; sent: { resolve(): void; reject(error: unknown): void } }[] = [];
  private sending = false;

  /** Set once the outcome consumer crashed and kafkajs will not restart it: no PUT can be answered. */
  failure: Error | undefined;

  constructor(private readonly options: SettingsCommandsOptions) {}

  /** Starts listening for outcomes from the current end of their topic; idempotent. */
  start(): Promise<void> {
    this.starting ??= this.open().catch(async (error: unknown) => {
      this.starting = undefined;
      await this.stop();
      throw error;
    });
    return this.starting;
  }

  /**
   * Sends a change of `project` (`now`: its updatedAt) and resolves with what the writer did. Rejects with
   * SettingsCommandTimeoutError after `timeoutMs`; the command expired before, so it is never
   * applied later (up to clock skew between this host and the writer's).
   */
  async submit(project: string, document: unknown, ifMatch: number | null, now: number, timeoutMs: number): Promise<SettingsOutcome> {
    await this.start();
    const command: SettingsCommand = {
      command_id: randomUUID(), project, document: JSON.stringify(document), if_match: ifMatch,
      requested_at: now, expires_at: Date.now() + Math.floor(timeoutMs * EXPIRY_SHARE),
    };
    const { topics, codec } = this.options;
    let timer: NodeJS.Timeout | undefined;
    const outcome = new Promise<SettingsOutcome>((resolve, reject) => {
      this.waiters.set(command.command_id, { resolve });
      timer = setTimeout(() => reject(new SettingsCommandTimeoutError(project, timeoutMs)), timeoutMs);
    });
    try {
      const value = await codec.encode(topics.settingsCommands.name, command);
      await this.send({ key: project, value });
      return await outcome;
    } finally {
      clearTimeout(timer);
      this.waiters.delete(command.command_id);
    }
  }

  /**
   * Sends commands that arrive while a send is under way together, in the next one: an
   * idempotent producer has one request in flight, so one request per PUT would queue 200
   * concurrent PUTs behind each other.
   */
  private send(message: Message): Promise<void> {
    let sent!: { resolve(): void; reject(error: unknown): void };
    const done = new Promise<void>((resolve, reject) => (sent = { resolve, reject }));
    this.queued.push({ message, sent });
    if (!this.sending) void this.flush();
    return done;
  }

  private async flush(): Promise<void> {
    this.sending = true;
    while (this.queued.length > 0) {
      const batch = this.queued.splice(0);
      try {
        await this.producer!.send({ topic: this.options.topics.settingsCommands.name, acks: -1, messages: batch.map((q) => q.message) });
        for (const q of batch) q.sent.resolve();
      } catch (error) {
        for (const q of batch) q.sent.reject(error);
      }
    }
    this.sending = false;
  }

  async stop(): Promise<void> {
    const { consumer, admin, producer } = this;
    this.consumer = undefined;
    this.admin = undefined;
    this.producer = undefined;
    await consumer?.disconnect();
    await admin?.disconnect();
    if (this.ownsProducer) await producer?.disconnect();
  }

  private async open(): Promise<void> {
    const { kafka, topics, namespace } = this.options;
    const topic = topics.settingsOutcomes.name;
    this.admin = kafka.admin();
    await this.admin.connect();
    // Taken before any command is sent: every outcome this instance waits for lies past it.
    const [start] = await fetchTopicOffsets(this.admin, topic);
    if (this.options.producer) this.producer = this.options.producer;
    else {
      this.producer = kafka.producer({ idempotent: true, allowAutoTopicCreation: false });
      this.ownsProducer = true;
      await this.producer.connect();
    }
    // A group of its own: every instance reads every outcome and picks out its own commands.
    const consumer = (this.consumer = stoppableConsumer(kafka, { groupId: `${groupId(namespace, 'optline.settings-outcomes')}.${randomUUID()}`, readUncommitted: false, maxWaitTimeInMs: 20 }));
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (payload.restart) return;
      this.failure = new Error(`settings outcomes: the consumer crashed and will not restart: ${payload.error.message}`, { cause: payload.error });
      this.options.logger?.error({ err: payload.error }, 'settings outcome consumer crashed for good; settings writes cannot be answered');
    });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: false });
    // Committed as it reads (the seek below too): kafkajs starts every partition again from the
    // committed offset after a rejoin (a coordinator that moved), and without one from the
    // topic's end, skipping the outcomes written meanwhile; their PUTs were answered 503 "not
    // applied" although the writer had applied them. A group of its own, so nobody else reads
    // these offsets; an outcome read twice is harmless.
    await consumer.run({ autoCommit: true, eachBatch: (payload) => this.read(payload) });
    if (start) consumer.seek({ topic, partition: start.partition, offset: start.high });
  }

  private async read({ batch }: EachBatchPayload): Promise<void> {
    for (const message of batch.messages) {
      if (message.value === null) continue;
      let outcome: SettingsOutcome;
      try {
        outcome = await this.options.codec.decodeSoon<SettingsOutcome>('SettingsOutcome', message.value);
      } catch (error) {
        // A registry outage is not the record's fault: kafkajs retries the batch.
        if (!(error instanceof UndecodableError)) throw error;
        this.options.logger?.error({ err: error, offset: message.offset }, 'unreadable settings outcome skipped');
        continue;
      }
      this.waiters.get(outcome.command_id)?.resolve(outcome);
    }
  }
}
