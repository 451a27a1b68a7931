// A batch that starts past where a matcher task stands must not skip the replies before it.
// kafkajs delivers batches fetched before a rejoin after it: a fetcher whose fetch failed on a
// leader move rejoins the group while another fetcher's request, made from the old position, is
// still in flight (issue #21). Here the matcher's own consumer is made to deliver such a batch:
// the partition is paused, replies are written, the consumer seeks past two of them, then
// resumes. And the seek back must not loop where kafkajs itself passes over a stretch of
// aborted records longer than one fetch (it never hands such fetches to the matcher).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Consumer } from 'kafkajs';
import { uniqueName } from '@optline/test';
import {
  closeEnv, factsOf, lastEntry, matcherEnv, partitionOf, phone, putSettings, readBlacklist, readFacts, sendInbound, settingsRecord, startMatcher, stateDir,
  type FactSeen, type MatcherEnv,
} from './support.ts';
import type { Matcher } from '../src/index.ts';

const PARTITIONS = 3;
// Small fetches: the aborted stretch below takes several.
const FETCH_BYTES = 64 * 1024;

let env: MatcherEnv;
let matcher: Matcher;
let project: string;
let to: string;

beforeAll(async () => {
  env = await matcherEnv('it-matcher-stale', PARTITIONS);
  const settings = settingsRecord(uniqueName('p'));
  await putSettings(env, settings);
  project = settings.project;
  to = settings.dedicatedNumbers[0]!;
  matcher = await startMatcher(env, await stateDir(env), { maxBytesPerPartition: FETCH_BYTES });
});

afterAll(async () => {
  await closeEnv(env);
});

/** The service's own consumer: only through it can a test make kafkajs deliver a batch from elsewhere. */
const consumerOf = (m: Matcher) => (m as unknown as { consumer: Consumer }).consumer;

function phonesOn(partition: number, n: number): string[] {
  const phones = new Set<string>();
  while (phones.size < n) {
    const p = phone();
    if (partitionOf(p, PARTITIONS) === partition) phones.add(p);
  }
  return [...phones];
}

/** STOPs from `phones` (ids `<name>-<i>`) written while their partition is paused, then read by the matcher from `offsetOf(first)`. */
async function deliverFrom(name: string, partition: number, phones: string[], offsetOf: (first: number) => number): Promise<void> {
  const consumer = consumerOf(matcher);
  const topic = env.topics.inbound.name;
  consumer.pause([{ topic, partitions: [partition] }]);
  let first = -1;
  for (const [i, from] of phones.entries()) {
    const offset = await sendInbound(env, { id: `${name}-${i}`, from, to, body: 'STOP' });
    if (i === 0) first = offset;
  }
  consumer.seek({ topic, partition, offset: String(offsetOf(first)) });
  consumer.resume([{ topic, partitions: [partition] }]);
}

/** Every STOP's effects: one incoming-message and one opt-out fact each, and the phone's entry blocked by it. */
async function expectEffects(ids: string[], phones: string[]): Promise<void> {
  let facts: FactSeen[] = [];
  // What was read by the deadline is what the assertion names (a skipped reply shows as []).
  await readFacts(env, (fs) => ids.every((id) => factsOf((facts = fs), id).length >= 2), 20_000).catch(() => undefined);
  const seen = Object.fromEntries(ids.map((id) => [id, factsOf(facts, id).map((f) => f.type).sort()]));
  expect(seen).toEqual(Object.fromEntries(ids.map((id) => [id, ['IncomingMessageFact', 'OptOutFact']])));
  const entries = await readBlacklist(env, (es) => phones.every((p) => es.some((e) => e.key === `${project}:${p}`)), 10_000);
  expect(phones.map((p) => lastEntry(entries, `${project}:${p}`)?.entry?.message_id)).toEqual(ids);
}

describe('matcher: a batch from past the task position', () => {
  it('on a partition the group never committed: the replies before the batch are processed too', async () => {
    // Partition 0 has had no reply yet: the first batch the consumer delivers starts at the third.
    const phones = phonesOn(0, 5);
    await deliverFrom('never-committed', 0, phones, (first) => first + 2);
    await expectEffects(phones.map((_, i) => `never-committed-${i}`), phones);
  });

  it('on a partition it has processed: the replies between the position and the batch are processed too', async () => {
    const [before, ...phones] = phonesOn(1, 5);
    await sendInbound(env, { id: 'read-before-first', from: before!, to, body: 'STOP' });
    await expectEffects(['read-before-first'], [before!]);
    await deliverFrom('read-before', 1, phones, (first) => first + 2);
    await expectEffects(['read-before-first', ...phones.map((_, i) => `read-before-${i}`)], [before!, ...phones]);
  });

  it('past aborted records that take several fetches (kafkajs passes over them by itself): the next reply is processed', async () => {
    const [before, after] = phonesOn(2, 2);
    await sendInbound(env, { id: 'aborted-first', from: before!, to, body: 'STOP' });
    await expectEffects(['aborted-first'], [before!]);
    const producer = env.kafka.producer({ transactionalId: uniqueName('it-aborter'), idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      const transaction = await producer.transaction();
      // ~5 fetches of FETCH_BYTES, all aborted records: kafkajs resolves them without eachBatch.
      for (let i = 0; i < 10; i++) {
        const messages = Array.from({ length: 30 }, () => ({ key: after!, value: Buffer.alloc(1024, 1), partition: 2 }));
        await transaction.send({ topic: env.topics.inbound.name, messages });
      }
      await transaction.abort();
    } finally {
      await producer.disconnect();
    }
    await sendInbound(env, { id: 'aborted-after', from: after!, to, body: 'STOP' });
    await expectEffects(['aborted-first', 'aborted-after'], [before!, after!]);
  });
});
