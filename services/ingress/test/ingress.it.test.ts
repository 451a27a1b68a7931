import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { AvroSerde, Codec, createKafka, readDeadLetterReason, topics } from '@optline/kafka';
import { testConfig, uniqueName } from '@optline/test';
import { loadIngressSettings, signSinchCallback, startIngress, type InboundSms, type IngressSettings, type RunningIngress } from '../src/index.ts';
import { BrokerLink } from './broker-link.ts';
import { moText, post, watchTopics } from './support.ts';

const logger = pino({ level: process.env.OPTLINE_TEST_LOG ?? 'silent' });
const config = testConfig({ topicNamespace: uniqueName('it-ingress'), ingressPort: 0 });
const named = topics(config.topicNamespace);
const kafka = createKafka(config);
const serde = new AvroSerde(config.schemaRegistryUrl, named);
const codec = new Codec(serde);
const SECRET = 'sinch-hmac-secret';
const BASIC = `Basic ${Buffer.from('sinch:s3cret').toString('base64')}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const settings = (overrides: Partial<IngressSettings>): IngressSettings => ({ ...loadIngressSettings({}), ...overrides });

let hmacIngress: RunningIngress;
let basicIngress: RunningIngress;
let watcher: Awaited<ReturnType<typeof watchTopics>>;

function signed(body: string, at = Date.now(), secret = SECRET): Record<string, string> {
  return signSinchCallback({ secret, rawBody: body, nonce: uniqueName('nonce'), timestampSeconds: Math.floor(at / 1000) });
}

async function postSigned(body: object | string, headers: Record<string, string> = {}) {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  return post(hmacIngress.url, raw, { ...signed(raw), ...headers });
}

beforeAll(async () => {
  hmacIngress = await startIngress({ config, logger, settings: settings({ hmac: { secret: SECRET, maxAgeMs: 300_000 } }) });
  basicIngress = await startIngress({ config, logger, settings: settings({ basicAuth: { user: 'sinch', password: 's3cret' } }) });
  watcher = await watchTopics(kafka, [named.inbound.name, named.deadLetter.name]);
});

afterAll(async () => {
  await watcher?.stop();
  await hmacIngress?.stop();
  await basicIngress?.stop();
});

const inboundWithId = (id: string, count = 1) => watcher.waitFor(named.inbound.name, (r) => r.value !== null && r.value.includes(id), count);
const deadLetterWith = (marker: string) => watcher.waitFor(named.deadLetter.name, (r) => r.key === marker || (r.value?.includes(marker) ?? false));

describe('a valid callback', () => {
  it('answers 200 after the write and lands on the inbound topic keyed by the canonical sender, decoding to the InboundSms', async () => {
    const callback = moText({ sent_at: '2025-06-15T09:34:27Z', client_reference: 'campaign-7' });
    const before = Date.now();
    const answer = await postSigned(callback);
    expect(answer).toMatchObject({ status: 200, body: { status: 'accepted', id: callback.id } });
    const [record] = await inboundWithId(callback.id);
    expect(record!.key).toBe('00421905123456');
    const sms = await codec.decode<InboundSms>('InboundSms', record!.value);
    expect(sms).toEqual({
      id: callback.id, type: 'mo_text', from: '00421905123456', to: '00421911000111', body: 'STOP please',
      received_at: Date.parse('2025-06-15T09:34:28.542Z'), sent_at: Date.parse('2025-06-15T09:34:27Z'), operator_id: '23103',
      client_reference: 'campaign-7', udh: null, ingested_at: sms.ingested_at, source: 'sinch',
    });
    expect(sms.ingested_at).toBeGreaterThanOrEqual(before);
    expect(sms.ingested_at).toBeLessThanOrEqual(Date.now());
  });

  it('accepts mo_binary with a short code recipient', async () => {
    const callback = moText({ type: 'mo_binary', to: '12345', body: 'U1RPUA==', udh: '050003CC0201' });
    expect((await postSigned(callback)).status).toBe(200);
    const sms = await codec.decode<InboundSms>('InboundSms', (await inboundWithId(callback.id))[0]!.value);
    expect(sms).toMatchObject({ type: 'mo_binary', to: '12345', body: 'U1RPUA==', udh: '050003CC0201' });
  });

  it('answers 200 to every retry of the same callback id (downstream de-duplicates)', async () => {
    const callback = moText();
    for (let i = 0; i < 3; i++) expect((await postSigned(callback)).status).toBe(200);
    const records = await inboundWithId(callback.id, 3);
    expect(new Set(records.map((r) => r.key))).toEqual(new Set(['00421905123456']));
  });
});

describe('bad input: status, JSON error, and the raw body with the reason on the dead-letter topic', () => {
  const marker = () => uniqueName('bad');
  const cases: { name: string; body: (m: string) => string; headers?: Record<string, string>; status: number; code: string; fields?: [string, string][] }[] = [
    { name: 'malformed JSON', body: (m) => `{"id":"${m}","type":`, status: 400, code: 'invalid_json' },
    { name: 'missing and mistyped fields', body: (m) => JSON.stringify({ id: m, type: 'mo_text', to: 12345, received_at: 'yesterday' }), status: 400, code: 'invalid_request', fields: [['from', 'required'], ['body', 'required'], ['to', 'type'], ['received_at', 'format']] },
    { name: 'invalid phone numbers', body: (m) => JSON.stringify(moText({ id: m, from: '0905 123 456', to: '+999' })), status: 400, code: 'invalid_request', fields: [['from', 'phone_number'], ['to', 'dedicated_number']] },
    { name: 'an unknown type', body: (m) => JSON.stringify(moText({ id: m, type: 'mt_text' })), status: 400, code: 'invalid_request', fields: [['type', 'enum']] },
    { name: 'mo_media (MMS)', body: (m) => JSON.stringify({ type: 'mo_media', id: m, from: '421905123456', to: '12345', body: { url: 'https://x/y.jpg' }, received_at: '2025-06-15T09:34:28Z' }), status: 422, code: 'unsupported_message_type', fields: [['type', 'supported_type']] },
    { name: 'a body that is not JSON', body: (m) => `id=${m}&from=421905123456`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, status: 415, code: 'unsupported_media_type' },
  ];

  it.each(cases)('$name -> $status $code', async ({ body, headers, status, code, fields }) => {
    const m = marker();
    const raw = body(m);
    const answer = await postSigned(raw, headers);
    expect(answer.status).toBe(status);
    expect(answer.body.error?.code).toBe(code);
    expect(answer.body.error?.message.length).toBeGreaterThan(10);
    if (fields) expect(answer.body.error?.fields?.map((f) => [f.field, f.rule])).toEqual(expect.arrayContaining(fields));
    const [kept] = await deadLetterWith(m);
    expect(kept!.value!.toString()).toBe(raw);
    const reason = readDeadLetterReason(kept!.headers);
    expect(reason).toMatchObject({ source: 'POST /v1/sinch/inbound', rule: code, message: answer.body.error!.message });
    if (fields) expect(reason.field?.split(',')).toEqual(expect.arrayContaining(fields.map(([f]) => f)));
    expect(kept!.headers['optline.http.status']).toBe(String(status));
  });

  it('413 above 64 KiB: kept without its body when Basic auth verified the caller', async () => {
    const m = marker();
    const raw = JSON.stringify(moText({ id: m, body: 'x'.repeat(70 * 1024) }));
    const answer = await post(basicIngress.url, raw, { authorization: BASIC });
    expect(answer.status).toBe(413);
    expect(answer.body.error).toMatchObject({ code: 'payload_too_large', message: 'the body is larger than the limit of 65536 bytes', fields: [{ field: 'body', rule: 'maxBytes' }] });
    const [kept] = await watcher.waitFor(named.deadLetter.name, (r) => r.headers['optline.http.content-length'] === String(raw.length) && r.headers['optline.dlq.rule'] === 'payload_too_large');
    expect(kept!.value).toBeNull();
  });

  it('413 with HMAC only: answered, counted, but not kept (the unread body cannot be verified)', async () => {
    const raw = JSON.stringify(moText({ body: 'x'.repeat(70 * 1024) }));
    const answer = await post(hmacIngress.url, raw, signed(raw));
    expect(answer.status).toBe(413);
    const metrics = await (await fetch(`${hmacIngress.url}/metrics`)).text();
    expect(metrics).toMatch(/optline_ingress_requests_total\{outcome="payload_too_large",service="ingress"\} 1/);
    expect(metrics).not.toMatch(/optline_ingress_dead_letters_total\{rule="payload_too_large"/);
  });
});

describe('auth', () => {
  it('HMAC: good 200; wrong secret, stale, missing headers 401, none of them kept', async () => {
    const callback = JSON.stringify(moText());
    expect((await post(hmacIngress.url, callback, signed(callback))).status).toBe(200);
    const wrong = await post(hmacIngress.url, callback, signed(callback, Date.now(), 'not-the-secret'));
    expect(wrong).toMatchObject({ status: 401, body: { error: { code: 'unauthorized', message: 'the signature does not match the body' } } });
    const stale = await post(hmacIngress.url, callback, signed(callback, Date.now() - 6 * 60_000));
    expect(stale.status).toBe(401);
    expect(stale.body.error?.message).toMatch(/timestamp is 36\d s away from now \(at most 300 s allowed\)/);
    const missing = await post(hmacIngress.url, callback);
    expect(missing.status).toBe(401);
    expect(missing.body.error?.message).toMatch(/^missing signature headers x-sinch-webhook-signature, /);
    const metrics = await (await fetch(`${hmacIngress.url}/metrics`)).text();
    expect(metrics).toMatch(/optline_ingress_requests_total\{outcome="unauthorized",service="ingress"\} 3/);
    expect(metrics).not.toMatch(/optline_ingress_dead_letters_total\{rule="unauthorized"/);
  });

  it('Basic: good 200 and published; wrong and missing 401 with a challenge', async () => {
    const callback = moText();
    expect((await post(basicIngress.url, callback, { authorization: BASIC })).status).toBe(200);
    await inboundWithId(callback.id);
    const wrong = await post(basicIngress.url, callback, { authorization: `Basic ${Buffer.from('sinch:nope').toString('base64')}` });
    expect(wrong).toMatchObject({ status: 401, body: { error: { code: 'unauthorized', message: 'wrong user or password' } } });
    const missing = await post(basicIngress.url, callback);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Basic realm="optline-ingress", charset="UTF-8"');
  });
});

describe('probes and metrics', () => {
  it('/healthz and /readyz answer 200; /metrics has outcomes and the publish latency histogram', async () => {
    expect((await fetch(`${hmacIngress.url}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${hmacIngress.url}/readyz`)).json()).toEqual({ status: 'ready' });
    const metrics = await (await fetch(`${hmacIngress.url}/metrics`)).text();
    expect(metrics).toMatch(/optline_ingress_requests_total\{outcome="accepted",service="ingress"\} \d+/);
    expect(metrics).toMatch(/optline_ingress_publish_duration_seconds_count\{service="ingress"\} \d+/);
    expect(metrics).toMatch(/http_requests_total\{method="POST",route="\/v1\/sinch\/inbound",status="200",service="ingress"\} \d+/);
  });
});

describe('broker outage (the producer reaches the broker through a TCP link the test cuts)', () => {
  it('answers 503 while the broker is unreachable and 200 again once it is back, without a restart; stops gracefully', { timeout: 60_000 }, async () => {
    const link = await BrokerLink.start(config.kafkaBrokers[0]!);
    const ingress = await startIngress({
      config,
      logger,
      settings: settings({ publishTimeoutMs: 1500 }),
      kafkaOverrides: { socketFactory: link.socketFactory },
    });
    try {
      expect((await post(ingress.url, moText())).status).toBe(200);

      await link.cut();
      const started = Date.now();
      const down = await post(ingress.url, moText());
      expect(down.status).toBe(503);
      expect(down.body.error).toMatchObject({ code: 'unavailable' });
      expect(Date.now() - started).toBeLessThan(3000);
      const readiness = async () => (await fetch(`${ingress.url}/readyz`)).status;
      await expect.poll(readiness, { timeout: 5000, interval: 100 }).toBe(503);
      // Long enough for the client to give up reconnecting: a produce request then fails
      // outright and its producer is replaced (the path of a real broker restart).
      const failedBatches = async () => {
        const metrics = await (await fetch(`${ingress.url}/metrics`)).text();
        return Number(/optline_ingress_batch_records_count\{[^}]*result="failed"[^}]*\} (\d+)/.exec(metrics)?.[1] ?? 0);
      };
      await expect.poll(failedBatches, { timeout: 20_000, interval: 250 }).toBeGreaterThan(0);

      await link.restore();
      const back = moText();
      await expect.poll(async () => (await post(ingress.url, back)).status, { timeout: 20_000, interval: 200 }).toBe(200);
      await inboundWithId(back.id);
      // Every producer (not only the one that answered) recovers: ready again.
      await expect.poll(readiness, { timeout: 10_000, interval: 100 }).toBe(200);

      // Graceful stop: a request still waiting for the broker when stop() begins gets its 200
      // once the write is acknowledged, and stop() waits for it; then the port is closed.
      await link.cut();
      const last = moText();
      const inFlight = post(ingress.url, last);
      await sleep(100);
      let stopped = false;
      const stopping = ingress.stop().then(() => (stopped = true));
      await sleep(100);
      expect(stopped).toBe(false);
      await link.restore();
      expect((await inFlight).status).toBe(200);
      await stopping;
      await inboundWithId(last.id);
      await expect(fetch(`${ingress.url}/healthz`)).rejects.toThrow();
    } finally {
      await ingress.stop();
      await link.close();
    }
  });
});
