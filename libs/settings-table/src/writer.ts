// The one writer of the settings topic: a single task over the one-partition command topic.
// Every API instance runs a SettingsWriter; the consumer group gives the partition to one of
// them, whose transactional producer (one transactional id for the partition) fences any
// previous owner. Each batch of commands is decided in order against the stored settings
// (core's decideSettingsCommand) and its settings records, outcomes and command offsets are
// committed in one transaction, so a change is stored and answered once, across crashes.
//
// Built on purpose like a task of the shared exactly-once runtime (fence on assignment, serial
// work, offsets in the transaction): when libs/kafka has one, this becomes its handler.

import type { Consumer, EachBatchPayload, Kafka, Message, Producer, TopicMessages } from 'kafkajs';
import { Counter, type Registry } from 'prom-client';
import { decideSettingsCommand, PendingSettings, type SettingsCommand, type SettingsOutcome, type SmsSettings } from '@optline/core';
import { AvroSerde, createKafka, deadLetterMessage, groupId, topics, type Topics } from '@optline/kafka';
import type { Logger, OptlineConfig } from '@optline/runtime';
import type { SettingsTable } from './table.ts';

export interface SettingsWriterOptions {
  config: OptlineConfig;
  /** Share the caller's Kafka client and serde; created otherwise. */
  kafka?: Kafka;
  serde?: AvroSerde;
  /** The settings as stored; the writer lays its own commits over it at once. */
  table: SettingsTable;
  logger?: Logger | undefined;
  metrics?: Registry | undefined;
  now?: () => number;
}

interface Task {
  producer: Producer;
  closed: boolean;
}

export class SettingsWriter {
  private consumer: Consumer | undefined;
  private task: Promise<Task> | undefined;
  private readonly group: string;
  private readonly commands: Counter | undefined;
  private readonly kafka: Kafka;
  private readonly serde: AvroSerde;
  private readonly topics: Topics;
  private readonly namespace: string;

  constructor(private readonly options: SettingsWriterOptions) {
    const { config } = options;
    this.namespace = config.topicNamespace;
    this.topics = topics(config.topicNamespace);
    this.kafka = options.kafka ?? createKafka(config, options.logger, `${config.clientId}-settings-writer`);
    this.serde = options.serde ?? new AvroSerde(config.schemaRegistryUrl, this.topics);
    this.group = groupId(config.topicNamespace, 'optline.settings-writer');
    this.commands = options.metrics && new Counter({
      name: 'optline_settings_commands_total', help: 'Settings commands decided by this instance as the settings writer, by outcome',
      labelNames: ['outcome'], registers: [options.metrics],
    });
  }

  async start(): Promise<void> {
    const { kafka } = this;
    const topic = this.topics.settingsCommands.name;
    // A short session: a crashed writer's partition moves on within seconds, not kafkajs' default 30.
    const consumer = (this.consumer = kafka.consumer({ groupId: this.group, readUncommitted: false, maxWaitTimeInMs: 20, sessionTimeout: 10_000, heartbeatInterval: 1000 }));
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      // Fence at once on assignment, not at the first command: a previous owner must not commit meanwhile.
      const owned = (payload.memberAssignment[topic] ?? []).includes(0);
      void this.release().then(() => {
        if (owned && this.consumer === consumer) this.open().catch(() => undefined);
      });
    });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ autoCommit: false, eachBatch: (payload) => this.process(payload) });
  }

  async stop(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = undefined;
    await consumer?.disconnect();
    await this.release();
  }

  private open(): Promise<Task> {
    this.task ??= (async () => {
      const { kafka, namespace } = this;
      const { table, logger } = this.options;
      const producer = kafka.producer({
        transactionalId: groupId(namespace, 'optline.settings-writer-0'), idempotent: true, maxInFlightRequests: 1, transactionTimeout: 30_000,
      });
      try {
        await producer.connect();
        // kafkajs sends InitProducerId with the first transaction: an empty one puts the fence up.
        await (await producer.transaction()).abort();
        // Now final: every settings record of a previous owner is committed or aborted.
        await table.sync(60_000);
      } catch (error) {
        await producer.disconnect().catch(() => undefined);
        throw error;
      }
      logger?.info('settings writer task opened');
      return { producer, closed: false };
    })();
    this.task.catch((error: unknown) => {
      this.task = undefined;
      this.options.logger?.error({ err: error }, 'settings writer task failed to open; retried with the next batch');
    });
    return this.task;
  }

  private async release(): Promise<void> {
    const task = await this.task?.catch(() => undefined);
    this.task = undefined;
    if (!task) return;
    task.closed = true;
    await task.producer.disconnect().catch(() => undefined);
  }

  private async process({ batch, heartbeat }: EachBatchPayload): Promise<void> {
    const { serde, topics } = this;
    const { table, now = Date.now } = this.options;
    const task = await this.open();
    const view = new PendingSettings(table);
    const stored: SmsSettings[] = [];
    const outcomes: SettingsOutcome[] = [];
    const rejected: Message[] = [];
    for (const message of batch.messages) {
      let command: SettingsCommand;
      try {
        command = await serde.decode<SettingsCommand>(message.value!);
      } catch (error) {
        const source = `${batch.topic}/${batch.partition}@${message.offset}`;
        rejected.push(deadLetterMessage(message.key, message.value, { source, rule: 'undecodable', message: (error as Error).message }));
        continue;
      }
      const { outcome, settings } = decideSettingsCommand(view, command, now());
      if (settings) {
        view.set(settings);
        stored.push(settings);
      }
      outcomes.push(outcome);
    }
    const transaction = await task.producer.transaction();
    try {
      const messages = async (topic: string, values: readonly { project: string }[]): Promise<TopicMessages> =>
        ({ topic, messages: await Promise.all(values.map(async (v) => ({ key: v.project, value: await serde.encode(topic, v) }))) });
      const records = [await messages(topics.settings.name, stored), await messages(topics.settingsOutcomes.name, outcomes)];
      if (rejected.length) records.push({ topic: topics.deadLetter.name, messages: rejected });
      await transaction.sendBatch({ acks: -1, topicMessages: records.filter((r) => r.messages.length > 0) });
      await transaction.sendOffsets({
        consumerGroupId: this.group,
        topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: (BigInt(batch.lastOffset()) + 1n).toString() }] }],
      });
      if (task.closed) throw new Error('settings writer task was released during its transaction');
      await transaction.commit();
    } catch (error) {
      await transaction.abort().catch(() => undefined);
      // Reopened (fenced again, settings re-read) with the batch, which kafkajs fetches again.
      await this.release();
      throw error;
    }
    // Committed: the writer's own view is current before the table reads the records back.
    for (const settings of stored) table.applyOwn(settings);
    for (const outcome of outcomes) this.commands?.inc({ outcome: outcome.outcome });
    this.options.logger?.debug({ commands: batch.messages.length, stored: stored.length }, 'settings commands decided');
    await heartbeat();
  }
}
