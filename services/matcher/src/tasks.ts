import type { Admin, Kafka, Producer } from 'kafkajs';
import type { Logger } from '@optline/runtime';
import { openPartitionStore, ValueCache, type ChangelogReader, type RocksDbStore } from '@optline/state-store';
import { taskId } from './assigner.ts';
import type { MatcherMetrics } from './metrics.ts';
import type { TaskGroup } from './processing.ts';

/** One partition of one task group, owned by this instance: its producer, store and positions. */
export interface Task {
  id: string;
  group: TaskGroup;
  partition: number;
  producer: Producer;
  store: RocksDbStore | undefined;
  /** Committed values of the store, decoded: hot phones skip RocksDB and Avro. */
  cache: ValueCache<unknown>;
  /** Per input topic: the next offset to process, as committed in the last transaction. */
  next: Map<string, bigint>;
  /** Work on a task runs one transaction at a time, in order. */
  queue: Promise<unknown>;
  /** Set when the task was released; queued work must not touch its producer or store. */
  closed: boolean;
}

export class TaskClosedError extends Error {
  constructor(id: string) {
    super(`task ${id} was closed; its batch is fetched again`);
    this.name = 'TaskClosedError';
  }
}

export interface TaskManagerDeps {
  kafka: Kafka;
  admin: Admin;
  reader: ChangelogReader;
  groups: readonly TaskGroup[];
  groupId: string;
  stateDir: string;
  transactionalId: (taskId: string) => string;
  logger: Logger;
  metrics: MatcherMetrics;
}

/**
 * Opens a task when it is assigned and closes it when revoked, as Kafka Streams does:
 * 1. the task's transactional producer connects first: InitProducerId fences the previous
 *    owner (a zombie can no longer commit) and completes its open transaction;
 * 2. the store is restored from its changelog, now final, up to the end;
 * 3. the committed offsets are read again, now final too: records below them were already
 *    processed, even if the consumer fetched them from an older commit.
 */
export class TaskManager {
  private readonly tasks = new Map<string, Promise<Task>>();
  private assigned = new Set<string>();
  private assigning: Promise<void> = Promise.resolve();

  constructor(private readonly deps: TaskManagerDeps) {}

  /** Task ids this instance owns now (for the assigner's stickiness). */
  owned(): string[] {
    return [...this.assigned];
  }

  /** Resolves when every task of the current assignment is open (restored) or failed to open. */
  async settled(): Promise<void> {
    await this.assigning;
    await Promise.all([...this.tasks.values()].map((t) => t.catch(() => undefined)));
  }

  private groupOf(topic: string): TaskGroup {
    const group = this.deps.groups.find((g) => g.inputs.includes(topic));
    if (!group) throw new Error(`no task group reads topic ${topic}`);
    return group;
  }

  /** Applies a new assignment: closes revoked tasks (after their running transaction), opens new ones. */
  assign(assignment: Record<string, number[]>): Promise<void> {
    this.assigning = this.assigning.then(async () => {
      const ids = new Set<string>();
      for (const [topic, partitions] of Object.entries(assignment)) {
        const group = this.groupOf(topic);
        for (const p of partitions) ids.add(taskId(group.name, p));
      }
      this.assigned = ids;
      const revoked = [...this.tasks.keys()].filter((id) => !ids.has(id));
      await Promise.all(revoked.map((id) => this.close(id)));
      for (const id of ids) if (!this.tasks.has(id)) this.open(id).catch(() => undefined); // errors surface in task()
      for (const group of this.deps.groups) this.deps.metrics.tasks.set({ group: group.name }, [...ids].filter((id) => id.startsWith(`${group.name}-`)).length);
      this.deps.logger.info({ tasks: [...ids].sort(), revoked }, 'tasks assigned');
    });
    return this.assigning;
  }

