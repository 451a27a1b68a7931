import type { Consumer } from 'kafkajs';
import type { System } from './system.ts';
import { uniqueName } from './index.ts';

export interface Tracked {
  topic: 'consent' | 'campaign' | 'blacklist';
  key: string | null;
  value: Record<string, unknown> | null;
}

/**
 * Reads the output topics (read_committed) from the beginning for the whole suite, decoding
 * as it goes, so tests can wait for "the events of project X" without re-reading topics.
 */
export class EventLog {
  readonly records: Tracked[] = [];
  /** Records delivered again (kafkajs re-reads from the last committed offset after a rejoin). */
  redelivered = 0;
  private readonly seen = new Set<string>();
  private consumer: Consumer | undefined;

  constructor(private readonly system: System) {}

  async start(): Promise<void> {
    const { kafka, topics, codec } = this.system;
    const names = { [topics.consent.name]: 'consent', [topics.campaign.name]: 'campaign', [topics.blacklist.name]: 'blacklist' } as const;
    this.consumer = kafka.consumer({ groupId: uniqueName('e2e-events'), readUncommitted: false, maxWaitTimeInMs: 100 });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: Object.keys(names), fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        // What is on the topic counts, once: a coordinator that moves (a cluster losing a node)
        // makes this reader's offset commit fail and its group rejoin from the last one.
        const at = `${topic}/${partition}/${message.offset}`;
        if (this.seen.has(at)) return void this.redelivered++;
        this.seen.add(at);
        const value = message.value ? await codec.decodeFrom<Record<string, unknown>>(topic, message.value) : null;
        this.records.push({ topic: names[topic]!, key: message.key?.toString() ?? null, value });
      },
    });
  }

  of(topic: Tracked['topic'], project: string): Record<string, unknown>[] {
    return this.records.filter((r) => r.topic === topic && r.value?.project === project).map((r) => r.value!);
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}
