// The exactly-once task runtime: a task is partition N of every input of a task group, owned by
// one instance at a time, with a fenced transactional producer of its own and serial work.

import type { Admin, Batch, Consumer, Kafka, Producer } from 'kafkajs';
import type { Logger } from '@optline/runtime';
import { taskId, type CoPartitionedGroup } from './assigner.ts';
import { PositionGuard } from './position.ts';
import { SerialQueue } from './serial.ts';
import { fencedProducer } from './transaction.ts';

/** Where the group stands in one input partition, as read after the fence. */
export interface Committed {
  /** The next offset to process; -1 when the group never committed. */
  offset: bigint;
  metadata: string | null;
}

export interface Task<G extends CoPartitionedGroup = CoPartitionedGroup, L = unknown> {
  readonly id: string;
  readonly group: G;
  readonly partition: number;
  readonly producer: Producer;
  /** Per input topic: the committed position, read once the previous owner was fenced. */
  readonly committed: ReadonlyMap<string, Committed>;
  /**
   * Per input topic: the next offset to process, as committed by this task's last transaction
   * (-1 when never committed, until `continues` puts it at the log start), or past what held
   * nothing to process (markers, aborted records).
   */
  readonly next: Map<string, bigint>;
  /** What the service opened with the task (its stores, its windows). */
  readonly local: L;
  readonly queue: SerialQueue;
}

export interface TaskManagerOptions<G extends CoPartitionedGroup, L> {
  kafka: Kafka;
  admin: Admin;
  groups: readonly G[];
  groupId: string;
  /** One per task: whoever opens the task next fences the previous owner. */
  transactionalId: (taskId: string) => string;
  logger: Logger;
  /** Runs after the fence and before the committed offsets are read: restore stores, etc. */
  open: (task: { id: string; group: G; partition: number }) => Promise<L>;
  close?: (local: L, task: { id: string }) => Promise<void>;
  /** After each assignment, with the task ids now owned. */
  onAssigned?: (ids: readonly string[]) => void;
  /**
   * Close every task on a new assignment, not only the revoked ones: for services whose task
   * state lives in memory and is rebuilt from the committed offsets (kafkajs restarts every
   * assigned partition from them after a rejoin).
   */
  reopenOnAssign?: boolean;
  transactionTimeoutMs?: number;
}

/**
 * Opens a task when it is assigned and closes it when revoked, in the pre-KIP-447 Kafka
 * Streams order (kafkajs cannot fence by consumer-group generation):
 * 1. the task's transactional producer fences the previous owner (a zombie can no longer
 *    commit) and completes its open transaction;
 * 2. the service's `open` runs (stores restored from changelogs, now final);
 * 3. the committed offsets are read, now final too: records below them were processed by the
 *    previous owner, even if the consumer fetched them from an older commit.
 */
export class TaskManager<G extends CoPartitionedGroup, L> {
  private readonly tasks = new Map<string, Promise<Task<G, L>>>();
  private assigned = new Set<string>();
  private assigning: Promise<void> = Promise.resolve();
  private readonly guard: PositionGuard;

  constructor(private readonly options: TaskManagerOptions<G, L>) {
    this.guard = new PositionGuard(options.admin, options.logger);
  }

  /** Task ids this instance owns now (for the assigner's stickiness). */
  owned(): string[] {
    return [...this.assigned];
  }

  /** Resolves when every task of the current assignment is open or failed to open. */
  async settled(): Promise<void> {
    await this.assigning;
    await Promise.all([...this.tasks.values()].map((t) => t.catch(() => undefined)));
  }

  groupOf(topic: string): G {
    const group = this.options.groups.find((g) => g.inputs.includes(topic));
    if (!group) throw new Error(`no task group reads topic ${topic}`);
    return group;
  }

  /** Applies a new assignment: closes revoked tasks (after their running work), opens new ones. */
  assign(assignment: Record<string, number[]>): Promise<void> {
    this.assigning = this.assigning.then(async () => {
      const ids = new Set<string>();
      for (const [topic, partitions] of Object.entries(assignment)) {
        const group = this.groupOf(topic);
        for (const p of partitions) ids.add(taskId(group.name, p));
      }
      this.assigned = ids;
      const closing = [...this.tasks.keys()].filter((id) => this.options.reopenOnAssign || !ids.has(id));
      await Promise.all(closing.map((id) => this.close(id)));
      for (const id of ids) if (!this.tasks.has(id)) this.open(id).catch(() => undefined); // errors surface in task()
      this.options.onAssigned?.([...ids]);
      this.options.logger.info({ tasks: [...ids].sort(), closed: closing }, 'tasks assigned');
    });
    return this.assigning;
  }

  /** The open task of an input partition, once it is ready to process. */
  async task(topic: string, partition: number): Promise<Task<G, L>> {
    await this.assigning;
    const id = taskId(this.groupOf(topic).name, partition);
    if (!this.assigned.has(id)) throw new Error(`task ${id} is not assigned to this instance`);
    return this.tasks.get(id) ?? this.open(id);
  }

