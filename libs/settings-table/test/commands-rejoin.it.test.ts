// A PUT is answered with what the writer did even when the API's outcome consumer rejoined its
// group in between. kafkajs restarts each partition from the group's committed offset after a
// rejoin (on a cluster: its coordinator moved with a node); the outcome consumer committed
// nothing, so it restarted from the topic's end and missed the outcome written meanwhile: the
// PUT was answered 503 "not applied" after 30 s although the writer had applied it (issue #21).
// Here a second member joins the outcome consumer's group, takes its one partition while the
// writer answers, and leaves: the instance takes the partition back, which is such a rejoin.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Consumer, Kafka } from 'kafkajs';
import { createKafka, provision, type Topics } from '@optline/kafka';
import type { OptlineConfig } from '@optline/runtime';
import { testConfig, uniqueName } from '@optline/test';
import { SettingsTable, SettingsWriter } from '../src/index.ts';

let config: OptlineConfig;
let topics: Topics;
let kafka: Kafka;
let table: SettingsTable;
let writer: SettingsWriter;
const others: Consumer[] = [];

beforeAll(async () => {
  config = testConfig({ topicNamespace: uniqueName('it-settings-rejoin') });
  ({ topics } = await provision(config));
  kafka = createKafka(config);
  table = new SettingsTable({ config });
  await table.start();
  await table.ready(30_000);
  writer = new SettingsWriter({ config, table });
  await writer.start();
});

afterAll(async () => {
  for (const c of others) await c.disconnect().catch(() => undefined);
  await writer?.stop();
  await table?.stop();
});

const doc = (dedicatedNumbers: string[]) => ({ trackIncoming: true, optOutEnabled: true, keywords: ['STOP'], consentCategories: ['sms'], dedicatedNumbers });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The outcome consumer of the table's commands (kafkajs keeps a consumer's group id to itself). */
async function outcomeGroup(): Promise<string> {
  const consumer = (table as unknown as { commands: { consumer: Consumer } }).commands.consumer;
  return (await consumer.describeGroup()).groupId;
}

/** Joins `groupId` with a member that reads nothing, until it holds the outcome partition. */
async function takeOver(groupId: string): Promise<Consumer> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const member = kafka.consumer({ groupId, maxWaitTimeInMs: 50, sessionTimeout: 6_000, heartbeatInterval: 500 });
    others.push(member);
    let holds = false;
    member.on(member.events.GROUP_JOIN, ({ payload }) => void (holds = (payload.memberAssignment[topics.settingsOutcomes.name] ?? []).length > 0));
    await member.connect();
    await member.subscribe({ topic: topics.settingsOutcomes.name });
    // Never resolves a record: what it is given stays unread by anyone until it leaves.
    await member.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: async () => undefined });
    await sleep(500);
    if (holds) return member;
    await member.disconnect();
  }
  throw new Error('the second member never got the outcome partition in 10 joins');
}

describe('settings commands: the outcome consumer rejoins its group', () => {
  it('a PUT whose outcome was written while another member held the partition is answered with it', async () => {
    expect((await table.put('before', doc(['11111']))).ok).toBe(true);
    const member = await takeOver(await outcomeGroup());
    const put = table.put('during', doc(['22222']), { timeoutMs: 20_000 });
    // The writer answers within this; the outcome waits in the partition the other member holds.
    await sleep(2_000);
    await member.disconnect();
    const outcome = await put;
    expect(outcome.ok && outcome.settings.dedicatedNumbers).toEqual(['22222']);
  }, 120_000);
});
