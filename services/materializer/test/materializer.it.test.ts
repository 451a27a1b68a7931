import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kafka, Producer } from 'kafkajs';
import { AvroSerde, createKafka, provision, readDeadLetterReason, type Topics } from '@optline/kafka';
import { createLogger, type OptlineConfig } from '@optline/runtime';
import { testConfig, uniqueName } from '@optline/test';
import { factRecord, Materializer, type FlushReport } from '../src/index.ts';
import { closesAt, windowStart } from '../src/windows.ts';
import { incoming, MatcherStandIn, optOut, OutputReader } from './support.ts';

const WINDOW = 3000;
const GRACE = 500;
let config: OptlineConfig;
let named: Topics;
let kafka: Kafka;
let serde: AvroSerde;
let producer: Producer;
let matcher: MatcherStandIn;
let reader: OutputReader;
let materializer: Materializer;
const flushes: Array<FlushReport & { at: number }> = [];

beforeAll(async () => {
  config = testConfig({ topicNamespace: uniqueName('it-mat'), windowMs: WINDOW, windowGraceMs: GRACE });
  ({ topics: named } = await provision(config));
  kafka = createKafka(config);
  serde = new AvroSerde(config.schemaRegistryUrl, named);
  producer = kafka.producer({ idempotent: true });
  await producer.connect();
  matcher = new MatcherStandIn(producer, serde, named);
  reader = await new OutputReader(kafka, serde, named).start();
  materializer = new Materializer({ config, logger: createLogger('materializer-test', 'warn'), onFlush: (r) => flushes.push({ ...r, at: Date.now() }) });
  await materializer.start();
});

afterAll(async () => {
  await materializer?.stop();
  await Promise.all([reader?.stop(), producer?.disconnect()]);
});

