// The blacklist client as it was before the compact table (a Map of decoded records, ~350 bytes
// of heap an entry), kept here only as the bench's baseline in the same run.

import type { Kafka } from 'kafkajs';
import type { BlacklistRecord } from '@optline/blacklist-client';
import { CompactedTail, groupId, type Codec } from '@optline/kafka';

export class LegacyBlacklistClient extends CompactedTail<BlacklistRecord> {
  readonly entries: Map<string, BlacklistRecord>;

  constructor(kafka: Kafka, codec: Codec, topic: string, namespace: string) {
    const entries = new Map<string, BlacklistRecord>();
    super({
      kafka, topic, name: 'legacy blacklist client', sink: entries,
      group: groupId(namespace, 'optline.blacklist-client-legacy'),
      decode: (value) => codec.decodeSoon<BlacklistRecord>('BlacklistEntry', value),
    });
    this.entries = entries;
  }

  get(project: string, phone: string): BlacklistRecord | undefined {
    return this.entries.get(`${project}:${phone}`);
  }

  isBlacklisted(project: string, phone: string): boolean {
    return this.entries.has(`${project}:${phone}`);
  }

  get size(): number {
    return this.entries.size;
  }

  /** What an export had to do with it: filter the project's entries and sort them. */
  *export(project: string): Generator<BlacklistRecord> {
    const mine = [...this.entries.values()].filter((e) => e.project === project).sort((a, b) => (a.phone < b.phone ? -1 : 1));
    yield* mine;
  }
}
