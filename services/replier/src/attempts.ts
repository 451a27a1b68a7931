// The replier's own delivery records, read whole: which replies were sent, given up, or started
// with an outcome a crash left unknown.

import type { Kafka } from 'kafkajs';
import { CompactedTail, type Codec } from '@optline/kafka';
import type { ReplyIntent } from '@optline/core';
import type { ReplyAttempt, ReplyAttemptStatus } from '@optline/schemas';
import type { Logger } from '@optline/runtime';

export type AttemptStatus = ReplyAttemptStatus;

/** A `optline.replier.attempts.v1` value. */
export type { ReplyAttempt };

export class AttemptTable extends CompactedTail<ReplyAttempt> {
  private readonly entries: Map<string, ReplyAttempt>;

  constructor(options: { kafka: Kafka; topic: string; group: string; codec: Codec; logger?: Logger }) {
    const entries = new Map<string, ReplyAttempt>();
    const { codec } = options;
    // The tail may read our STARTED back after we already know the outcome: never go back.
    const sink = { set: (key: string, value: ReplyAttempt) => keep(entries, value), delete: (key: string) => entries.delete(key) };
    super({
      kafka: options.kafka, topic: options.topic, name: 'reply attempts', group: options.group, logger: options.logger, sink,
      decode: (value) => codec.decodeSoon<ReplyAttempt>('ReplyAttempt', value),
    });
    this.entries = entries;
  }

  get(eventId: string): ReplyAttempt | undefined {
    return this.entries.get(eventId);
  }

  /** Our own writes, known before the tail reads them back. A final state is never undone. */
  remember(attempt: ReplyAttempt): void {
    keep(this.entries, attempt);
  }
}

function keep(entries: Map<string, ReplyAttempt>, attempt: ReplyAttempt): void {
  const known = entries.get(attempt.event_id);
  if (known !== undefined && known.status !== 'STARTED' && attempt.status === 'STARTED') return;
  entries.set(attempt.event_id, attempt);
}

/** The attempt record of `intent` with this status, now. */
export function attemptOf(intent: ReplyIntent, status: AttemptStatus, batchId: string | null, reason: string | null): ReplyAttempt {
  return { event_id: intent.event_id, project: intent.project, status, at: Date.now(), batch_id: batchId, reason };
}
