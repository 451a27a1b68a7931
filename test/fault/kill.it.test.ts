import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AvroSerde, Codec, createKafka, provision, type Topics } from '@optline/kafka';
import type { Kafka, Producer } from 'kafkajs';
import { testConfig, uniqueName } from '../support/index.ts';
import { ServiceProcess } from '../support/processes.ts';
import { eventually } from '../support/system.ts';
import { canonical } from '../e2e/helpers.ts';

// kill -9 of each service, one after another, under a steady inbound load. The load generator
// behaves like Sinch: a callback that did not get a 2xx is retried with the same id. Afterwards
// every accepted message must have exactly its effects: one incoming_message event, and for an
// opt-out one consent event per category and the blacklist entry; no event twice.

const TOKEN = 'fault-token';
const BASIC = 'sinch:fault';
const PHONES = 20;
const CATEGORIES = ['sms_marketing', 'sms_service'];
const namespace = uniqueName('it-fault');
const stateDir = mkdtempSync(join(tmpdir(), 'optline-fault-'));
let services: Record<string, ServiceProcess>;
let kafka: Kafka;
let producer: Producer;
let serde: AvroSerde;
let topics: Topics;

const phone = (i: number) => `+421 905 7${String(i).padStart(5, '0')}`;
const dedicated = String(70_000_000 + Math.floor(Math.random() * 9_999_999));

beforeAll(async () => {
  const config = testConfig({ topicNamespace: namespace });
  ({ topics } = await provision(config));
  kafka = createKafka(config);
  producer = kafka.producer({ idempotent: true });
  await producer.connect();
  serde = new AvroSerde(config.schemaRegistryUrl, topics);
  const env = {
    OPTLINE_KAFKA_BROKERS: config.kafkaBrokers.join(','),
    OPTLINE_SCHEMA_REGISTRY_URL: config.schemaRegistryUrl,
    OPTLINE_TOPIC_NAMESPACE: namespace,
    OPTLINE_STATE_DIR: stateDir,
    OPTLINE_WINDOW: '2s',
    OPTLINE_WINDOW_GRACE: '300ms',
    OPTLINE_INGRESS_PORT: '0',
    OPTLINE_API_PORT: '0',
    OPTLINE_API_TOKEN: TOKEN,
    OPTLINE_INGRESS_BASIC_AUTH: BASIC,
    OPTLINE_LOG_LEVEL: 'info',
  };
  services = Object.fromEntries(['matcher', 'materializer', 'ingress', 'api'].map((n) => [n, new ServiceProcess(n, env)]));
  await Promise.all(Object.values(services).map((s) => s.start()));

  const put = await fetch(`${services.api!.url}/v1/projects/fault/sms-settings`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ trackIncoming: true, optOutEnabled: true, keywords: ['stop', 'arret'], consentCategories: CATEGORIES, dedicatedNumbers: [dedicated] }),
  });
  expect(put.status, await put.text()).toBe(200);
  for (let i = 0; i < PHONES; i++) {
    const p = canonical(phone(i));
    await producer.send({ topic: topics.customers.name, acks: -1, messages: [{ key: `c${i}`, value: await serde.encode(topics.customers.name, { project: 'fault', customer_id: `c${i}`, phone: p, updated_at: Date.now() - 60_000, deleted: false }) }] });
  }
}, 180_000);

afterAll(async () => {
  await Promise.all(Object.values(services ?? {}).map((s) => s.stop()));
  await producer?.disconnect();
  rmSync(stateDir, { recursive: true, force: true });
});

