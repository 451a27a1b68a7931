// kill -9 of the API instance that is the settings writer while PUTs are in flight through the
// other: the survivor takes the command partition over (fencing the dead one's transactional
// id), and every PUT is either answered 200 with a version of its own or 503 and never applied.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SmsSettings } from '@optline/core';
import { AvroSerde, Codec, createKafka, provision, topics as topicsOf, type Topics } from '@optline/kafka';
import { collect, testConfig, uniqueName } from '@optline/test';
import { ServiceProcess } from '@optline/test/processes';

const TOKEN = 'it-settings-crash';
const PROJECT = 'crash';
const namespace = uniqueName('it-settings-crash');
const config = testConfig({ topicNamespace: namespace });
let topics: Topics;
const apis: ServiceProcess[] = [];

beforeAll(async () => {
  ({ topics } = await provision(config));
  const env = {
    OPTLINE_KAFKA_BROKERS: config.kafkaBrokers.join(','), OPTLINE_SCHEMA_REGISTRY_URL: config.schemaRegistryUrl,
    OPTLINE_TOPIC_NAMESPACE: namespace, OPTLINE_API_PORT: '0', OPTLINE_API_TOKEN: TOKEN, OPTLINE_LOG_LEVEL: 'info',
  };
  for (let i = 0; i < 2; i++) apis.push(new ServiceProcess('api', env));
  await Promise.all(apis.map((api) => api.start()));
});

afterAll(async () => {
  await Promise.all(apis.map((api) => api.stop()));
});

const doc = (marker: string) => ({ trackIncoming: true, optOutEnabled: true, keywords: ['STOP', marker], consentCategories: ['sms'], dedicatedNumbers: ['56789'] });

async function put(api: ServiceProcess, marker: string): Promise<{ status: number; version?: number }> {
  const res = await fetch(`${api.url}/v1/projects/${PROJECT}/sms-settings`, {
    method: 'PUT', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(doc(marker)),
  });
  const body = (await res.json()) as { version?: number };
  return { status: res.status, ...(body.version === undefined ? {} : { version: body.version }) };
}

/** Commands this instance decided as the settings writer, from its /metrics. */
async function decided(api: ServiceProcess): Promise<number> {
  const text = await (await fetch(`${api.url}/metrics`)).text();
  return text.split('\n').filter((l) => l.startsWith('optline_settings_commands_total')).reduce((n, l) => n + Number(l.split(' ').pop()), 0);
}

describe('settings writer crash', () => {
  it('kill -9 of the writer with PUTs in flight: each PUT is 200 with its own version, or 503 and not applied; no gap', async () => {
    for (let i = 0; i < 4; i++) expect((await put(apis[i % 2]!, `warm${i}`)).status).toBe(200);
    const before = await Promise.all(apis.map(decided));
    expect((await put(apis[0]!, 'probe')).status).toBe(200);
    const after = await Promise.all(apis.map(decided));
    const owner = after[0]! > before[0]! ? apis[0]! : apis[1]!;
    const survivor = owner === apis[0] ? apis[1]! : apis[0]!;

    let crashedAt = Infinity;
    const burst = Array.from({ length: 50 }, (_, i) => put(survivor, `burst${i}`).then((a) => ({ ...a, at: performance.now() })));
    await new Promise((resolve) => setTimeout(resolve, 20));
    await owner.crash();
    crashedAt = performance.now();
    const answers = await Promise.all(burst);
    // The crash hit PUTs in flight: some were answered only after the survivor took over.
    expect(answers.filter((a) => a.at > crashedAt).length).toBeGreaterThan(0);
    const later = await put(survivor, 'later');
    expect(later.status).toBe(200);

    expect(answers.filter((a) => a.status !== 200 && a.status !== 503)).toEqual([]);
    const ok = answers.map((a, i) => ({ ...a, marker: `burst${i}` })).filter((a) => a.status === 200);
    expect(new Set(ok.map((a) => a.version)).size).toBe(ok.length);

    const codec = new Codec(new AvroSerde(config.schemaRegistryUrl, topicsOf(namespace)));
    const records = await collect(createKafka(config), topics.settings.name, (r) => r.filter((m) => m.key === PROJECT).length >= later.version!, 30_000);
    const stored = await Promise.all(records.filter((r) => r.key === PROJECT).map((r) => codec.decode<SmsSettings>('SmsSettings', r.value)));
    expect(stored.map((s) => s.version)).toEqual(Array.from({ length: later.version! }, (_, i) => i + 1));
    for (const a of ok) expect(stored[a.version! - 1]!.keywords).toEqual(['STOP', a.marker]);
    const applied = new Set(stored.map((s) => s.keywords[1]));
    for (const [i, a] of answers.entries()) if (a.status === 503) expect(applied.has(`burst${i}`), `burst${i} answered 503`).toBe(false);
  });
});
