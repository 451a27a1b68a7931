import type { KafkaMessage, Message, TopicMessages } from 'kafkajs';
import { applyChanges, PendingWrites, type Change, type Checkpoint } from '@optline/state-store';
import type { MatcherMetrics } from './metrics.ts';
import { processChunk, type OutputRecord } from './processing.ts';
import type { Task } from './tasks.ts';

export interface ChunkResult {
  outputs: number;
  deadLetters: number;
  changes: number;
}

/**
 * Processes records of one input partition in ONE transaction of the task's producer: the
 * outputs, the changelog records of the changed state and the input offset commit together.
 * The store is written only after the commit, with the changelog position it now reflects;
 * if anything fails the transaction is aborted and the store never saw it.
 */
export async function runTransaction(
  task: Task,
  topic: string,
  messages: readonly KafkaMessage[],
  nextOffset: bigint,
  env: { groupId: string; deadLetterTopic: string; metrics: MatcherMetrics },
): Promise<ChunkResult> {
  const started = process.hrtime.bigint();
  const { group, partition } = task;
  const pending = task.store && group.store ? new PendingWrites(task.store, group.store.serde, task.cache) : undefined;
  const outputs: OutputRecord[] = [];
  const ctx = { partition, state: pending, now: Date.now(), emit: (o: OutputRecord) => void outputs.push(o) };
  const records = messages.map((message) => ({ topic, partition, message }));
  const dead = await processChunk(group, records, ctx, env.deadLetterTopic);
  const changes: Change[] = pending ? await pending.changes() : [];

  const batches = new Map<string, Message[]>();
  for (const { topic: to, ...message } of outputs) {
    let list = batches.get(to);
    if (!list) batches.set(to, (list = []));
    list.push(message);
  }
  const changelog = group.store?.changelog;
  if (changelog && changes.length > 0) batches.set(changelog, changes.map((c) => ({ key: c.key, value: c.value, partition })));
  const topicMessages: TopicMessages[] = [...batches].map(([t, m]) => ({ topic: t, messages: m }));

  const tx = await task.producer.transaction();
  let checkpoint: Checkpoint | undefined;
  try {
    if (topicMessages.length > 0) {
      const metadata = await tx.sendBatch({ topicMessages, acks: -1 });
      const base = metadata.find((m) => m.topicName === changelog && m.partition === partition)?.baseOffset;
      if (changelog && base !== undefined) checkpoint = { topic: changelog, partition, offset: (BigInt(base) + BigInt(changes.length)).toString() };
    }
    await tx.sendOffsets({ consumerGroupId: env.groupId, topics: [{ topic, partitions: [{ partition, offset: nextOffset.toString() }] }] });
    await tx.commit();
  } catch (error) {
    await tx.abort().catch(() => undefined);
    env.metrics.transactions.inc({ outcome: 'aborted' });
    throw error;
  }
  env.metrics.transactions.inc({ outcome: 'committed' });
  // After the commit only: a crash before this line leaves the store behind its changelog,
  // which the restore on the next assignment catches up.
  if (task.store && changes.length > 0) await applyChanges(task.store, changes, checkpoint);
  pending?.remember();
  task.next.set(topic, nextOffset);

  env.metrics.records.inc({ topic }, messages.length);
  for (const d of dead) env.metrics.deadLetters.inc({ rule: d.rule });
  env.metrics.transactionSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
  return { outputs: outputs.length, deadLetters: dead.length, changes: changes.length };
}
