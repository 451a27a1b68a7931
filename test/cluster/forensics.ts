import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import type { Codec } from '@optline/kafka';

// What to print when an acknowledged record is not on the topic: whether some node's segment
// files hold it (written, then truncated away or never made the high watermark) or none does
// (never written), and what the nodes logged about truncating the topic. A loss seen once in a
// CI run under load (16c68c3: 12 callbacks answered 2xx at one instant during the restart of two
// nodes, none on the topic) could not be examined after the fact because the stack's folder was
// gone. That run predates kafkajs patch 005, whose loss (a partition whose leader moved to a
// broker that had already answered was never sent again, yet the send resolved) fits it; 14 runs
// with the patch lost nothing.

/** For each node's copy of each partition of `topic`: which of `ids` its segment files contain. */
export function idsInSegments(home: string, topic: string, ids: readonly string[]): string[] {
  const lines: string[] = [];
  for (const node of readdirSync(home).filter((d) => /^kafka-data(-\d+)?$/.test(d)).sort()) {
    for (const partition of readdirSync(join(home, node)).filter((p) => p.startsWith(`${topic}-`)).sort()) {
      const dir = join(home, node, partition);
      // Uncompressed records: the id's UTF-8 bytes appear as they are in the Avro value.
      const bytes = Buffer.concat(readdirSync(dir).filter((f) => f.endsWith('.log')).map((f) => readFileSync(join(dir, f))));
      const found = ids.filter((id) => bytes.includes(id));
      if (found.length > 0) lines.push(`${node}/${partition}: ${found.length} of ${ids.length} (${found.slice(0, 5).join(' ')})`);
    }
  }
  return lines.length > 0 ? lines : [`no node's segment files hold any of the ${ids.length}`];
}

/** The nodes' log lines about truncating or taking over (as leader or follower) `topic`, the last `n` of each. */
export function truncationLines(home: string, topic: string, n = 12): string[] {
  const logs = join(home, 'logs');
  if (!existsSync(logs)) return [];
  return readdirSync(logs)
    .filter((f) => /^kafka(-\d+)?\.log$/.test(f))
    .sort()
    .flatMap((f) => {
      const lines = readFileSync(join(logs, f), 'utf8').split('\n').filter((l) => l.includes(topic) && /truncat|unclean|starts at leader epoch/i.test(l));
      return lines.slice(-n).map((l) => `${f}: ${l.slice(0, 300)}`);
    });
}

/** Every committed record of `key` on `topic`, from the beginning: where it sits and its status (for a copy that lacks one). */
export async function recordsOfKey(kafka: Kafka, codec: Codec, topic: string, record: string, key: string, timeoutMs = 20_000): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
  const left = new Map(ends.filter((p) => Number(p.high) > Number(p.low)).map((p) => [p.partition, Number(p.high)]));
  const found: string[] = [];
  const consumer = kafka.consumer({ groupId: `forensics-${randomUUID()}`, readUncommitted: false, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const done = new Promise<void>((resolve) => {
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      if (Number(payload.lastOffset) + 1 >= (left.get(payload.partition) ?? 0)) left.delete(payload.partition);
      if (left.size === 0) resolve();
    });
    if (left.size === 0) resolve();
  });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      if (message.key?.toString() !== key) return;
      const value = message.value === null ? null : ((await codec.decode(record, message.value)) as { status?: string });
      found.push(`${topic}/${partition}@${message.offset}: ${value === null ? 'tombstone' : value.status ?? JSON.stringify(value).slice(0, 120)}`);
    },
  });
  await Promise.race([done, new Promise((r) => setTimeout(r, timeoutMs))]);
  await consumer.disconnect();
  return found.length > 0 ? found : [`no record of ${key} on ${topic}`];
}
