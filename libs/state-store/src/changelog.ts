import { randomUUID } from 'node:crypto';
import type { Admin, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { Checkpoint, KeyValueStore, StoreOp } from './store.ts';
import { fetchTopicOffsets, stoppableConsumer } from '@optline/kafka';

export interface RestoreResult {
  topic: string;
  partition: number;
  /** Changelog records applied. */
  records: number;
  from: string;
  to: string;
  ms: number;
  /** True when the local store did not match the changelog and was rebuilt from scratch. */
  rebuilt: boolean;
  /** Why the store's folder was wiped when it was opened (another format), if it was. */
  wiped?: string;
}

interface ActiveRestore {
  store: KeyValueStore;
  end: bigint;
  /** The next offset to read: where a rejoin must take the partition up again. */
  position: bigint;
  records: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Brings stores up to the end of their changelog partitions, as Kafka Streams' restore
 * consumer does. kafkajs cannot assign partitions by hand, so one consumer in a group of its
 * own (never committing) holds every partition of the changelog topics, paused, and a restore
 * seeks and resumes just the partition it needs. One reader serves all of a process's stores.
 */
export class ChangelogReader {
  private readonly consumer: Consumer;
  private readonly admin: Admin;
  private readonly active = new Map<string, ActiveRestore>();
  private assigned: Array<{ topic: string; partitions: number[] }> = [];
  private started: Promise<void> | undefined;

  constructor(
    kafka: Kafka,
    private readonly topics: readonly string[],
    groupPrefix = 'optline.restore',
  ) {
    this.consumer = stoppableConsumer(kafka, {
      groupId: `${groupPrefix}.${randomUUID()}`,
      readUncommitted: false,
      maxWaitTimeInMs: 100,
      maxBytesPerPartition: 4 * 1024 * 1024,
    });
    this.admin = kafka.admin();
  }

  start(): Promise<void> {
    this.started ??= this.run();
    return this.started;
  }

  private async run(): Promise<void> {
    const joined = new Promise<void>((resolve) => {
      this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
        this.assigned = Object.entries(payload.memberAssignment).map(([topic, partitions]) => ({ topic, partitions }));
        this.pauseIdle();
        this.resumeActive();
        resolve();
      });
    });
    // Position tracking also sees batches of only transaction markers, which eachBatch never gets.
    this.consumer.on(this.consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      const restore = this.active.get(`${payload.topic}/${payload.partition}`);
      if (!restore) return;
      if (BigInt(payload.lastOffset) + 1n > restore.position) restore.position = BigInt(payload.lastOffset) + 1n;
      if (restore.position >= restore.end) this.finish(payload.topic, payload.partition);
    });
    await Promise.all([this.admin.connect(), this.consumer.connect()]);
    for (const topic of this.topics) await this.consumer.subscribe({ topic, fromBeginning: false });
    await this.consumer.run({ autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: 4, eachBatch: (p) => this.onBatch(p) });
    await joined;
  }

  private pauseIdle(): void {
    const idle = this.assigned
      .map(({ topic, partitions }) => ({ topic, partitions: partitions.filter((p) => !this.active.has(`${topic}/${p}`)) }))
      .filter((t) => t.partitions.length > 0);
    if (idle.length > 0) this.consumer.pause(idle);
  }

  /**
   * kafkajs starts every partition again from the group's committed offset after a rejoin (a
   * coordinator that moved), and this group commits nothing: a restore under way would go on from
   * the topic's end, its store missing what lay between, or wait for ever for a batch. It is
   * taken up again where it was.
   */
  private resumeActive(): void {
    for (const { topic, partitions } of this.assigned) {
      for (const partition of partitions) {
        const restore = this.active.get(`${topic}/${partition}`);
        if (!restore) continue;
        this.consumer.seek({ topic, partition, offset: restore.position.toString() });
        this.consumer.resume([{ topic, partitions: [partition] }]);
      }
    }
  }

  private async onBatch({ batch, resolveOffset }: EachBatchPayload): Promise<void> {
    const restore = this.active.get(`${batch.topic}/${batch.partition}`);
    if (!restore) return; // fetched before it was paused; nothing resolved, so it stays unread
    try {
      const ops: StoreOp[] = [];
      for (const m of batch.messages) {
        if (m.key === null) continue; // a changelog record always has a key; nothing to restore
        const key = m.key.toString('utf8');
        ops.push(m.value === null ? { type: 'delete', key } : { type: 'put', key, value: m.value });
      }
      const next = (BigInt(batch.lastOffset()) + 1n).toString();
      await restore.store.batch(ops, { topic: batch.topic, partition: batch.partition, offset: next });
      restore.records += ops.length;
      if (BigInt(next) > restore.position) restore.position = BigInt(next);
      resolveOffset(batch.lastOffset());
    } catch (error) {
      this.active.delete(`${batch.topic}/${batch.partition}`);
      this.consumer.pause([{ topic: batch.topic, partitions: [batch.partition] }]);
      restore.reject(error);
    }
  }

  private finish(topic: string, partition: number): void {
    const restore = this.active.get(`${topic}/${partition}`);
    if (!restore) return;
    this.active.delete(`${topic}/${partition}`);
    this.consumer.pause([{ topic, partitions: [partition] }]);
    restore.resolve();
  }

  /**
   * Applies the changelog partition to the store from the store's checkpoint to the current
   * end. A store whose checkpoint belongs to another changelog, or lies outside the
   * partition's offsets (the topic was re-created), is cleared and rebuilt.
   */
  async restore(store: KeyValueStore, topic: string, partition: number): Promise<RestoreResult> {
    const started = Date.now();
    await this.start();
    const key = `${topic}/${partition}`;
    if (this.active.has(key)) throw new Error(`changelog ${key} is already being restored`);
    const offsets = (await fetchTopicOffsets(this.admin, topic)).find((o) => o.partition === partition);
    if (!offsets) throw new Error(`changelog ${topic} has no partition ${partition}`);
    const low = BigInt(offsets.low);
    const end = BigInt(offsets.high);
    let checkpoint: Checkpoint | null = await store.checkpoint();
    let rebuilt = store.wiped !== undefined;
    if (checkpoint && (checkpoint.topic !== topic || checkpoint.partition !== partition || BigInt(checkpoint.offset) > end || BigInt(checkpoint.offset) < low)) {
      await store.clear();
      checkpoint = null;
      rebuilt = true;
    }
    const from = checkpoint ? BigInt(checkpoint.offset) : low;
    const result = { topic, partition, records: 0, from: from.toString(), to: end.toString(), rebuilt, ...(store.wiped === undefined ? {} : { wiped: store.wiped }) };
    if (from >= end) return { ...result, ms: Date.now() - started };

    let restore!: ActiveRestore;
    const finished = new Promise<void>((resolve, reject) => {
      restore = { store, end, position: from, records: 0, resolve, reject };
    });
    this.active.set(key, restore);
    this.consumer.seek({ topic, partition, offset: from.toString() });
    this.consumer.resume([{ topic, partitions: [partition] }]);
    await finished;
    return { ...result, records: restore.records, ms: Date.now() - started };
  }

  async stop(): Promise<void> {
    for (const [key, restore] of this.active) {
      this.active.delete(key);
      restore.reject(new Error(`changelog reader stopped while restoring ${key}`));
    }
    await this.consumer.disconnect();
    await this.admin.disconnect();
  }
}
