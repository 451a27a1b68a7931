import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kafka, Producer } from 'kafkajs';
import { Registry } from 'prom-client';
import { AvroSerde, createKafka, provision, type Topics } from '@optline/kafka';
import type { OptlineConfig } from '@optline/runtime';
import { testConfig, uniqueName } from '@optline/test';
import { BlacklistClient, type BlacklistRecord } from '../src/index.ts';

let config: OptlineConfig;
let kafka: Kafka;
let serde: AvroSerde;
let named: Topics;
let producer: Producer;
const clients: BlacklistClient[] = [];

function entry(phone: string, status: BlacklistRecord['status'] = 'BLOCKED', message_id = `m-${phone}`): BlacklistRecord {
  return { project: 'p1', phone, status, keyword: 'STOP', message_id, blocked_at: 1_700_000_000_000, updated_at: 1_700_000_000_000, source: 'keyword', actor: null, reason: null };
}

async function write(key: string, value: BlacklistRecord | null, transactional = false): Promise<void> {
  const message = { key, value: value === null ? null : await serde.encode(named.blacklist.name, value) };
  if (!transactional) {
    await producer.send({ topic: named.blacklist.name, acks: -1, messages: [message] });
    return;
  }
  const tx = kafka.producer({ transactionalId: `${config.topicNamespace}.tx`, idempotent: true, maxInFlightRequests: 1 });
  await tx.connect();
  const t = await tx.transaction();
  await t.send({ topic: named.blacklist.name, messages: [message] });
  await t.commit();
  await tx.disconnect();
}

async function started(metrics?: Registry): Promise<BlacklistClient> {
  const client = new BlacklistClient(metrics ? { config, metrics } : { config });
  clients.push(client);
  await client.start();
  return client;
}

beforeAll(async () => {
  config = testConfig({ topicNamespace: uniqueName('it-blc') });
  ({ topics: named } = await provision(config));
  kafka = createKafka(config);
  serde = new AvroSerde(config.schemaRegistryUrl, named);
  producer = kafka.producer({ idempotent: true });
  await producer.connect();
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.stop()));
  await producer?.disconnect();
});

describe('BlacklistClient', () => {
  it('is ready only with every entry written before start, tombstones applied', async () => {
    for (let i = 0; i < 50; i++) await write(`p1:0042190500${String(i).padStart(4, '0')}`, entry(`0042190500${String(i).padStart(4, '0')}`));
    await write('p1:00421905000007', null);
    await write('p1:00421905000009', entry('00421905000009', 'CONSENT_TRACKED'), true); // ends the log on a commit marker
    const metrics = new Registry();
    const client = await started(metrics);
    await client.ready(30_000);
    expect(client.size).toBe(49);
    expect(client.isBlacklisted('p1', '00421905000007')).toBe(false);
    expect(client.get('p1', '00421905000009')?.status).toBe('CONSENT_TRACKED');
    expect(client.get('p1', '00421905000001')).toEqual({ ...entry('00421905000001'), source: 'keyword', actor: null, reason: null });
    expect(client.isBlacklisted('p2', '00421905000001')).toBe(false);
    expect(client.lag()).toBe(0);
    const text = await metrics.metrics();
    expect(text).toMatch(/optline_blacklist_client_lag_records\{topic="[^"]+"\} 0/);
    expect(text).toMatch(/optline_blacklist_client_entries\{topic="[^"]+"\} 49/);
  });

  it('sees a write made after start once sync() resolves (read-your-writes)', async () => {
    const client = await started();
    await client.ready();
    await write('p1:00421911111111', entry('00421911111111'));
    await client.sync();
    expect(client.isBlacklisted('p1', '00421911111111')).toBe(true);
    await write('p1:00421911111111', null, true);
    await client.sync();
    expect(client.isBlacklisted('p1', '00421911111111')).toBe(false);
  });

  it('pages a project in phone order with a status filter, and exports it whole', async () => {
    const client = await started();
    await client.ready();
    const phones = (page: BlacklistRecord[]) => page.map((e) => e.phone);
    const first = client.list('p1', { limit: 20 });
    expect(first).toHaveLength(20);
    expect(phones(first)).toEqual([...phones(first)].sort());
    expect(first[0]!.phone).toBe('00421905000000');
    const second = client.list('p1', { limit: 20, after: first[19]!.phone });
    expect(second[0]!.phone > first[19]!.phone).toBe(true);
    const all: string[] = [];
    for (let after: string | undefined; ; ) {
      const page = client.list('p1', { limit: 7, ...(after ? { after } : {}) });
      all.push(...phones(page));
      if (page.length < 7) break;
      after = page[6]!.phone;
    }
    expect(all).toEqual([...client.export('p1')].map((e) => e.phone).sort());
    expect(all).toHaveLength(client.projectSize('p1'));
    expect(phones(client.list('p1', { limit: 100, status: 'CONSENT_TRACKED' }))).toEqual(['00421905000009']);
    expect([...client.export('p1', 'CONSENT_TRACKED')].map((e) => e.phone)).toEqual(['00421905000009']);
    expect(client.list('nope', { limit: 5 })).toEqual([]);
  });

  it('answers a look-up in microseconds', async () => {
    const client = await started();
    await client.ready();
    const n = 100_000;
    const t0 = process.hrtime.bigint();
    let hits = 0;
    for (let i = 0; i < n; i++) if (client.isBlacklisted('p1', `0042190500${String(i % 100).padStart(4, '0')}`)) hits++;
    const perLookupUs = Number(process.hrtime.bigint() - t0) / 1000 / n;
    expect(hits).toBeGreaterThan(0);
    expect(perLookupUs).toBeLessThan(5);
  });
});