  /**
   * Whether a batch of `topic` whose first offset is `firstOffset` (kafkajs' `firstOffset()`,
   * which counts transaction markers) continues the task's position there, leaving no record
   * before it unprocessed. When false the caller seeks its consumer to `task.next` and drops the
   * batch: kafkajs delivers batches fetched before a rejoin after it (a fetcher whose fetch failed
   * on a leader move rejoins while another's, from an old position, is in flight; issue #21), and
   * taking one would skip the records before it. A never-committed input starts at the log start,
   * whatever batch came first. The position moves where nothing is left to process before the
   * batch: past what kafkajs passed over by itself (`follow`), or to the log start once retention
   * deleted the records (else the seek would be answered from the log start again, forever).
   * Call it within `exclusive`.
   */
  async continues(task: Task<G, L>, topic: string, firstOffset: string | null): Promise<boolean> {
    if (firstOffset === null) return true;
    const first = BigInt(firstOffset);
    const next = await this.position(topic, task.partition, task.next.get(topic) ?? -1n, first);
    task.next.set(topic, next);
    return first <= next;
  }

  /** `continues` for a batch of `consumer`: one that starts past the task's position is sought back to it; drop it. */
  async accepts(task: Task<G, L>, batch: Batch, consumer: Consumer): Promise<boolean> {
    const { next, continues } = await this.guard.check(consumer, batch, task.next.get(batch.topic) ?? -1n);
    task.next.set(batch.topic, next);
    return continues;
  }

  /** `continues` for a service that keeps its own read position (`PositionGuard.position`). */
  position(topic: string, partition: number, next: bigint, first: bigint): Promise<bigint> {
    return this.guard.position(topic, partition, next, first);
  }

  /** The task read `topic` up to `lastOffset` with nothing to process past its position (a batch's tail of markers, aborted records). */
  passed(task: Task<G, L>, topic: string, lastOffset: string): void {
    const after = BigInt(lastOffset) + 1n;
    if (after > (task.next.get(topic) ?? -1n)) task.next.set(topic, after);
  }

  /** Hears of the fetches kafkajs passes over by itself (`PositionGuard.follow`). */
  follow(consumer: Consumer): void {
    this.guard.follow(consumer);
  }

  /** Runs `work` after the task's previous work, never two at once. */
  exclusive<T>(task: Task<G, L>, work: () => Promise<T>): Promise<T> {
    return task.queue.run(work);
  }

  /**
   * Drops a task after a failed transaction: what it holds never saw the aborted writes, so
   * the next batch reopens it from committed state (and re-fences, re-reads offsets).
   */
  async fail(task: Task<G, L>, error: unknown): Promise<void> {
    this.options.logger.warn({ task: task.id, err: error }, 'transaction failed; task closed, to reopen from committed state');
    if ((await this.tasks.get(task.id)?.catch(() => undefined)) === task) this.tasks.delete(task.id);
    await this.release(task, false);
  }

  async closeAll(): Promise<void> {
    await this.assigning.catch(() => undefined);
    this.assigned = new Set();
    await Promise.all([...this.tasks.keys()].map((id) => this.close(id)));
  }

  private open(id: string): Promise<Task<G, L>> {
    const opening = this.create(id);
    this.tasks.set(id, opening);
    opening.catch((error: unknown) => {
      if (this.tasks.get(id) === opening) this.tasks.delete(id);
      this.options.logger.error({ task: id, err: error }, 'task failed to open; retried with the next batch');
    });
    return opening;
  }

  private async create(id: string): Promise<Task<G, L>> {
    const { kafka, admin, groupId, logger } = this.options;
    const started = Date.now();
    const dash = id.lastIndexOf('-');
    const group = this.options.groups.find((g) => g.name === id.slice(0, dash))!;
    const partition = Number(id.slice(dash + 1));
    const producer = await fencedProducer(kafka, this.options.transactionalId(id), this.options.transactionTimeoutMs);
    let local: L | undefined;
    let opened = false;
    try {
      local = await this.options.open({ id, group, partition });
      opened = true;
      const offsets = await admin.fetchOffsets({ groupId, topics: [...group.inputs] });
      const committed = new Map<string, Committed>();
      const next = new Map<string, bigint>();
      for (const { topic, partitions } of offsets) {
        const p = partitions.find((one) => one.partition === partition);
        const offset = BigInt(p?.offset ?? '-1');
        committed.set(topic, { offset, metadata: p?.metadata ?? null });
        next.set(topic, offset);
      }
      logger.debug({ task: id, ms: Date.now() - started }, 'task opened');
      return { id, group, partition, producer, committed, next, local, queue: new SerialQueue(id) };
    } catch (error) {
      if (opened) await this.options.close?.(local as L, { id }).catch(() => undefined);
      await producer.disconnect().catch(() => undefined);
      throw error;
    }
  }

  private async close(id: string): Promise<void> {
    const task = await this.tasks.get(id)?.catch(() => undefined);
    this.tasks.delete(id);
    if (!task) return;
    await this.release(task, true);
    this.options.logger.info({ task: id }, 'task closed');
  }

  /** Waits for the running work when `drain` (a revoke), else only blocks later work (a failure). */
  private async release(task: Task<G, L>, drain: boolean): Promise<void> {
    if (drain) await task.queue.close();
    else void task.queue.close();
    await this.options.close?.(task.local, task).catch((err: unknown) => this.options.logger.warn({ task: task.id, err }, 'task close failed'));
    await task.producer.disconnect().catch(() => undefined);
  }
}
