import type { Admin } from 'kafkajs';

type TopicOffsets = Awaited<ReturnType<Admin['fetchTopicOffsets']>>;

const LEADERSHIP_ERRORS = new Set(['NOT_LEADER_FOR_PARTITION', 'NOT_LEADER_OR_FOLLOWER', 'LEADER_NOT_AVAILABLE', 'UNKNOWN_TOPIC_OR_PARTITION']);

/**
 * `admin.fetchTopicOffsets`, retried while a freshly created topic's leadership settles: kafkajs
 * answers NOT_LEADER_FOR_PARTITION from stale metadata there and does not retry it itself (seen
 * on a cold single-node stack right after provisioning).
 */
export async function fetchTopicOffsets(admin: Admin, topic: string, timeoutMs = 15_000): Promise<TopicOffsets> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await admin.fetchTopicOffsets(topic);
    } catch (error) {
      const type = (error as { type?: string }).type ?? '';
      if (!LEADERSHIP_ERRORS.has(type) || Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, Math.min(1000, 50 * attempt)));
      // Refreshes the cluster's metadata, so the next attempt asks the current leader.
      await admin.fetchTopicMetadata({ topics: [topic] }).catch(() => undefined);
    }
  }
}

/**
 * A partition's first offset: its log start, where retention has left it. Not the first batch's:
 * kafkajs may deliver a batch fetched from further on first (one fetched before a rejoin).
 */
export async function logStart(admin: Admin, topic: string, partition: number): Promise<bigint> {
  const low = (await fetchTopicOffsets(admin, topic)).find((o) => o.partition === partition)?.low;
  if (low === undefined) throw new Error(`no offsets for ${topic}/${partition}`);
  return BigInt(low);
}

/** Where `groupId` reads a partition from: its committed offset, else the log start. */
export async function readFrom(admin: Admin, groupId: string, topic: string, partition: number): Promise<bigint> {
  const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
  const offset = BigInt(offsets?.partitions.find((p) => p.partition === partition)?.offset ?? '-1');
  return offset >= 0n ? offset : logStart(admin, topic, partition);
}
