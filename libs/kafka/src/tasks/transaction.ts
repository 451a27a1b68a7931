import type { Kafka, Producer, RecordMetadata, TopicMessages } from 'kafkajs';
import { splitRequests } from './requests.ts';

/**
 * A transactional producer that has fenced every earlier holder of its transactional id.
 * kafkajs sends the transactional InitProducerId only with the first transaction, not on
 * connect: one is begun (and aborted, empty) so the fence is up before the caller reads
 * anything the previous owner may still have been writing (its open transaction is aborted).
 */
export async function fencedProducer(kafka: Kafka, transactionalId: string, transactionTimeoutMs = 60_000): Promise<Producer> {
  const producer = kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1, transactionTimeout: transactionTimeoutMs });
  try {
    await producer.connect();
    await (await producer.transaction()).abort();
    return producer;
  } catch (error) {
    await producer.disconnect().catch(() => undefined);
    throw error;
  }
}

/** The consumed position a transaction commits to its consumer group. */
export interface InputOffset {
  groupId: string;
  topic: string;
  partition: number;
  /** The next offset to read. */
  offset: string;
  /** Stored with the commit (kafkajs passes it through sendOffsets; fetchOffsets returns it). */
  metadata?: string;
}

/**
 * Writes the records and the input offset in ONE transaction and commits it; aborts on any
 * failure. The records go in produce requests split by size (`splitRequests`), in order.
 * Returns, per request, the broker's metadata (base offsets, e.g. for a changelog checkpoint).
 * `beforeCommit` runs after the writes (a test hook holds a transaction open there).
 */
export async function commitTransaction(
  producer: Producer,
  records: readonly TopicMessages[],
  input: InputOffset,
  beforeCommit?: () => Promise<void>,
): Promise<Array<{ request: TopicMessages[]; metadata: RecordMetadata[] }>> {
  const tx = await producer.transaction();
  try {
    const sent = [];
    for (const request of splitRequests(records)) sent.push({ request, metadata: await tx.sendBatch({ topicMessages: request, acks: -1 }) });
    await beforeCommit?.();
    const partition = { partition: input.partition, offset: input.offset, ...(input.metadata === undefined ? {} : { metadata: input.metadata }) };
    await tx.sendOffsets({ consumerGroupId: input.groupId, topics: [{ topic: input.topic, partitions: [partition] }] });
    await tx.commit();
    return sent;
  } catch (error) {
    await tx.abort().catch(() => undefined);
    throw error;
  }
}