// Every test has a project of its own, so they share the materializer and run side by side.
describe.concurrent('materializer', () => {
  it('turns the product page example into two consent rejects and one incoming_message on the right profile, then tells the matcher', async ({ expect }) => {
    const phone = '00421905123456';
    const received = Date.now() - 200;
    await matcher.fact(optOut('page', phone, 'sms-1', ['c-last-sms', 'c-other'], ['sms'], received));
    await matcher.fact(incoming('page', phone, 'sms-1', 'c-last-sms', received));

    await reader.waitFor('2 consent + 1 campaign events', () => reader.of(named.consent.name, 'page').length >= 2 && reader.of(named.campaign.name, 'page').length >= 1);
    const consent = reader.of(named.consent.name, 'page');
    expect(consent.map((r) => [r.key, r.value!.customer_id]).sort()).toEqual([['c-last-sms', 'c-last-sms'], ['c-other', 'c-other']]);
    for (const { value } of consent) {
      expect(value).toMatchObject({
        project: 'page', timestamp: received, action: 'reject', source: 'sms_reply', category: 'sms',
        identification: phone, identification_type: 'phone', message: 'STOP',
      });
      expect(value!.imported_timestamp as number).toBeGreaterThanOrEqual(windowStart(received, WINDOW) + WINDOW + GRACE);
    }
    const [campaign] = reader.of(named.campaign.name, 'page');
    expect(campaign!.key).toBe('c-last-sms');
    expect(campaign!.value).toMatchObject({
      project: 'page', customer_id: 'c-last-sms', status: 'incoming_message', action_type: 'sms', timestamp: received,
      message: 'STOP', sender: phone, recipient: '00421900000001',
    });
    // The matcher, the only writer of the blacklist, learns that this opt-out's consent is tracked.
    await reader.waitFor('the ConsentTracked notice', () => reader.of(named.consentTracked.name, 'page').length >= 1);
    const [notice] = reader.of(named.consentTracked.name, 'page');
    expect(notice!.key).toBe(phone);
    expect(notice!.value).toMatchObject({ project: 'page', phone, message_id: 'sms-1' });
    expect(notice!.value!.tracked_at).toBe(consent[0]!.value!.imported_timestamp);
  });

  it('makes 30 consent events for 3 categories x 10 profiles, each once', async ({ expect }) => {
    const customers = Array.from({ length: 10 }, (_, i) => `c${i}`);
    await matcher.fact(optOut('thirty', '00421905000030', 'sms-30', customers, ['sms', 'marketing', 'news']));
    await reader.waitFor('30 consent events', () => reader.of(named.consent.name, 'thirty').length >= 30);
    await new Promise((r) => setTimeout(r, 1000)); // room for a duplicate to show up
    const events = reader.of(named.consent.name, 'thirty');
    expect(events).toHaveLength(30);
    expect(new Set(events.map((e) => e.value!.event_id)).size).toBe(30);
    expect(new Set(events.map((e) => `${e.value!.customer_id}/${e.value!.category}`)).size).toBe(30);
  });

  it('closes a window on an idle partition by the clock, and puts a late fact into the next window', async ({ expect }) => {
    // Partition 5 gets this one fact and nothing else (the other tests stay on 0-4): no later
    // record on it can move its window along.
    // The window is the fact's own: taking the clock again after the send could cross a boundary.
    const recordedAt = Date.now();
    const first = await matcher.fact(incoming('idle', '00421905000555', 'sms-55', 'c1'), recordedAt, 5);
    const closes = closesAt(windowStart(recordedAt, WINDOW), { lengthMs: WINDOW, graceMs: GRACE });
    await reader.waitFor('the idle partition event', () => reader.of(named.campaign.name, 'idle').length >= 1, 15_000);
    const flush = flushes.find((f) => f.partition === first.partition && f.commitOffset > first.offset)!;
    expect(flush.at).toBeGreaterThanOrEqual(closes - 50);
    expect(flush.at).toBeLessThan(closes + 2500);

    // recorded_at inside the window just flushed: late, so it goes into the open window.
    await matcher.fact(incoming('idle', '00421905000555', 'sms-56', 'c1'), flush.boundary - 1, 5);
    await reader.waitFor('the late event', () => reader.of(named.campaign.name, 'idle').length >= 2, 15_000);
    const late = flushes.find((f) => f.partition === 5 && f.boundary > flush.boundary && f.campaign > 0)!;
    expect(late.boundary).toBe(flush.boundary + WINDOW);
    expect(reader.of(named.campaign.name, 'idle').map((r) => r.value!.event_id)).toHaveLength(2);
  });

  it('sends a record that is not a fact to the dead-letter topic with the reason, and goes on', async ({ expect }) => {
    await producer.send({ topic: named.facts.name, acks: -1, messages: [{ key: 'dlq:1', value: Buffer.from('{"not":"avro"}'), partition: 2 }] });
    await matcher.fact(incoming('after-dlq', '00421905000999', 'sms-99', null), Date.now(), 2);
    await reader.waitFor('the dead letter and the next event', () =>
      reader.of(named.deadLetter.name).some((r) => r.key === 'dlq:1') && reader.of(named.campaign.name, 'after-dlq').length === 1);
    const dead = reader.of(named.deadLetter.name).find((r) => r.key === 'dlq:1')!;
    expect(dead.raw!.toString()).toBe('{"not":"avro"}');
    const reason = readDeadLetterReason(dead.headers);
    expect(reason).toMatchObject({ rule: 'not_avro', field: 'value' });
    expect(reason.source).toMatch(new RegExp(`^${named.facts.name.replaceAll('.', '\\.')}/2@\\d+$`));
    expect(reader.of(named.campaign.name, 'after-dlq')[0]!.value).toMatchObject({ customer_id: null, sender: '00421905000999' });
  });

  it('ignores a fact whose matcher transaction aborted', async ({ expect }) => {
    const tx = kafka.producer({ transactionalId: `${config.topicNamespace}.aborting-matcher`, idempotent: true, maxInFlightRequests: 1 });
    await tx.connect();
    const t = await tx.transaction();
    const value = await serde.encode(named.facts.name, factRecord(incoming('aborted', '00421905000111', 'sms-11', 'c1'), Date.now()));
    await t.send({ topic: named.facts.name, messages: [{ key: 'aborted:00421905000111', value }] });
    await t.abort();
    await tx.disconnect();
    await matcher.fact(incoming('aborted', '00421905000111', 'sms-12', 'c1'));
    await reader.waitFor('the committed fact event', () => reader.of(named.campaign.name, 'aborted').length >= 1);
    await new Promise((r) => setTimeout(r, 500));
    expect(reader.of(named.campaign.name, 'aborted').map((r) => r.value!.customer_id)).toEqual(['c1']);
    expect(reader.of(named.campaign.name, 'aborted')).toHaveLength(1);
  });
});

it('exposes its metrics in the Prometheus text format', async () => {
  const text = await materializer.metrics.metrics();
  expect(text).toMatch(/optline_materializer_flushes_total\{result="committed"[^}]*\} [1-9]/);
  expect(text).toMatch(/optline_materializer_dead_letters_total\{rule="not_avro"[^}]*\} 1/);
});