async function post(id: string, from: string, body: string): Promise<boolean> {
  const url = services.ingress!.url;
  if (!services.ingress!.running || !url) return false;
  try {
    const res = await fetch(`${url}/v1/sinch/inbound`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(BASIC).toString('base64')}` },
      body: JSON.stringify({ type: 'mo_text', id, from: canonical(from).slice(2), to: dedicated, body, received_at: new Date().toISOString() }),
      signal: AbortSignal.timeout(10_000),
    });
    return res.status === 200;
  } catch {
    return false;
  }
}

interface Sent {
  id: string;
  phone: number;
  body: string;
}

/** Replies every `everyMs` until `until` settles; each is retried with the same id until accepted. */
async function load(until: Promise<unknown>, everyMs: number): Promise<Sent[]> {
  const accepted: Sent[] = [];
  const pending: Promise<void>[] = [];
  let finished = false;
  void until.finally(() => (finished = true));
  let seq = 0;
  while (!finished) {
    const n = seq++;
    const i = n % PHONES;
    const body = n % 5 === 0 ? `STOP ${n}` : n % 7 === 0 ? `arrêt ${n}` : `hello ${n}`;
    const message = { id: `${namespace}-${n}`, phone: i, body };
    pending.push((async () => {
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        if (await post(message.id, phone(i), body)) {
          accepted.push(message);
          return;
        }
        await new Promise((r) => setTimeout(r, 250));
      }
    })());
    await new Promise((r) => setTimeout(r, everyMs));
  }
  await Promise.all(pending);
  return accepted;
}

describe('kill -9 under load', () => {
  it('every accepted message has exactly its effects after each service was killed and restarted', async () => {
    // Profiles reach the matcher through a repartition topic: wait until one phone's profile is
    // attributed before the load, so that opt-outs have profiles to unsubscribe.
    await eventually('profiles indexed', async () => (await post(`${namespace}-warmup-${Date.now()}`, phone(PHONES - 1), 'warm up')) ? true : undefined);
    await new Promise((r) => setTimeout(r, 3000));

    // One service after another: 3 s of load, kill -9, restart, and on to the next.
    const done: string[] = [];
    const crashes = (async () => {
      for (const service of ['matcher', 'materializer', 'ingress', 'api']) {
        await new Promise((r) => setTimeout(r, 3000));
        await services[service]!.crash();
        await new Promise((r) => setTimeout(r, 500));
        await services[service]!.start();
        done.push(service);
      }
      await new Promise((r) => setTimeout(r, 3000));
    })();
    const accepted = await load(crashes, 40);
    await crashes;
    expect(done).toEqual(['matcher', 'materializer', 'ingress', 'api']);
    expect(accepted.length).toBeGreaterThan(150);

    const optOuts = accepted.filter((m) => /^(STOP|arrêt) /.test(m.body));
    const consumer = kafka.consumer({ groupId: uniqueName('fault-reader'), readUncommitted: false, maxWaitTimeInMs: 100 });
    const campaign: Record<string, unknown>[] = [];
    const consent: Record<string, unknown>[] = [];
    const blacklisted = new Set<string>();
    await consumer.connect();
    await consumer.subscribe({ topics: [topics.campaign.name, topics.consent.name, topics.blacklist.name], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        if (topic === topics.blacklist.name) {
          if (message.value) blacklisted.add(message.key!.toString());
          return;
        }
        const value = await new Codec(serde).decodeFrom<Record<string, unknown>>(topic, message.value);
        (topic === topics.campaign.name ? campaign : consent).push(value);
      },
    });
    const expectedConsent = optOuts.length * CATEGORIES.length;
    const ours = () => campaign.filter((e) => /^(STOP|arrêt|hello) \d+$/.test(String(e.message)));
    try {
      await eventually(`${accepted.length} incoming_message and ${expectedConsent} consent events`, async () => (ours().length >= accepted.length && consent.length >= expectedConsent ? true : undefined), 90_000, 500);
      await new Promise((r) => setTimeout(r, 4000)); // any duplicate would arrive by now
    } finally {
      await consumer.disconnect();
    }

    const byBody = new Map<string, number>();
    for (const e of ours()) byBody.set(String(e.message), (byBody.get(String(e.message)) ?? 0) + 1);
    for (const m of accepted) expect(byBody.get(m.body), `incoming_message of ${m.body}`).toBe(1);
    expect(ours()).toHaveLength(accepted.length);
    expect(new Set(campaign.map((e) => e.event_id)).size).toBe(campaign.length);

    expect(consent).toHaveLength(expectedConsent);
    expect(new Set(consent.map((e) => e.event_id)).size).toBe(consent.length);
    for (const m of optOuts) {
      const events = consent.filter((e) => e.message === m.body);
      expect(events.map((e) => `${e.customer_id}/${e.category}`).sort(), m.body).toEqual(CATEGORIES.map((c) => `c${m.phone}/${c}`).sort());
      expect(blacklisted.has(`fault:${canonical(phone(m.phone))}`)).toBe(true);
    }
    for (const s of Object.values(services)) expect(s.running, s.name).toBe(true);
  }, 300_000);
});
