// A batch of replies that starts past where the replier has read a partition must not leave the
// replies before it unsent. kafkajs delivers batches fetched before a rejoin after it (issue #21):
// the replier took such a batch, kafkajs fetched on from its end, and the next outcome
// transaction committed past the replies before it (lost confirmations). Here the replier's own
// consumer is made to deliver one: the partition is paused, intents are published, the consumer
// seeks past two of them, then resumes. The replies topic is written in transactions, so the seek
// back must not loop either where kafkajs itself passes over a stretch of aborted records longer
// than one fetch (it never hands such fetches to the replier).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Admin, Consumer } from 'kafkajs';
import type { ReplyIntent } from '@optline/core';
import { fetchTopicOffsets } from '@optline/kafka';
import { testConfig, uniqueName } from '@optline/test';
import type { Replier } from '../src/index.ts';
import { countsOf, intent, publish, replierOn, startRig, until, type Rig } from './support.ts';

const PLAN = 'plan-stale';
const TOKEN = 'sinch-token-stale';
const config = testConfig({ topicNamespace: uniqueName('it-replier-stale') });
let rig: Rig;
let admin: Admin;
let replier: Replier;
let consumer: Consumer;
let topic: string;

beforeAll(async () => {
  rig = await startRig(config, { servicePlanId: PLAN, apiToken: TOKEN });
  topic = rig.topics.replies.name;
  admin = rig.kafka.admin();
  await admin.connect();
  replier = replierOn(rig, config);
  await replier.start();
  // The service's own consumer: only through it can a test make kafkajs deliver a batch from elsewhere.
  const internals = replier as unknown as { consumer: Consumer; owned: Map<number, unknown> };
  consumer = internals.consumer;
  await until('the replier owning partitions 0-2', () => [0, 1, 2].every((p) => internals.owned.has(p)));
});

afterAll(async () => {
  await replier?.stop();
  await admin?.disconnect();
  await rig?.stop();
});

async function end(partition: number): Promise<number> {
  return Number((await fetchTopicOffsets(admin, topic)).find((o) => o.partition === partition)!.high);
}

/** Five intents published while `partition` is paused, then read by the replier from the third on. */
async function deliveredPastTwo(project: string, partition: number): Promise<ReplyIntent[]> {
  const intents = Array.from({ length: 5 }, (_, i) => intent(project, i));
  consumer.pause([{ topic, partitions: [partition] }]);
  const first = await end(partition);
  await publish(rig.producer, rig.serde, rig.topics, intents, partition);
  consumer.seek({ topic, partition, offset: String(first + 2) });
  consumer.resume([{ topic, partitions: [partition] }]);
  return intents;
}

/** Each reply's Sinch batches by the deadline (a skipped reply shows as 0): every one must be 1. */
async function expectSentOnce(intents: ReplyIntent[]): Promise<void> {
  await until('every reply sent', () => countsOf(rig.sandbox.counts(), intents).every((n) => n >= 1), 20_000).catch(() => undefined);
  expect(countsOf(rig.sandbox.counts(), intents)).toEqual(intents.map(() => 1));
}

describe('replier: a batch from past the read position', () => {
  it('on a partition the group never committed: the replies before the batch are sent too', async () => {
    await expectSentOnce(await deliveredPastTwo(uniqueName('never-committed'), 0));
  });

  it('on a partition it has read: the replies between the position and the batch are sent too', async () => {
    const project = uniqueName('read-before');
    const before = intent(project, 100);
    await publish(rig.producer, rig.serde, rig.topics, [before], 1);
    await expectSentOnce([before]);
    await expectSentOnce([before, ...(await deliveredPastTwo(project, 1))]);
  });

  it('past aborted records that take several fetches (kafkajs passes over them by itself): the next reply is sent', async () => {
    const project = uniqueName('aborted');
    const [before, after] = [intent(project, 1), intent(project, 2)];
    await publish(rig.producer, rig.serde, rig.topics, [before], 2);
    await expectSentOnce([before]);
    const aborter = rig.kafka.producer({ transactionalId: uniqueName('it-aborter'), idempotent: true, maxInFlightRequests: 1 });
    await aborter.connect();
    try {
      const transaction = await aborter.transaction();
      // ~3 MB of aborted records: three fetches of kafkajs' 1 MiB per partition, none reaching eachBatch.
      for (let i = 0; i < 30; i++) {
        await transaction.send({ topic, messages: Array.from({ length: 100 }, () => ({ key: 'aborted', value: Buffer.alloc(1024, 1), partition: 2 })) });
      }
      await transaction.abort();
    } finally {
      await aborter.disconnect();
    }
    await publish(rig.producer, rig.serde, rig.topics, [after], 2);
    await expectSentOnce([before, after]);
  });
});
