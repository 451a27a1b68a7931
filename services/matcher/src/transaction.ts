import type { KafkaMessage, Message, TopicMessages } from 'kafkajs';
import { commitTransaction, sinks, type Encoders, type OutputRecord, type Task } from '@optline/kafka';
import { PendingWrites, type Change, type Checkpoint, type RocksDbStore, type ValueCache, type WriteBehind } from '@optline/state-store';
import type { MatcherMetrics } from './metrics.ts';
import { processChunk, type TaskGroup } from './processing.ts';

/** What a matcher task holds besides the runtime's producer and positions. */
export interface TaskStores {
  store: RocksDbStore | undefined;
  /** Committed values of the store, decoded: hot phones skip RocksDB and Avro. */
  cache: ValueCache<unknown>;
  /** Committed changes not yet written to the store (flushed every few transactions, and on close). */
  held: WriteBehind;
}

export type MatcherTask = Task<TaskGroup, TaskStores>;

/** How much of a batch one transaction takes: whichever bound is reached first. */
export interface TransactionBounds {
  /** Input records at most. */
  maxRecords: number;
  /** Wall-clock time spent processing before the commit starts, at most (checked between slices). */
  maxMs: number;
}

/** Records processed between two looks at the clock (one multi-get of state each). */
export const SLICE_RECORDS = 2000;

/**
 * Processes records of one input partition from `messages[from]` on, in ONE transaction of the
 * task's producer, until a bound of `bounds` is reached: the outputs, the changelog records of
 * the changed state and the input offset commit together. The store is written only after the
 * commit (held for a few transactions first, so a key rewritten by several costs one write),
 * with the changelog position it then reflects; if anything fails the transaction is aborted
 * and neither the store nor the held writes saw it. Returns the index after the last record it
 * took and the offset it committed up to (`batchLastOffset` once it reached the batch's end).
 */
export async function runTransaction(
  task: MatcherTask,
  topic: string,
  messages: readonly KafkaMessage[],
  from: number,
  batchLastOffset: string,
  bounds: TransactionBounds,
  env: { groupId: string; deadLetterTopic: string; encoders: Encoders; metrics: MatcherMetrics },
): Promise<{ next: number; lastOffset: string }> {
  const started = process.hrtime.bigint();
  const startedMs = performance.now();
  const { group, partition } = task;
  const { store, cache, held } = task.local;
  const pending = store && group.store ? new PendingWrites(store, group.store.serde, cache, held) : undefined;
  const outputs: OutputRecord[] = [];
  const push = (o: OutputRecord) => void outputs.push(o);
  const ctx = { partition, state: pending, now: Date.now(), out: sinks(group.outputs, env.encoders, push) };
  const end = Math.min(messages.length, from + bounds.maxRecords);
  const dead = [];
  let i = from;
  // By time as well as by count: a transaction of ~1 s while a backlog drains, as Kafka Streams'
  // commit.interval.ms, so a 200k backlog commits (and can be timed) along the way.
  do {
    const slice = messages.slice(i, Math.min(end, i + SLICE_RECORDS));
    i += slice.length;
    const records = slice.map((message) => ({ topic, partition, message }));
    for (const d of await processChunk(group, records, ctx, (m) => push({ ...m, topic: env.deadLetterTopic } as OutputRecord))) dead.push(d);
  } while (i < end && performance.now() - startedMs < bounds.maxMs);
  const lastOffset = i >= messages.length ? batchLastOffset : messages[i - 1]!.offset;
  const nextOffset = BigInt(lastOffset) + 1n;
  const changes: Change[] = pending ? await pending.changes() : [];
  const changelog = group.store?.changelog;

  let sent;
  try {
    sent = await commitTransaction(task.producer, topicMessages(outputs, changelog && changes.length > 0 ? { topic: changelog, partition, changes } : undefined), {
      groupId: env.groupId, topic, partition, offset: nextOffset.toString(),
    });
  } catch (error) {
    env.metrics.transactions.inc({ outcome: 'aborted' });
    throw error;
  }
  env.metrics.transactions.inc({ outcome: 'committed' });
  // After the commit only: a crash before the flush leaves the store behind its changelog,
  // which the restore on the next assignment catches up.
  if (store && changelog && changes.length > 0) held.add(changes, changelogCheckpoint(sent, changelog, partition));
  if (store && held.due()) await held.flush(store);
  pending?.remember();
  task.next.set(topic, nextOffset);

  env.metrics.records.inc({ topic }, i - from);
  env.metrics.outputRecords.inc(outputs.length + changes.length);
  for (const d of dead) env.metrics.deadLetters.inc({ rule: d.rule });
  env.metrics.transactionSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
  return { next: i, lastOffset };
}

/**
 * The records of one transaction, in order: the outputs as the handlers emitted them (blacklist
 * entries before facts), dead letters, then one changelog record per changed key, on the task's
 * partition (a changelog follows its task, not its key).
 */
export function topicMessages(outputs: readonly OutputRecord[], changelog?: { topic: string; partition: number; changes: readonly Change[] }): TopicMessages[] {
  const byTopic = new Map<string, Message[]>();
  const add = (topic: string, message: Message) => {
    let list = byTopic.get(topic);
    if (!list) byTopic.set(topic, (list = []));
    list.push(message);
  };
  for (const o of outputs) {
    // Built field by field: an object rest (`{ topic, ...message }`) per record was a visible cost.
    const message: Message = { key: o.key, value: o.value };
    if (o.headers !== undefined) message.headers = o.headers;
    add(o.topic, message);
  }
  if (changelog) for (const c of changelog.changes) add(changelog.topic, { key: c.key, value: c.value, partition: changelog.partition });
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}

/**
 * The changelog position after a transaction: the task's producer is the only writer of its
 * changelog partition, so its records are contiguous from the base offset of the last request
 * that carried any.
 */
export function changelogCheckpoint(
  sent: ReadonlyArray<{ request: TopicMessages[]; metadata: ReadonlyArray<{ topicName: string; partition: number; baseOffset?: string }> }>,
  changelog: string,
  partition: number,
): Checkpoint | undefined {
  for (let i = sent.length - 1; i >= 0; i--) {
    const count = sent[i]!.request.find((t) => t.topic === changelog)?.messages.length ?? 0;
    if (count === 0) continue;
    const base = sent[i]!.metadata.find((m) => m.topicName === changelog && m.partition === partition)?.baseOffset;
    return base === undefined ? undefined : { topic: changelog, partition, offset: (BigInt(base) + BigInt(count)).toString() };
  }
  return undefined;
}
