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
  outcomes: Done[];
  dead: Message[];
  committing: Promise<void> | null;
  /** The last transaction's end is unknown: settled (did it commit?) before the next. */
  unsettled: { outcomes: Done[]; dead: Message[] } | null;
}