  /** The open task of an input partition, once it is ready to process. */
  async task(topic: string, partition: number): Promise<Task> {
    await this.assigning;
    const id = taskId(this.groupOf(topic).name, partition);
    if (!this.assigned.has(id)) throw new Error(`task ${id} is not assigned to this instance`);
    return this.tasks.get(id) ?? this.open(id);
  }

  private open(id: string): Promise<Task> {
    const opening = this.create(id);
    this.tasks.set(id, opening);
    opening.catch((error: unknown) => {
      if (this.tasks.get(id) === opening) this.tasks.delete(id);
      this.deps.logger.error({ task: id, err: error }, 'task failed to open; retried with the next batch');
    });
    return opening;
  }

  private async create(id: string): Promise<Task> {
    const { kafka, admin, reader, groupId, stateDir, metrics, logger } = this.deps;
    const started = Date.now();
    const dash = id.lastIndexOf('-');
    const group = this.deps.groups.find((g) => g.name === id.slice(0, dash))!;
    const partition = Number(id.slice(dash + 1));
    const producer = kafka.producer({ transactionalId: this.deps.transactionalId(id), idempotent: true, maxInFlightRequests: 1, transactionTimeout: 60_000 });
    let store: RocksDbStore | undefined;
    try {
      await producer.connect();
      // kafkajs sends the transactional InitProducerId only with the first transaction, not on
      // connect: begin one (and abort it, empty) so the fence is up before anything is read.
      await (await producer.transaction()).abort();
      if (group.store) {
        store = await openPartitionStore(stateDir, group.store.name, partition);
        const restored = await reader.restore(store, group.store.changelog, partition);
        metrics.restoreSeconds.observe({ store: group.store.name }, restored.ms / 1000);
        metrics.restoredRecords.inc({ store: group.store.name }, restored.records);
        if (restored.records > 0 || restored.rebuilt) logger.info({ task: id, ...restored }, 'store restored from changelog');
      }
      const committed = await admin.fetchOffsets({ groupId, topics: [...group.inputs] });
      const next = new Map<string, bigint>();
      for (const { topic, partitions } of committed) {
        const offset = partitions.find((p) => p.partition === partition)?.offset ?? '-1';
        next.set(topic, BigInt(offset));
      }
      logger.debug({ task: id, ms: Date.now() - started }, 'task opened');
      return { id, group, partition, producer, store, cache: new ValueCache(), next, queue: Promise.resolve(), closed: false };
    } catch (error) {
      await store?.close().catch(() => undefined);
      await producer.disconnect().catch(() => undefined);
      throw error;
    }
  }

  /** Runs `work` after the task's previous work, never two at once. */
  exclusive<T>(task: Task, work: () => Promise<T>): Promise<T> {
    const run = task.queue.then(() => {
      if (task.closed) throw new TaskClosedError(task.id);
      return work();
    });
    task.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Drops a task after a failed transaction: its store never saw the aborted writes, so the
   * next batch reopens it from committed state (and re-fences, re-reads offsets).
   */
  async fail(task: Task, error: unknown): Promise<void> {
    this.deps.logger.warn({ task: task.id, err: error }, 'transaction failed; task closed, to reopen from committed state');
    if ((await this.tasks.get(task.id)?.catch(() => undefined)) === task) this.tasks.delete(task.id);
    await this.release(task);
  }

  private async close(id: string): Promise<void> {
    const task = await this.tasks.get(id)?.catch(() => undefined);
    this.tasks.delete(id);
    if (!task) return;
    await task.queue;
    await this.release(task);
    this.deps.logger.info({ task: id }, 'task closed');
  }

  private async release(task: Task): Promise<void> {
    task.closed = true;
    await task.store?.close().catch((err: unknown) => this.deps.logger.warn({ task: task.id, err }, 'store close failed'));
    await task.producer.disconnect().catch(() => undefined);
  }

  async closeAll(): Promise<void> {
    await this.assigning.catch(() => undefined);
    this.assigned = new Set();
    await Promise.all([...this.tasks.keys()].map((id) => this.close(id)));
  }
}
