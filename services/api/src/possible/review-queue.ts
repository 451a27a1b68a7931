// The review queue of possible opt-outs, as every API instance serves it: the matcher's items
// (optline.possible-opt-outs.v1, the matcher their only writer) and the operators' decisions
// (optline.possible-opt-out-decisions.v1, the API their only writer), both compacted and tailed
// whole into memory under groups of their own. An item with a decision has left the queue.

import type { Kafka, Producer } from 'kafkajs';
import { possibleOptOutKey, type PossibleOptOutRecord } from '@optline/core';
import { CompactedTail, groupId, type Codec, type Topics } from '@optline/kafka';
import type { PossibleOptOutDecision } from '@optline/schemas';
import type { Logger } from '@optline/runtime';

export type { PossibleOptOutDecision };

export interface ReviewQueueOptions {
  kafka: Kafka;
  codec: Codec;
  producer: Producer;
  topics: Topics;
  namespace: string;
  logger?: Logger;
}

export class ReviewQueue {
  private readonly items = new Map<string, PossibleOptOutRecord>();
  private readonly decisions = new Map<string, PossibleOptOutDecision>();
  private readonly tails: [CompactedTail<PossibleOptOutRecord>, CompactedTail<PossibleOptOutDecision>];

  constructor(private readonly options: ReviewQueueOptions) {
    const { kafka, codec, topics: t, namespace, logger } = options;
    this.tails = [
      new CompactedTail<PossibleOptOutRecord>({
        kafka, topic: t.possibleOptOuts.name, name: 'possible opt-outs', sink: this.items, logger,
        group: groupId(namespace, 'optline.api.possible-opt-outs'), decode: (value) => codec.decodeSoon<PossibleOptOutRecord>('PossibleOptOut', value),
      }),
      new CompactedTail<PossibleOptOutDecision>({
        kafka, topic: t.possibleOptOutDecisions.name, name: 'possible opt-out decisions', sink: this.decisions, logger,
        group: groupId(namespace, 'optline.api.possible-opt-out-decisions'), decode: (value) => codec.decodeSoon<PossibleOptOutDecision>('PossibleOptOutDecision', value),
      }),
    ];
  }

  async start(): Promise<void> {
    await Promise.all(this.tails.map((tail) => tail.start()));
  }

  async ready(timeoutMs: number): Promise<void> {
    await Promise.all(this.tails.map((tail) => tail.ready(timeoutMs)));
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.tails.map((tail) => tail.stop()));
  }

  lag(): number {
    return this.tails[0].lag() + this.tails[1].lag();
  }

  get failure(): Error | undefined {
    return this.tails[0].failure ?? this.tails[1].failure;
  }

  /** Reads every record written before the call (read-your-writes for an answer). */
  async sync(): Promise<void> {
    await Promise.all(this.tails.map((tail) => tail.sync()));
  }

  /** The project's items no one decided yet, oldest reply first. */
  pending(project: string): PossibleOptOutRecord[] {
    const out: PossibleOptOutRecord[] = [];
    for (const [key, item] of this.items) if (item.project === project && !this.decisions.has(key)) out.push(item);
    return out.sort((a, b) => a.received_at - b.received_at || a.id.localeCompare(b.id));
  }

  item(project: string, id: string): { item: PossibleOptOutRecord; decision: PossibleOptOutDecision | null } | null {
    const key = possibleOptOutKey({ project, id });
    const item = this.items.get(key);
    return item === undefined ? null : { item, decision: this.decisions.get(key) ?? null };
  }

  /** Records a decision (acks=all) and waits until this instance's copy holds it. */
  async decide(decision: PossibleOptOutDecision): Promise<void> {
    const { producer, codec, topics: t } = this.options;
    const value = await codec.encode(t.possibleOptOutDecisions.name, decision);
    await producer.send({ topic: t.possibleOptOutDecisions.name, acks: -1, messages: [{ key: possibleOptOutKey(decision), value }] });
    await this.tails[1].sync();
  }
}
