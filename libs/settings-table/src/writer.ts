// The one writer of the settings topic: a single task over the one-partition command topic,
// on the exactly-once task runtime of libs/kafka. Every API instance runs a SettingsWriter; the
// consumer group gives the task to one of them, whose transactional producer (one
// transactional id for the task) fences any previous owner. Each batch of commands is decided
// in order against the stored settings (core's decideSettingsCommand) and its settings records,
// outcomes and command offsets are committed in one transaction, so a change is stored and
// answered once, across crashes.

import type { Admin, Consumer, EachBatchPayload, Kafka, Message, TopicMessages } from 'kafkajs';
import { Counter, type Registry } from 'prom-client';
import { decideSettingsCommand, PendingSettings, type SettingsCommand, type SettingsOutcome, type SmsSettings } from '@optline/core';
import {
  AvroSerde, Codec, commitTransaction, coPartitionedAssigner, createKafka, deadLetterMessage, groupId, stoppableConsumer, TaskManager, topics, UndecodableError, type CoPartitionedGroup, type Topics,
} from '@optline/kafka';
import { createLogger, type Logger, type OptlineConfig } from '@optline/runtime';
import type { SettingsTable } from './table.ts';

export interface SettingsWriterOptions {
  config: OptlineConfig;
  /** Share the caller's Kafka client and codec; created otherwise. */
  kafka?: Kafka;
  codec?: Codec;
  /** The settings as stored; the writer lays its own commits over it at once. */
  table: SettingsTable;
  logger?: Logger | undefined;
  metrics?: Registry | undefined;
  now?: () => number;
}

export class SettingsWriter {
  private consumer: Consumer | undefined;
  private admin: Admin | undefined;
  private tasks: TaskManager<CoPartitionedGroup, undefined> | undefined;
  private readonly group: string;
  private readonly taskGroup: CoPartitionedGroup;
  private readonly commands: Counter | undefined;
  private readonly kafka: Kafka;
  private readonly codec: Codec;
  private readonly topics: Topics;
  private readonly namespace: string;
  private readonly logger: Logger;
  private stopped = false;

  constructor(private readonly options: SettingsWriterOptions) {
    const { config } = options;
    this.namespace = config.topicNamespace;
    this.topics = topics(config.topicNamespace);
    this.kafka = options.kafka ?? createKafka(config, options.logger, `${config.clientId}-settings-writer`);
    this.codec = options.codec ?? new Codec(new AvroSerde(config.schemaRegistryUrl, this.topics));
    this.group = groupId(config.topicNamespace, 'optline.settings-writer');
    this.taskGroup = { name: 'settings-writer', inputs: [this.topics.settingsCommands.name] };
    this.logger = options.logger ?? createLogger('settings-writer', 'silent');
    this.commands = options.metrics && new Counter({
      name: 'optline_settings_commands_total', help: 'Settings commands decided by this instance as the settings writer, by outcome',
      labelNames: ['outcome'], registers: [options.metrics],
    });
  }

