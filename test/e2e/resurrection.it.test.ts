import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Consumer, Producer } from 'kafkajs';
import { factRecord, type IncomingMessageFact } from '@optline/core';
import { EventLog } from '../support/events.ts';
import { testConfig, uniqueName } from '../support/index.ts';
import { eventually, startSystem, type System } from '../support/system.ts';
import { canonical, randomPhone, Scenario } from './helpers.ts';

// The race that two writers of sms.blacklist.v1 had: an opt-in committed while the
// materializer flushes the opt-out's window must leave the phone cleared; a CONSENT_TRACKED
// decided on a view of the blacklist that has not seen the opt-in yet must not bring it back.
//
// What makes the race reproducible:
// - the opt-out's window also holds many other facts of its facts partition, so the flush takes a
//   while between its start (its first consent event, visible read_uncommitted) and its last step;
// - a transaction held open on the entry's blacklist partition while the opt-in commits keeps
//   read_committed readers of that partition from seeing the opt-in, as any writer's open
//   transaction does (the matcher's own, under load), however short;
// - the materializer's test hook pauses each flush between its writes and its commit.

// Long enough for the STOP and the bulk to land in one window on a busy machine.
const WINDOW_MS = 15_000;
const BULK_FACTS = 60_000;
let sys: System;
let log: EventLog;
let s: Scenario;
let uncommitted: Consumer;
let holder: Producer;
const seen: Array<{ topic: string; key: string | null; value: Record<string, unknown> | null }> = [];

beforeAll(async () => {
  process.env.OPTLINE_MATERIALIZER_TEST_PAUSE_IN_FLUSH_MS = '2000';
  try {
    sys = await startSystem(testConfig(), { windowMs: WINDOW_MS, graceMs: 200 });
  } finally {
    delete process.env.OPTLINE_MATERIALIZER_TEST_PAUSE_IN_FLUSH_MS;
  }
  log = new EventLog(sys);
  await log.start();
  s = new Scenario(sys, log);
  uncommitted = sys.kafka.consumer({ groupId: uniqueName('uncommitted'), readUncommitted: true, maxWaitTimeInMs: 20 });
  await uncommitted.connect();
  await uncommitted.subscribe({ topics: [sys.topics.consent.name, sys.topics.blacklist.name], fromBeginning: true });
  await uncommitted.run({
    eachMessage: async ({ topic, message }) => {
      const value = message.value === null ? null : await sys.codec.decodeFrom<Record<string, unknown>>(topic, message.value);
      seen.push({ topic, key: message.key?.toString() ?? null, value });
    },
  });
  holder = sys.kafka.producer({ transactionalId: uniqueName('held-open'), idempotent: true, maxInFlightRequests: 1 });
  await holder.connect();
}, 180_000);

afterAll(async () => {
  await holder?.disconnect();
  await uncommitted?.disconnect();
  await log?.stop();
  await sys?.stop();
});

/** Facts of other phones, as the matcher records them, in the facts partition of `key` and the window of `recordedAt`. */
async function bulkFacts(key: string, recordedAt: number): Promise<void> {
  const encode = await sys.serde.encoderFor(sys.topics.facts.name);
  for (let i = 0; i < BULK_FACTS; i += 2000) {
    const messages = Array.from({ length: 2000 }, (_, j) => {
      const fact: IncomingMessageFact = {
        type: 'incoming_message', project: 'bulk', phone: `0042190${String(i + j).padStart(7, '0')}`, message_id: `bulk-${i + j}`,
        received_at: recordedAt, body: 'hello', sender: '00421900000000', recipient: '12345', customer_id: null,
      };
      return { key, value: encode(factRecord(fact, recordedAt)) };
    });
    await sys.producer.send({ topic: sys.topics.facts.name, acks: -1, messages });
  }
}

it('an opt-in committed while the opt-out window flushes leaves the phone cleared (no resurrected CONSENT_TRACKED)', async () => {
  const project = await s.project();
  const phone = randomPhone();
  const key = `${project.name}:${canonical(phone)}`;
  await s.profile(project, 'ann', phone);
  await s.indexed(project, phone, 'ann');
  // Start at the beginning of a window, so the STOP and the bulk share one.
  await new Promise((r) => setTimeout(r, WINDOW_MS - (Date.now() % WINDOW_MS) + 50));
  const windowOf = Date.now();
  const stop = await s.reply(project, phone, 'STOP');
  expect(await s.blacklisted(project, phone)).toMatchObject({ status: 'BLOCKED', message_id: stop.id });
  await bulkFacts(key, windowOf);
  expect(Date.now() - windowOf, 'STOP and bulk facts written within the window').toBeLessThan(WINDOW_MS - 500);

  // The flush of that window has begun: its first consent event is written, not committed.
  await eventually('the flush of the STOP window', async () =>
    seen.some((r) => r.topic === sys.topics.consent.name && r.value?.project === project.name && r.value.action === 'reject') ? true : undefined, 30_000, 5);
  const tx = await holder.transaction();
  const entry = (await s.blacklist(project, phone)).body;
  await tx.send({ topic: sys.topics.blacklist.name, messages: [{ key, value: await sys.serde.encode(sys.topics.blacklist.name, entry) }] });
  await s.reply(project, phone, 'START');
  await eventually('the opt-in tombstone', async () =>
    seen.some((r) => r.topic === sys.topics.blacklist.name && r.key === key && r.value === null) ? true : undefined, 10_000, 5);
  await eventually('the flush committed', async () => (log.of('consent', project.name).length > 0 ? true : undefined), 30_000);
  await tx.abort();

  const writes = () => log.records.filter((r) => r.topic === 'blacklist' && r.key === key).map((r) => r.value?.status ?? null);
  await eventually('the committed opt-in tombstone', async () => (writes().includes(null) ? true : undefined), 10_000);
  // Room for whatever the flush causes on the blacklist to reach readers.
  await new Promise((r) => setTimeout(r, 3000));
  expect(writes(), 'the entry after the opt-in: cleared, never CONSENT_TRACKED again').toEqual(['BLOCKED', null]);
  expect((await s.blacklist(project, phone)).status, 'the phone that opted back in is blacklisted').toBe(404);
}, 150_000);
