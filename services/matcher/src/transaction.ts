import type { IHeaders, KafkaMessage, Message, TopicMessages } from 'kafkajs';
import { applyChanges, PendingWrites, type Change, type Checkpoint } from '@optline/state-store';
import type { MatcherMetrics } from './metrics.ts';
import { processChunk, type OutputRecord } from './processing.ts';
import type { Task } from './tasks.ts';

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
): Promise<void> {
  const started = process.hrtime.bigint();
  const { group, partition } = task;
  const pending = task.store && group.store ? new PendingWrites(task.store, group.store.serde, task.cache) : undefined;
  const outputs: OutputRecord[] = [];
  const ctx = { partition, state: pending, now: Date.now(), emit: (o: OutputRecord) => void outputs.push(o) };
  const records = messages.map((message) => ({ topic, partition, message }));
  const dead = await processChunk(group, records, ctx, env.deadLetterTopic);
  const changes: Change[] = pending ? await pending.changes() : [];

  const changelog = group.store?.changelog;
  const sends = produceRequests(outputs, changelog && changes.length > 0 ? { topic: changelog, partition, changes } : undefined);

  const tx = await task.producer.transaction();
  let checkpoint: Checkpoint | undefined;
  try {
    for (const { topicMessages, changelogRecords } of sends) {
      const metadata = await tx.sendBatch({ topicMessages, acks: -1 });
      if (changelog && changelogRecords > 0) {
        // The task's producer is the only writer of its changelog partition: our records are
        // contiguous from the base offset of each request, and the last request's end is the position.
        const base = metadata.find((m) => m.topicName === changelog && m.partition === partition)?.baseOffset;
        checkpoint = base === undefined ? undefined : { topic: changelog, partition, offset: (BigInt(base) + BigInt(changelogRecords)).toString() };
      }
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
  env.metrics.outputRecords.inc(outputs.length + changes.length);
  for (const d of dead) env.metrics.deadLetters.inc({ rule: d.rule });
  env.metrics.transactionSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
}

/**
 * The produce requests of one transaction, in order (blacklist, facts, dead letters, then the
 * changelog), each at most PRODUCE_REQUEST_BYTES of keys, values and headers, so that no
 * partition's record batch reaches the broker's `message.max.bytes` (1 MB by default) however
 * many records a transaction holds. 128 KiB was chosen when kafkajs grouped a request's
 * messages by partition in quadratic time (512 KiB then cost 8 % of the matcher's CPU); that is
 * patched now (patches/kafkajs+2.2.4.patch), so larger requests are worth measuring.
 */
export const PRODUCE_REQUEST_BYTES = 128 * 1024;
/** Per-record framing in a record batch (lengths, deltas, attributes), counted generously. */
const RECORD_OVERHEAD = 32;

export function produceRequests(
  outputs: readonly OutputRecord[],
  changelog?: { topic: string; partition: number; changes: readonly Change[] },
  maxBytes = PRODUCE_REQUEST_BYTES,
): Array<{ topicMessages: TopicMessages[]; changelogRecords: number }> {
  const requests: Array<{ topicMessages: TopicMessages[]; changelogRecords: number }> = [];
  let batches = new Map<string, Message[]>();
  let bytes = 0;
  let changelogRecords = 0;
  const flush = () => {
    if (batches.size > 0) requests.push({ topicMessages: [...batches].map(([t, m]) => ({ topic: t, messages: m })), changelogRecords });
    batches = new Map();
    bytes = 0;
    changelogRecords = 0;
  };
  const add = (topic: string, message: Message, size: number) => {
    if (bytes > 0 && bytes + size > maxBytes) flush();
    let list = batches.get(topic);
    if (!list) batches.set(topic, (list = []));
    list.push(message);
    bytes += size;
  };
  for (const o of outputs) {
    // Built field by field: an object rest (`{ topic, ...message }`) per record was a visible cost.
    const message: Message = { key: o.key, value: o.value };
    if (o.headers !== undefined) message.headers = o.headers;
    if (o.partition !== undefined) message.partition = o.partition;
    add(o.topic, message, recordSize(o.key, o.value, o.headers));
  }
  if (changelog) {
    for (const c of changelog.changes) {
      add(changelog.topic, { key: c.key, value: c.value, partition: changelog.partition }, recordSize(c.key, c.value));
      changelogRecords++;
    }
  }
  flush();
  return requests;
}

function recordSize(key: string | null, value: Buffer | null, headers?: IHeaders): number {
  let size = RECORD_OVERHEAD + (key === null ? 0 : Buffer.byteLength(key)) + (value?.length ?? 0);
  if (headers) {
    for (const [name, v] of Object.entries(headers)) {
      size += Buffer.byteLength(name) + 8;
      for (const one of Array.isArray(v) ? v : [v]) size += one === undefined ? 0 : typeof one === 'string' ? Buffer.byteLength(one) : one.length;
    }
  }
  return size;
}
