// The outcome transactions of the replies partitions this process owns: SENT/FAILED, the
// campaign event and the partition's offset, committed together (DESIGN.md, step 3).
//
// A transaction whose end is unknown (the commit or the abort failed: the transaction
// coordinator moved or died with the EndTxn in flight) may have committed. Its outcomes are not
// queued again blindly, which wrote a second auto_reply_sent for one Sinch batch: a fresh producer
// fences the transactional id (the coordinator completes or aborts the transaction first), the
// attempts are read up to their end, and only the outcomes without a SENT or FAILED go again.
// kafkajs also leaves a producer whose EndTxn failed unusable (its state stays COMMITTING), so
// the fresh one replaces it either way.

import type { Kafka, Message, Producer, Transaction } from 'kafkajs';
import { replyCampaignEvent, trackingKey } from '@optline/core';
import { fencedProducer, type Codec } from '@optline/kafka';
import type { Logger } from '@optline/runtime';
import type { AttemptTable } from './attempts.ts';
import type { ReplierMetrics } from './metrics.ts';
import type { ReplierTopology } from './topology.ts';
import type { Done, Owned, Work } from './work.ts';

// Outcome transactions are small; a crashed owner's open one is aborted by the broker after this.
export const TRANSACTION_TIMEOUT_MS = 10_000;
const RETRY_MS = 200;

export interface OutcomeWriterOptions {
  kafka: Kafka;
  topology: ReplierTopology;
  codec: Codec;
  attempts: AttemptTable;
  metrics: ReplierMetrics;
  logger: Logger;
  /** Replies being delivered, by event_id: an outcome recorded leaves it. */
  inFlight: Map<string, Work>;
  stopping: AbortSignal;
  /** False once the partition moved (or was claimed again): its loop ends. */
  owns(partition: number, owned: Owned): boolean;
  /** A reply left inFlight: the reader may take more. */
  freed(): void;
  /** Test hook: runs after each commit (with its outcome count); throwing makes a committed transaction look failed. */
  afterCommit?: ((partition: number, outcomes: number) => void | Promise<void>) | undefined;
}

/** A transaction neither committed nor aborted as far as this process knows. */
class UnsettledTransaction extends Error {
  constructor(readonly outcomes: Done[], readonly dead: Message[], cause: unknown) {
    super(`outcome transaction unsettled: ${(cause as Error).message}`, { cause });
  }
}

export class OutcomeWriter {
  constructor(private readonly o: OutcomeWriterOptions) {}

  /** The partition's transactional producer, with every earlier holder fenced. */
  fence(partition: number): Promise<Producer> {
    return fencedProducer(this.o.kafka, this.o.topology.transactionalId(partition), TRANSACTION_TIMEOUT_MS);
  }

  /** Group commit: one transaction at a time per partition, taking every outcome queued meanwhile. */
  commit(partition: number, owned: Owned): void {
    if (owned.committing) return;
    owned.committing = (async () => {
      while (!this.o.stopping.aborted && this.o.owns(partition, owned) && (owned.unsettled || owned.outcomes.length > 0 || owned.dead.length > 0 || owned.progress.advanced())) {
        try {
          if (owned.unsettled) await this.settle(partition, owned, owned.unsettled);
          else await this.transact(partition, owned);
        } catch (err) {
          if (!this.o.owns(partition, owned)) return;
          // Mostly CONCURRENT_TRANSACTIONS (the broker still completing the previous commit after
          // kafkajs' own retries), or a coordinator that moved: tried again.
          this.o.logger.warn({ err: (err as Error).message, partition, outcomes: (owned.unsettled ?? owned).outcomes.length }, 'outcome transaction failed; retrying');
          await new Promise((r) => setTimeout(r, RETRY_MS));
        }
      }
    })().finally(() => {
      owned.committing = null;
    });
  }

