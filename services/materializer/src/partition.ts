// The pending windows of one input partition: what has been read, what is waiting for its
// window to close, and what a flush commits. Pure state, no I/O; the shell feeds it records in
// offset order and turns each FlushPlan into one transaction.

import { alreadyFlushed, assignWindow, windowStart, type Watermark, type WindowSpec } from './windows.ts';

interface Pending<T> {
  offset: number;
  window: number;
  item: T;
}

export type Admission = 'buffered' | 'late' | 'already_flushed';

export interface FlushPlan<T> {
  /** Every window ending at or before it is flushed by this plan. */
  boundary: number;
  /** The items of those windows, in offset order. */
  items: T[];
  /** Where a restart re-reads from: the lowest offset still pending, else the read position. */
  commitOffset: number;
  watermark: Watermark;
  /** False when there is nothing to write and no offset to move: no transaction is needed. */
  needed: boolean;
}

export class PartitionWindows<T> {
  private pending: Pending<T>[] = [];
  /** The next offset to read. */
  private position: number;
  /** Windows before this have been flushed (or, after a restart, were flushed by the last owner). */
  private flushed: number;
  private committed: number;

  constructor(
    private readonly spec: WindowSpec,
    /** The group's committed offset: reading starts here. */
    committedOffset: number,
    /** The watermark of that commit: which re-read facts were already flushed. */
    private readonly restored: Watermark | null,
  ) {
    this.position = committedOffset;
    this.committed = committedOffset;
    this.flushed = restored?.flushedBefore ?? Number.NEGATIVE_INFINITY;
  }

  get readPosition(): number {
    return this.position;
  }

  get committedOffset(): number {
    return this.committed;
  }

  get pendingCount(): number {
    return this.pending.length;
  }

  /** True for a redelivered record this partition has already read. */
  hasRead(offset: number): boolean {
    return offset < this.position;
  }

  /**
   * True when a batch whose first record is at `firstOffset` leaves no record unread before it.
   * One that starts further on was fetched from a position this partition never reached (kafkajs
   * delivers batches fetched before a rejoin after it) and must be read again from the position.
   */
  continues(firstOffset: number): boolean {
    return firstOffset <= this.position;
  }

  /**
   * The records before `offset` were read and the ones past the last admitted were not facts
   * (a transaction's markers, aborted records: a batch's tail that kafkajs filtered out).
   */
  skipTo(offset: number): void {
    if (offset > this.position) this.position = offset;
  }

  /** Takes the record at `offset` (offsets increasing); `recordedAt` assigns its window. */
  admit(offset: number, recordedAt: number, item: T): Admission {
    if (offset < this.position) throw new Error(`offset ${offset} admitted again (read position ${this.position})`);
    this.position = offset + 1;
    if (alreadyFlushed(offset, recordedAt, this.restored)) return 'already_flushed';
    const window = assignWindow(recordedAt, this.flushed, this.spec.lengthMs);
    this.pending.push({ offset, window, item });
    return window > windowStart(recordedAt, this.spec.lengthMs) ? 'late' : 'buffered';
  }

  /**
   * After a restart, no flush until everything read before the last flush has been read again:
   * the watermark about to be written must cover the facts the old one covered.
   */
  get caughtUp(): boolean {
    return this.restored === null || this.position >= this.restored.readTo;
  }

  isDue(boundary: number): boolean {
    return this.caughtUp && boundary > this.flushed;
  }

  /**
   * Takes the windows ending at or before `boundary` out of the pending ones. The partition
   * reflects the flush at once (records read while it commits land in later windows); if the
   * transaction fails, the caller drops this object and re-reads from the committed offset.
   */
  takeDue(boundary: number): FlushPlan<T> {
    if (!this.isDue(boundary)) throw new Error(`flush of boundary ${boundary} is not due (flushed before ${this.flushed}, caught up ${this.caughtUp})`);
    const due: T[] = [];
    const remaining: Pending<T>[] = [];
    for (const p of this.pending) {
      if (p.window < boundary) due.push(p.item);
      else remaining.push(p);
    }
    this.pending = remaining;
    this.flushed = boundary;
    const commitOffset = remaining[0]?.offset ?? this.position;
    return {
      boundary,
      items: due,
      commitOffset,
      watermark: { flushedBefore: boundary, readTo: this.position },
      needed: due.length > 0 || commitOffset !== this.committed,
    };
  }

  /** The plan's transaction committed. */
  commit(plan: FlushPlan<T>): void {
    this.committed = plan.commitOffset;
  }
}
