// Where a reader of a transactional input stands for a batch kafkajs hands it, shared by the task
// runtime and the services that keep their own read position (the materializer, the replier).
// kafkajs delivers batches fetched before a rejoin after it, from past the reader's real position
// (issue #21); the reader seeks back to the position this returns and drops such a batch. The
// position itself moves where nothing is left to read before the batch, or the seek would loop.

import type { Admin, Batch, Consumer } from 'kafkajs';
import type { Logger } from '@optline/runtime';
import { logStart } from '../offsets.ts';
import { FilteredStretches } from './filtered.ts';

export class PositionGuard {
  private readonly filtered = new FilteredStretches();

  constructor(private readonly admin: Admin, private readonly logger: Logger) {}

  /**
   * Where a reader whose next offset is `next` (-1 when its group never committed) stands for a
   * batch starting at `first` (kafkajs' `firstOffset()`, which counts markers); the batch
   * continues it when `first` is not past it. A never-committed input starts at the log start,
   * whatever batch came first; the position moves past what kafkajs passed over by itself
   * (`follow`), and to the log start once retention deleted the records before the batch (else
   * the seek back would be answered from the log start again, forever).
   */
  async position(topic: string, partition: number, next: bigint, first: bigint): Promise<bigint> {
    if (next < 0n) next = await logStart(this.admin, topic, partition);
    next = this.filtered.past(topic, partition, next);
    if (first <= next) return next;
    const start = await logStart(this.admin, topic, partition);
    if (start <= next) return next;
    this.logger.warn({ topic, partition, position: next.toString(), logStart: start.toString() }, 'records deleted before they were processed; reading on from the log start');
    return start;
  }

  /**
   * `position` for a batch, for a reader whose consumer reads from `next`: when the batch starts
   * past where the reader stands, the consumer is sought back there and `continues` is false (drop
   * the batch: nothing of it taken, nothing resolved).
   */
  async check(consumer: Consumer, batch: Batch, next: bigint): Promise<{ next: bigint; continues: boolean }> {
    const first = batch.firstOffset();
    if (first === null) return { next, continues: true };
    const at = await this.position(batch.topic, batch.partition, next, BigInt(first));
    if (BigInt(first) <= at) return { next: at, continues: true };
    this.logger.debug({ topic: batch.topic, partition: batch.partition, firstOffset: first, position: at.toString() }, 'batch starts past the read position; seeking back');
    consumer.seek({ topic: batch.topic, partition: batch.partition, offset: at.toString() });
    return { next: at, continues: false };
  }

  /**
   * Hears of the fetches kafkajs resolves by itself, with only markers or aborted records (they
   * never reach eachBatch), so that `position` moves past them instead of sending the reader back
   * to them again and again: a stretch longer than one fetch would be passed over after every seek.
   */
  follow(consumer: Consumer): void {
    consumer.on(consumer.events.START_BATCH_PROCESS, ({ payload }) => {
      if (payload.batchSize > 0 || payload.firstOffset === null) return;
      this.filtered.add(payload.topic, payload.partition, BigInt(payload.firstOffset), BigInt(payload.lastOffset));
    });
  }
}
