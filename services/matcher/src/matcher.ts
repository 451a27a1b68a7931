import type { Admin, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { Registry } from 'prom-client';
import {
  AvroSerde, Codec, coPartitionedAssigner, CoPartitioningError, createKafka, encodersFor, provision, stoppableConsumer, TaskManager, type Encoders,
} from '@optline/kafka';
import type { Logger, OptlineConfig } from '@optline/runtime';
import { SettingsTable } from '@optline/settings-table';
import { ChangelogReader, openPartitionStore, ValueCache, WriteBehind } from '@optline/state-store';
import { matcherMetrics, type MatcherMetrics } from './metrics.ts';
import type { TaskGroup } from './processing.ts';
import { matcherTopology, taskGroups, type MatcherTopology } from './topology.ts';
import { runTransaction, type TaskStores } from './transaction.ts';

export interface MatcherOptions {
  config: OptlineConfig;
  logger: Logger;
  registry: Registry;
  /** Input records per transaction at most (default 40,000; the produce requests are bounded by bytes apart from it). */
  maxRecordsPerTransaction?: number;
  /** Processing time of a transaction at most before it commits (default 1 s). */
  commitIntervalMs?: number;
  /** Input partitions processed at once (default 6; different tasks; one task is always sequential). */
  concurrency?: number;
  /** How long the group waits for a silent instance before moving its tasks. */
  sessionTimeoutMs?: number;
  /** Bytes fetched per input partition and request at most (default 4 MiB). */
  maxBytesPerPartition?: number;
}

/**
 * Awaits `work` (a task opening: restoring a large store takes a while) and keeps the group
 * session alive meanwhile; a heartbeat that reports a rebalance ends the wait, so the member
 * rejoins in time instead of being dropped from the group.
 */
async function whileHeartbeating<T>(work: Promise<T>, heartbeat: () => Promise<void>, everyMs = 2000): Promise<T> {
  let done = false;
  const result = work.finally(() => (done = true));
  while (!done) {
    const tick = new Promise<void>((resolve) => setTimeout(resolve, everyMs).unref());
    await Promise.race([result.then(() => undefined, () => undefined), tick]);
    if (!done) await heartbeat();
  }
  return result;
}

/** The matcher of one process: a member of the matcher's consumer group. */
export class Matcher {
  readonly topology: MatcherTopology;
  readonly metrics: MatcherMetrics;
  private kafka!: Kafka;
  private admin: Admin | undefined;
  private settings: SettingsTable | undefined;
  private reader: ChangelogReader | undefined;
  private tasks: TaskManager<TaskGroup, TaskStores> | undefined;
  private consumer: Consumer | undefined;
  private joined!: Promise<void>;
  private encoders: Encoders = new Map();

  constructor(private readonly options: MatcherOptions) {
    this.topology = matcherTopology(options.config);
    this.metrics = matcherMetrics(options.registry);
  }

  async start(): Promise<void> {
    const { config, logger } = this.options;
    const t = this.topology;
    const { topics: named } = await provision(config, logger);
    const codec = new Codec(new AvroSerde(config.schemaRegistryUrl, named));
    this.kafka = createKafka(config, logger, `${config.clientId}-matcher`);
    this.admin = this.kafka.admin();
    await this.admin.connect();

    this.settings = new SettingsTable({ config, logger, kafka: this.kafka, codec, metrics: this.options.registry });
    const groups = taskGroups(t, { codec, settings: this.settings, metrics: this.metrics });
    // Every output's encoder up front (registers its schema): handlers' sinks encode synchronously.
    this.encoders = await encodersFor(groups.map((g) => g.outputs), (topic) => codec.serde.encoderFor(topic));
    await this.checkPartitions(groups);
    await this.settings.start();
    await this.settings.ready();

    this.reader = new ChangelogReader(this.kafka, groups.flatMap((g) => (g.store ? [g.store.changelog] : [])), `${t.groupId}.restore`);
    await this.reader.start();
    const reader = this.reader;
    const metrics = this.metrics;
    const tasks = (this.tasks = new TaskManager<TaskGroup, TaskStores>({
      kafka: this.kafka, admin: this.admin, groups, groupId: t.groupId, transactionalId: t.transactionalId, logger,
      async open({ id, group, partition }) {
        if (!group.store) return { store: undefined, cache: new ValueCache(), held: new WriteBehind() };
        const store = await openPartitionStore(config.stateDir, group.store.name, partition);
        try {
          const restored = await reader.restore(store, group.store.changelog, partition);
          metrics.restoreSeconds.observe({ store: group.store.name }, restored.ms / 1000);
          metrics.restoredRecords.inc({ store: group.store.name }, restored.records);
          if (restored.records > 0 || restored.rebuilt) logger.info({ task: id, ...restored }, 'store restored from changelog');
        } catch (error) {
          await store.close().catch(() => undefined);
          throw error;
        }
        return { store, cache: new ValueCache(), held: new WriteBehind() };
      },
      close: async ({ store, held }) => {
        // What is held is committed: written before the store closes, so the next owner on this
        // disk restores less (were it lost, the restore would catch up from an older checkpoint).
        if (store) await held.flush(store).finally(() => store.close());
      },
      onAssigned: (ids) => {
        for (const group of groups) metrics.tasks.set({ group: group.name }, ids.filter((id) => id.startsWith(`${group.name}-`)).length);
      },
    }));

    const consumer = (this.consumer = stoppableConsumer(this.kafka, {
      groupId: t.groupId,
      readUncommitted: false,
      partitionAssigners: [coPartitionedAssigner(groups, () => tasks.owned())],
      // Large fetches make large transactions while a backlog drains: a phone that replies several
      // times in one costs one changelog record and one state encoding (1 M replies from 125k
      // phones: 1.84 records out per reply instead of 2.2, ~12 % less CPU per reply).
      maxBytesPerPartition: this.options.maxBytesPerPartition ?? 4 * 1024 * 1024,
      // kafkajs fetches again only once every batch of a fetch was processed; a response that
      // can hold every partition's batch (not kafkajs' 10 MiB) keeps all the tasks busy.
      maxBytes: 32 * 1024 * 1024,
      maxWaitTimeInMs: 500,
      sessionTimeout: this.options.sessionTimeoutMs ?? 10_000,
      rebalanceTimeout: 60_000,
    }));
    this.joined = new Promise((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => void tasks.assign(payload.memberAssignment));
    tasks.follow(consumer);
    consumer.on(consumer.events.CRASH, ({ payload }) => logger.error({ err: payload.error, restart: payload.restart }, 'matcher consumer crashed'));
    await consumer.connect();
    for (const group of groups) for (const topic of group.inputs) await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.concurrency ?? 6,
      eachBatch: (payload) => this.onBatch(payload),
    });
    logger.info({ groupId: t.groupId, stateDir: config.stateDir }, 'matcher started');
  }

  /** Resolves once the instance has joined its group and opened (restored) its tasks. */
  async ready(): Promise<void> {
    await this.joined;
    await this.tasks!.settled();
  }

  /** The tasks (group-partition) this instance owns. */
  owned(): string[] {
    return this.tasks?.owned() ?? [];
  }

  /** Co-partitioned inputs and their changelogs must agree on partition counts, or state would be split. */
  private async checkPartitions(groups: readonly TaskGroup[]): Promise<void> {
    const names = [...new Set(groups.flatMap((g) => [...g.inputs, ...(g.store ? [g.store.changelog] : [])]))];
    const { topics } = await this.admin!.fetchTopicMetadata({ topics: names });
    const count = new Map(topics.map((t) => [t.name, t.partitions.length]));
    for (const g of groups) {
      const all = [...g.inputs, ...(g.store ? [g.store.changelog] : [])];
      if (new Set(all.map((n) => count.get(n))).size !== 1) throw new CoPartitioningError(g.name, Object.fromEntries(all.map((n) => [n, count.get(n) ?? 0])));
    }
  }

  private async onBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const tasks = this.tasks!;
    const task = await whileHeartbeating(tasks.task(batch.topic, batch.partition), heartbeat);
    const bounds = { maxRecords: this.options.maxRecordsPerTransaction ?? 40_000, maxMs: this.options.commitIntervalMs ?? 1000 };
    const env = { groupId: this.topology.groupId, deadLetterTopic: this.topology.deadLetter, encoders: this.encoders, metrics: this.metrics };
    await tasks.exclusive(task, async () => {
      // Records between the task's position and a stale batch would be skipped: read them first.
      if (!(await tasks.accepts(task, batch, this.consumer!))) return;
      // Replies are decided with every settings record stored before they are processed.
      if (batch.topic === this.topology.topics.inbound.name) await this.settings!.sync();
      const next = task.next.get(batch.topic)!;
      // Below the committed offset: already processed by this task or a previous owner.
      const fresh = batch.messages.filter((m) => BigInt(m.offset) >= next);
      if (fresh.length === 0) {
        resolveOffset(batch.lastOffset());
        tasks.passed(task, batch.topic, batch.lastOffset());
      }
      for (let i = 0; i < fresh.length; ) {
        if (!isRunning() || isStale()) return;
        let done;
        try {
          done = await runTransaction(task, batch.topic, fresh, i, batch.lastOffset(), bounds, env);
        } catch (error) {
          await tasks.fail(task, error);
          throw error;
        }
        i = done.next;
        resolveOffset(done.lastOffset);
        await heartbeat();
      }
    });
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
    await this.tasks?.closeAll();
    await this.reader?.stop();
    await this.settings?.stop();
    await this.admin?.disconnect();
    this.options.logger.info('matcher stopped');
  }
}