  private async transact(partition: number, owned: Owned): Promise<void> {
    const { writes, groupId, reads } = this.o.topology;
    const [encodeAttempt, encodeEvent] = await Promise.all([this.o.codec.serde.encoderFor(writes.attempts), this.o.codec.serde.encoderFor(writes.campaign)]);
    const outcomes = owned.outcomes.splice(0);
    const dead = owned.dead.splice(0);
    const events = outcomes.map((d) => replyCampaignEvent(d.work.intent, d.outcome));
    // Offsets as if these outcomes were recorded; undone below if the transaction fails.
    for (const d of outcomes) for (const o of d.work.offsets) owned.progress.finish(o);
    const offset = owned.progress.commitOffset();
    let tx: Transaction;
    try {
      tx = await owned.producer.transaction();
    } catch (err) {
      this.requeue(owned, outcomes, dead);
      throw err;
    }
    try {
      const topicMessages = [
        { topic: writes.attempts, messages: outcomes.map((d) => ({ key: d.attempt.event_id, value: encodeAttempt(d.attempt) })) },
        { topic: writes.campaign, messages: events.map((e) => ({ key: trackingKey(e), value: encodeEvent(e) })) },
        { topic: writes.deadLetter, messages: dead },
      ].filter((t) => t.messages.length > 0);
      if (topicMessages.length > 0) await tx.sendBatch({ topicMessages, acks: -1 });
      if (offset !== null) {
        await tx.sendOffsets({ consumerGroupId: groupId, topics: [{ topic: reads.replies, partitions: [{ partition, offset: offset.toString() }] }] });
      }
      await tx.commit();
      await this.o.afterCommit?.(partition, outcomes.length);
    } catch (err) {
      // An abort that succeeds proves nothing was committed; any other end is unknown.
      const aborted = await tx.abort().then(() => true, () => false);
      for (const d of outcomes) for (const o of d.work.offsets) owned.progress.begin(o);
      if (aborted) {
        this.requeue(owned, outcomes, dead);
        throw err;
      }
      owned.unsettled = new UnsettledTransaction(outcomes, dead, err);
      throw owned.unsettled;
    }
    if (offset !== null) owned.progress.markCommitted(offset);
    this.recorded(owned, outcomes);
  }

  /** Learns whether an unsettled transaction committed, on a fresh producer; queues again what it did not record. */
  private async settle(partition: number, owned: Owned, unsettled: NonNullable<Owned['unsettled']>): Promise<void> {
    await owned.producer.disconnect().catch(() => undefined);
    const producer = await this.fence(partition);
    if (!this.o.owns(partition, owned)) {
      await producer.disconnect().catch(() => undefined);
      return;
    }
    owned.producer = producer;
    // The fence ended the transaction (completed or aborted): read_committed shows which.
    await this.o.attempts.sync(60_000);
    const recorded = unsettled.outcomes.filter((d) => {
      const status = this.o.attempts.get(d.attempt.event_id)?.status;
      return status === 'SENT' || status === 'FAILED';
    });
    const open = unsettled.outcomes.filter((d) => !recorded.includes(d));
    this.recorded(owned, recorded);
    // The dead letters went with the outcomes: written when none of them was (or there were none).
    this.requeue(owned, open, recorded.length > 0 ? [] : unsettled.dead);
    owned.unsettled = null;
    this.o.logger.info({ partition, committed: recorded.length, again: open.length }, 'unsettled outcome transaction settled');
  }

  private requeue(owned: Owned, outcomes: Done[], dead: Message[]): void {
    owned.outcomes.unshift(...outcomes);
    owned.dead.unshift(...dead);
  }

  private recorded(owned: Owned, outcomes: Done[]): void {
    for (const d of outcomes) {
      // Also the offsets a re-read after a rejoin added while the transaction ran: left open, the
      // partition's committed offset would stay below them for good.
      for (const o of d.work.offsets) owned.progress.finish(o);
      this.o.attempts.remember(d.attempt);
      if (this.o.inFlight.get(d.attempt.event_id) === d.work) this.o.inFlight.delete(d.attempt.event_id);
      this.o.metrics.replies.inc({ kind: d.work.intent.kind, outcome: d.outcome.kind });
    }
    if (outcomes.length > 0) this.o.freed();
  }
}
