import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { AvroSerde, Codec, createKafka, readDeadLetterReason, topics } from '@optline/kafka';
import { testConfig, uniqueName } from '@optline/test';
import { loadIngressSettings, startIngress, type InboundSms, type RunningIngress } from '../src/index.ts';
import { moText, watchTopics } from './support.ts';

// The defects of issue #15 that gave a 5xx or altered a callback: each is refused with a 400
// naming the field (and kept on the dead-letter topic, raw bytes), or accepted exactly as sent.

const logger = pino({ level: process.env.OPTLINE_TEST_LOG ?? 'silent' });
const config = testConfig({ topicNamespace: uniqueName('it-ingress-strict'), ingressPort: 0 });
const named = topics(config.topicNamespace);
const serde = new AvroSerde(config.schemaRegistryUrl, named);
const BASIC = `Basic ${Buffer.from('sinch:s3cret').toString('base64')}`;

let ingress: RunningIngress;
let watcher: Awaited<ReturnType<typeof watchTopics>>;

beforeAll(async () => {
  ingress = await startIngress({ config, logger, settings: { ...loadIngressSettings({}), basicAuth: { user: 'sinch', password: 's3cret' } } });
  watcher = await watchTopics(createKafka(config), [named.inbound.name, named.deadLetter.name]);
});

afterAll(async () => {
  await watcher?.stop();
  await ingress?.stop();
});

interface Refusal {
  status: number;
  error: { code: string; message: string; fields?: { field: string; rule: string; message: string }[] };
}

async function send(raw: string | Buffer): Promise<Refusal & { id?: string }> {
  const res = await fetch(`${ingress.url}/v1/sinch/inbound`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: BASIC }, body: raw });
  return { ...((await res.json()) as Omit<Refusal, 'status'>), status: res.status };
}

/** The dead letter holding exactly these bytes. */
const deadLetterOf = async (raw: Buffer) => (await watcher.waitFor(named.deadLetter.name, (r) => r.value?.equals(raw) ?? false))[0]!;

describe('date-times (RFC 3339)', () => {
  it('a leap second is accepted and written as 23:59:59 UTC', async () => {
    const callback = moText({ received_at: '2026-06-30T23:59:60Z', sent_at: '2026-06-30T23:59:60.250Z' });
    expect(await send(JSON.stringify(callback))).toMatchObject({ status: 200, id: callback.id });
    const [record] = await watcher.waitFor(named.inbound.name, (r) => r.value?.includes(callback.id) ?? false);
    const sms = await new Codec(serde).decode<InboundSms>('InboundSms', record!.value);
    expect([sms.received_at, sms.sent_at]).toEqual([Date.UTC(2026, 5, 30, 23, 59, 59), Date.UTC(2026, 5, 30, 23, 59, 59, 250)]);
  });

  it.each([
    ['received_at', '2026-12-01T06:00:00+01'],
    ['received_at', '2026-12-01T06:00:00-05'],
    ['sent_at', '2026-12-01T06:00:00+0100'],
    ['received_at', '2026-02-30T06:00:00Z'],
  ])('%s %s: 400 naming the field, kept on the dead-letter topic', async (field, value) => {
    const raw = Buffer.from(JSON.stringify(moText({ [field]: value })));
    const answer = await send(raw);
    expect(answer.status).toBe(400);
    expect(answer.error.fields).toEqual([expect.objectContaining({ field, rule: 'format' })]);
    expect(answer.error.fields![0]!.message).toContain(field);
    const kept = await deadLetterOf(raw);
    expect(readDeadLetterReason(kept.headers)).toMatchObject({ rule: 'invalid_request', field });
  });
});

describe('strict JSON', () => {
  it('bytes that are not UTF-8 in id or body: 400 naming the field, kept as the raw bytes; two such ids do not collapse into one', async () => {
    const id = uniqueName('utf8');
    const variants = [[0xff], [0xfe], [0xc3, 0x28]].map((bad) => Buffer.concat([Buffer.from(`{"type":"mo_text","id":"${id}`), Buffer.from(bad), Buffer.from(`","from":"421905123456","to":"12345","body":"hi","received_at":"2026-06-15T09:34:28Z"}`)]));
    for (const raw of variants) {
      const answer = await send(raw);
      expect(answer.status).toBe(400);
      expect(answer.error).toMatchObject({ code: 'invalid_json', fields: [{ field: 'id', rule: 'utf8' }] });
      await deadLetterOf(raw);
    }
    const inBody = Buffer.concat([Buffer.from(`{"type":"mo_text","id":"${id}-b","from":"421905123456","to":"12345","body":"STOP `), Buffer.from([0x80]), Buffer.from(`","received_at":"2026-06-15T09:34:28Z"}`)]);
    expect((await send(inBody)).error.fields).toEqual([expect.objectContaining({ field: 'body', rule: 'utf8' })]);
    await deadLetterOf(inBody);
    expect(watcher.seen.filter((r) => r.topic === named.inbound.name && r.value?.includes(id))).toEqual([]);
  });

  it('a lone surrogate escape in id is refused (UTF-8 would turn it into U+FFFD)', async () => {
    const raw = Buffer.from(JSON.stringify(moText()).replace(/"id":"([^"]+)"/, '"id":"$1\\ud800"'));
    const answer = await send(raw);
    expect(answer.status).toBe(400);
    expect(answer.error.fields).toEqual([expect.objectContaining({ field: 'id', rule: 'unpaired_surrogate' })]);
    await deadLetterOf(raw);
  });

  it('a duplicate key is refused, not "the last wins": {"body":"hello","body":"STOP"}', async () => {
    const callback = moText({ body: 'hello' });
    const raw = Buffer.from(JSON.stringify(callback).replace('"body":"hello"', '"body":"hello","body":"STOP"'));
    const answer = await send(raw);
    expect(answer.status).toBe(400);
    expect(answer.error).toMatchObject({ code: 'invalid_json', fields: [{ field: 'body', rule: 'duplicate_key' }] });
    expect(readDeadLetterReason((await deadLetterOf(raw)).headers)).toMatchObject({ rule: 'invalid_json', field: 'body' });
    expect(watcher.seen.filter((r) => r.topic === named.inbound.name && r.value?.includes(callback.id))).toEqual([]);
  });

  it.each(['__proto__', 'constructor'])('a %s key is refused', async (key) => {
    const raw = Buffer.from(JSON.stringify(moText()).replace('{', `{"${key}":{"body":"STOP"},`));
    const answer = await send(raw);
    expect(answer.status).toBe(400);
    expect(answer.error.fields).toEqual([expect.objectContaining({ field: key, rule: 'reserved_key' })]);
    await deadLetterOf(raw);
  });
});
