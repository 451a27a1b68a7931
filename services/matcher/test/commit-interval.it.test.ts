// A transaction ends at its time bound as well as at its record bound: a backlog that fits in
// one batch (and under the record bound) commits along the way, as Kafka Streams commits every
// commit.interval.ms, and every reply still has its effects exactly once.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { uniqueName } from '@optline/test';
import { closeEnv, matcherEnv, phone, putSettings, readFacts, settingsRecord, startMatcher, stateDir, type MatcherEnv } from './support.ts';

let env: MatcherEnv;
const REPLIES = 6000;

beforeAll(async () => {
  env = await matcherEnv('it-commit-interval', 1);
});

afterAll(async () => {
  await closeEnv(env);
});

it('commits a backlog of one batch in several transactions of at most the commit interval, each reply once', async () => {
  const settings = settingsRecord(uniqueName('p'));
  await putSettings(env, settings);
  const topic = env.topics.inbound.name;
  const phones = Array.from({ length: 500 }, () => phone());
  const now = Date.now();
  const messages = [];
  for (let i = 0; i < REPLIES; i++) {
    const from = phones[i % phones.length]!;
    const value = await env.serde.encode(topic, {
      id: `ci-${i}`, type: 'mo_text', from, to: settings.dedicatedNumbers[0]!, body: 'Thanks', received_at: now + i, sent_at: null, operator_id: null,
      client_reference: null, udh: null, ingested_at: now + i, source: 'it',
    });
    messages.push({ key: from, value });
  }
  await env.producer.send({ topic, acks: -1, messages });

  // 10 ms: far less than processing 6,000 replies takes, far below the 40,000-record bound.
  const matcher = await startMatcher(env, await stateDir(env), { commitIntervalMs: 10, maxRecordsPerTransaction: 40_000 });
  const facts = await readFacts(env, (fs) => fs.length >= REPLIES, 60_000);
  expect(facts.filter((f) => f.type === 'IncomingMessageFact').length).toBe(REPLIES);
  expect(new Set(facts.map((f) => f.fields.message_id)).size).toBe(REPLIES);

  const committed = (await matcher.metrics.transactions.get()).values.find((v) => v.labels.outcome === 'committed')?.value ?? 0;
  const records = (await matcher.metrics.records.get()).values.reduce((n, v) => n + v.value, 0);
  expect(records).toBe(REPLIES);
  // One transaction per slice of 2,000 at most: three or more (one before the time bound existed).
  expect(committed).toBeGreaterThanOrEqual(3);
}, 120_000);