  async start(): Promise<void> {
    const { kafka, taskGroup, namespace } = this;
    const admin = (this.admin = kafka.admin());
    await admin.connect();
    // The API starts the writer without waiting for it (its group join can last a session
    // timeout), so a stop may come first or midway: nothing is started after it.
    if (this.stopped) return void (await admin.disconnect());
    const tasks = (this.tasks = new TaskManager<CoPartitionedGroup, undefined>({
      kafka, admin, groups: [taskGroup], groupId: this.group, logger: this.logger,
      // Task settings-writer-0: transactional id optline.settings-writer-0, stable across instances.
      transactionalId: (id) => groupId(namespace, `optline.${id}`),
      // After the fence every settings record of a previous owner is committed or aborted: read them all.
      open: async () => {
        await this.options.table.sync(60_000);
      },
      reopenOnAssign: true,
      transactionTimeoutMs: 30_000,
    }));
    // A short session: a crashed writer's task moves on within seconds, not kafkajs' default 30.
    const consumer = (this.consumer = stoppableConsumer(kafka, {
      groupId: this.group, readUncommitted: false, maxWaitTimeInMs: 20, sessionTimeout: 10_000, heartbeatInterval: 1000,
      partitionAssigners: [coPartitionedAssigner([taskGroup], () => tasks.owned())],
    }));
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => void tasks.assign(payload.memberAssignment));
    tasks.follow(consumer);
    consumer.on(consumer.events.CRASH, ({ payload }) => this.logger.error({ err: payload.error, restart: payload.restart }, 'settings writer consumer crashed'));
    await consumer.connect();
    await consumer.subscribe({ topic: taskGroup.inputs[0]!, fromBeginning: true });
    if (this.stopped) return void (await consumer.disconnect());
    await consumer.run({ autoCommit: false, eachBatch: (payload) => this.process(payload) });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const consumer = this.consumer;
    this.consumer = undefined;
    await consumer?.disconnect();
    await this.tasks?.closeAll();
    await this.admin?.disconnect();
  }

  private async process({ batch, heartbeat }: EachBatchPayload): Promise<void> {
    const tasks = this.tasks!;
    const task = await tasks.task(batch.topic, batch.partition);
    await tasks.exclusive(task, async () => {
      // Commands between the task's position and a stale batch would go undecided: read them first.
      if (!(await tasks.accepts(task, batch, this.consumer!))) return;
      // Below the offset committed when this task was opened: decided by the previous owner.
      const next = task.next.get(batch.topic)!;
      const messages = batch.messages.filter((m) => BigInt(m.offset) >= next);
      if (messages.length === 0) return tasks.passed(task, batch.topic, batch.lastOffset());
      const { stored, outcomes, records } = await this.decide(batch.topic, batch.partition, messages);
      const last = BigInt(messages[messages.length - 1]!.offset);
      try {
        await commitTransaction(task.producer, records, { groupId: this.group, topic: batch.topic, partition: batch.partition, offset: String(last + 1n) });
      } catch (error) {
        // Reopened (fenced again, settings re-read) with the batch, which kafkajs fetches again.
        await tasks.fail(task, error);
        throw error;
      }
      task.next.set(batch.topic, last + 1n);
      // Committed: the writer's own view is current before the table reads the records back.
      for (const settings of stored) this.options.table.applyOwn(settings);
      for (const outcome of outcomes) this.commands?.inc({ outcome: outcome.outcome });
      this.logger.debug({ commands: messages.length, stored: stored.length }, 'settings commands decided');
    });
    await heartbeat();
  }

  /** Decides the commands in order, each seeing the ones before it; undecodable ones are dead letters. */
  private async decide(topic: string, partition: number, messages: EachBatchPayload['batch']['messages']) {
    const { codec, topics } = this;
    const { table, now = Date.now } = this.options;
    const view = new PendingSettings(table);
    const stored: SmsSettings[] = [];
    const outcomes: SettingsOutcome[] = [];
    const rejected: Message[] = [];
    for (const message of messages) {
      let command: SettingsCommand;
      try {
        command = await codec.decodeSoon<SettingsCommand>('SettingsCommand', message.value);
      } catch (error) {
        // Only bytes that can never be read are dead letters; a registry outage fails the batch.
        if (!(error instanceof UndecodableError)) throw error;
        const source = `${topic}/${partition}@${message.offset}`;
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
    const encoded = async (name: string, values: readonly { project: string }[]): Promise<TopicMessages> =>
      ({ topic: name, messages: await Promise.all(values.map(async (v) => ({ key: v.project, value: await codec.encode(name, v) }))) });
    const records = [await encoded(topics.settings.name, stored), await encoded(topics.settingsOutcomes.name, outcomes), { topic: topics.deadLetter.name, messages: rejected }];
    return { stored, outcomes, records: records.filter((r) => r.messages.length > 0) };
  }
}
