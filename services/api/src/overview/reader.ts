import { randomUUID } from 'node:crypto';
import type { Consumer, Kafka } from 'kafkajs';
import { FACT_BRANCHES } from '@optline/core';
import { groupId, keepPositions, stoppableConsumer, type Codec, type Topics } from '@optline/kafka';
import type { MatcherFact, ReplyAttempt, ReplyIntent } from '@optline/schemas';
import type { Logger } from '@optline/runtime';
import { Activity, HOUR_MS, WINDOW_HOURS } from './activity.ts';


/**
 * Feeds the Overview from what the services write, read from 24 h ago on every start (a group
 * of its own that never commits):
 * - opt-outs: the matcher's opt-out facts, by the reply's received_at;
 * - replies: the replier's SENT attempts, by when Sinch accepted them;
 * - inbound-to-blacklisted: an opt-out's reply intent is written in the transaction that
 *   blacklists the phone, so its record time minus `inbound_at` (the inbound record's time,
 *   just before ingress's 2xx) measures it; opt-outs that get no confirmation are not sampled;
 * - inbound-to-confirmation: a SENT opt-out confirmation's time minus its intent's `inbound_at`.
 */
export class ActivityReader {
  readonly activity = new Activity();
  private consumer: Consumer | undefined;
  /** Intents by event id, for the attempts that name them; forgotten after the window. */
  private readonly intents = new Map<string, { kind: string; inboundAt: number | null; at: number }>();
  private readonly sentBeforeIntent = new Map<string, number>();

  constructor(private readonly options: { kafka: Kafka; codec: Codec; topics: Topics; namespace: string; logger: Logger; now?: () => number }) {}

  private starting: Promise<void> | undefined;
  private stopped = false;

  /** Starts reading in the background; a stop() during the start waits for it, then stops it. */
  start(): Promise<void> {
    return (this.starting ??= this.run());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.starting?.catch(() => undefined);
    await this.consumer?.disconnect();
    this.consumer = undefined;
  }

  private async run(): Promise<void> {
    const { kafka, topics, namespace } = this.options;
    const now = this.options.now ?? Date.now;
    const read = [topics.facts, topics.replies, topics.replyAttempts];
    const names = read.map((t) => t.name);
    const recordOf = new Map(read.map((t) => [t.name, t.valueSchema!]));
    const since = now() - WINDOW_HOURS * HOUR_MS;
    const admin = kafka.admin();
    await admin.connect();
    const starts = new Map<string, { partition: number; offset: string }[]>();
    try {
      for (const topic of names) {
        // -1: nothing written since then; start at the end.
        const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, p.high]));
        const byTime = await admin.fetchTopicOffsetsByTimestamp(topic, since);
        starts.set(topic, byTime.map(({ partition, offset }) => ({ partition, offset: offset === '-1' ? ends.get(partition) ?? '0' : offset })));
      }
    } finally {
      await admin.disconnect();
    }
    if (this.stopped) return;
    const consumer = stoppableConsumer(kafka, { groupId: groupId(namespace, `optline.api.overview-${randomUUID()}`), readUncommitted: false, maxWaitTimeInMs: 500 });
    this.consumer = consumer;
    // Counted once: a rejoin would otherwise read every topic from the beginning again.
    keepPositions(consumer);
    await consumer.connect();
    for (const topic of names) await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, message }) => {
        if (!message.value) return;
        try {
          await this.apply(topic, Number(message.timestamp), await this.options.codec.decodeSoon(recordOf.get(topic)!, message.value));
        } catch (error) {
          this.options.logger.warn({ err: error, topic, offset: message.offset }, 'overview: record not read');
        }
      },
    });
    for (const [topic, offsets] of starts) for (const { partition, offset } of offsets) consumer.seek({ topic, partition, offset });
  }

  private async apply(topic: string, recordAt: number, value: unknown): Promise<void> {
    const { topics } = this.options;
    if (topic === topics.facts.name) {
      const { fact } = value as MatcherFact;
      if (FACT_BRANCHES.opted_out in fact) this.activity.optOut(fact[FACT_BRANCHES.opted_out].project, fact[FACT_BRANCHES.opted_out].received_at);
    } else if (topic === topics.replies.name) {
      const intent = value as ReplyIntent;
      this.intents.set(intent.event_id, { kind: intent.kind, inboundAt: intent.inbound_at, at: recordAt });
      if (intent.kind === 'optOut' && intent.inbound_at !== null) this.activity.latency(intent.project, 'inboundToBlacklisted', recordAt, recordAt - intent.inbound_at);
      const sentAt = this.sentBeforeIntent.get(intent.event_id);
      if (sentAt !== undefined) {
        this.sentBeforeIntent.delete(intent.event_id);
        this.confirmation(intent.project, intent.event_id, sentAt);
      }
      this.forgetOld(recordAt);
    } else if (topic === topics.replyAttempts.name) {
      const attempt = value as ReplyAttempt;
      if (attempt.status !== 'SENT') return;
      this.activity.reply(attempt.project, attempt.at);
      if (this.intents.has(attempt.event_id)) this.confirmation(attempt.project, attempt.event_id, attempt.at);
      else this.sentBeforeIntent.set(attempt.event_id, attempt.at);
    }
  }

  private confirmation(project: string, eventId: string, sentAt: number): void {
    const intent = this.intents.get(eventId);
    if (intent?.kind === 'optOut' && intent.inboundAt !== null) this.activity.latency(project, 'inboundToConfirmation', sentAt, sentAt - intent.inboundAt);
  }

  private forgetOld(now: number): void {
    if (this.intents.size < 100_000) return;
    const before = now - WINDOW_HOURS * HOUR_MS;
    for (const [id, intent] of this.intents) if (intent.at < before) this.intents.delete(id);
  }
}
