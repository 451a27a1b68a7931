// What the replier keeps in memory per reply and per replies partition it owns.

import type { Message, Producer } from 'kafkajs';
import type { ReplyIntent, ReplyOutcome } from '@optline/core';
import type { ReplyAttempt } from './attempts.ts';
import type { PartitionProgress } from './progress.ts';

export interface Work {
  intent: ReplyIntent;
  partition: number;
  offsets: bigint[];
  /** A STARTED record exists from before: the outcome is unknown. */
  unknown: boolean;
  /** When that STARTED record was written (epoch ms), else null. */
  startedAt: number | null;
}

export interface Done {
  work: Work;
  attempt: ReplyAttempt;
  outcome: ReplyOutcome;
}

export interface Owned {
  producer: Producer;
  /** Aborted when the partition moves: its replies are then the next owner's to send. */
  lost: AbortController;
  progress: PartitionProgress;
  /**
   * The next offset to read: the group's committed one (else the log start) at the claim, then one
   * past each batch taken. A batch starting past it is sought back to it (issue #21).
   */
  next: bigint;
  outcomes: Done[];
  dead: Message[];
  committing: Promise<void> | null;
  /** The last transaction's end is unknown: settled (did it commit?) before the next. */
  unsettled: { outcomes: Done[]; dead: Message[] } | null;
}

/** What one batch read: replies to send, to look up, given up, dead letters, and its last offset read. */
export class BatchTaken {
  /** New replies: STARTED is written before their calls. */
  readonly fresh: Work[] = [];
  /** STARTED before (by this process or another): looked up before any call. */
  readonly ready: Work[] = [];
  /** Read after their give-up time. */
  readonly late: Work[] = [];
  readonly dead: Array<{ message: Message; offset: bigint }> = [];
  last: string | null = null;

  works(): Work[] {
    return [...this.fresh, ...this.ready, ...this.late];
  }
}
