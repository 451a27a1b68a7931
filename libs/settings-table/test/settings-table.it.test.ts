import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AvroSerde, createKafka, provision, topics } from '@optline/kafka';
import type { OptlineConfig } from '@optline/runtime';
import { schema } from '@optline/schemas';
import { testConfig, uniqueName } from '@optline/test';
import { SettingsTable, SettingsWriter } from '../src/index.ts';

let config: OptlineConfig;
const tables: SettingsTable[] = [];
const writers: SettingsWriter[] = [];

/** A table, as each API instance has one, with the settings writer candidate it runs. */
async function started(on: OptlineConfig = config): Promise<SettingsTable> {
  const table = new SettingsTable({ config: on });
  tables.push(table);
  await table.start();
  await table.ready(30_000);
  const writer = new SettingsWriter({ config: on, table });
  writers.push(writer);
  await writer.start();
  return table;
}

const doc = (dedicatedNumbers: string[], keywords = ['STOP']) => ({
  trackIncoming: true, optOutEnabled: true, keywords, consentCategories: ['sms'], dedicatedNumbers,
});

beforeAll(async () => {
  config = testConfig({ topicNamespace: uniqueName('it-settings') });
  await provision(config);
});

afterAll(async () => {
  await Promise.all(writers.map((w) => w.stop()));
  await Promise.all(tables.map((t) => t.stop()));
});

describe('SettingsTable', () => {
  it('stores valid settings with increasing versions and reads its own writes at once', async () => {
    const table = await started();
    const first = await table.put('shop', doc(['+421 905 123 456'], ['STOP', 'stop', 'arret']), { now: 1_700_000_000_000 });
    expect(first).toMatchObject({ ok: true, settings: { version: 1, keywords: ['STOP', 'arret'], dedicatedNumbers: ['00421905123456'], updatedAt: 1_700_000_000_000 } });
    expect(table.get('shop')).toEqual(first.ok && first.settings);
    expect(table.ownerOfNumber('00421905123456')).toBe('shop');

    const second = await table.put('shop', doc(['12345']));
    expect(second.ok && second.settings.version).toBe(2);
    expect(table.get('shop')?.dedicatedNumbers).toEqual(['12345']);
    expect(table.ownerOfNumber('00421905123456')).toBeUndefined();

    const bad = await table.put('shop', { ...doc([]), keywords: ['x'.repeat(21)] });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.errors.map((e) => e.field).sort()).toEqual(['dedicatedNumbers', 'keywords[0]']);
    expect(table.get('shop')?.version).toBe(2);
  });

  it('is ready with what was stored before it started, and refuses a number another project owns', async () => {
    const other = await started();
    expect(other.get('shop')?.version).toBe(2);
    const conflict = await other.put('bakery', doc(['12345', '23456']));
    expect(conflict).toMatchObject({ ok: false, conflicts: [{ field: 'dedicatedNumbers[0]', number: '12345', project: 'shop' }] });
  });

  it('serialises concurrent writes of two instances, so two projects cannot both take a free number', async () => {
    const table = await started();
    const [a, b] = await Promise.all([table.put('alpha', doc(['77777'])), tables[0]!.put('beta', doc(['77777']))]);
    expect([a.ok, b.ok].sort()).toEqual([false, true]);
    const winner = a.ok ? 'alpha' : 'beta';
    expect(a.ok ? b : a).toMatchObject({ ok: false, conflicts: [{ number: '77777', project: winner }] });
    await Promise.all([table.sync(), tables[0]!.sync()]);
    expect([table.ownerOfNumber('77777'), tables[0]!.ownerOfNumber('77777')]).toEqual([winner, winner]);
  });

  it('stores over the version If-Match names only: 0 creates, a stale one is refused naming the stored version', async () => {
    const table = tables[0]!;
    const created = await table.put('cafe', doc(['88888']), { ifMatch: 0 });
    expect(created.ok && created.settings.version).toBe(1);
    const again = await table.put('cafe', doc(['88888']), { ifMatch: 0 });
    expect(again).toMatchObject({ ok: false, stale: { ifMatch: 0, stored: 1 }, errors: [{ field: 'If-Match', rule: 'version_mismatch' }] });
    const second = await table.put('cafe', doc(['88888', '88889']), { ifMatch: 1 });
    expect(second.ok && second.settings.version).toBe(2);
    const stale = await table.put('cafe', { ...doc(['88888']), keywords: [] }, { ifMatch: 1 });
    // The precondition is checked before the document: the author must re-read first.
    expect(stale).toMatchObject({ ok: false, stale: { ifMatch: 1, stored: 2 } });
    expect(table.get('cafe')?.dedicatedNumbers).toEqual(['88888', '88889']);
  });

  it('reads settings stored before helpKeywords, replies and possibleOptOuts existed with their defaults, and round-trips them', async () => {
    const legacy = testConfig({ topicNamespace: uniqueName('it-settings-legacy') });
    const named = topics(legacy.topicNamespace);
    const serde = new AvroSerde(legacy.schemaRegistryUrl, named);
    // The schema as it was, registered first: provision then registers today's under BACKWARD,
    // which the registry refuses unless today's can read what the old one wrote.
    const added = new Set(['helpKeywords', 'replies', 'possibleOptOuts']);
    const old = { ...schema('SmsSettings'), fields: schema('SmsSettings').fields.filter((f) => !added.has(f.name)) };
    const oldId = await serde.register(`${named.settings.name}-value`, old);
    await provision(legacy);
    const record = { project: 'legacy', version: 4, trackIncoming: true, optOutEnabled: true, keywords: ['STOP'], optInKeywords: [], consentCategories: ['sms'], dedicatedNumbers: ['12345'], updatedAt: 1_700_000_000_000 };
    const producer = createKafka(legacy).producer({ idempotent: true });
    await producer.connect();
    await producer.send({ topic: named.settings.name, acks: -1, messages: [{ key: 'legacy', value: await serde.registry.encode(oldId, record) }] });
    await producer.disconnect();

    const table = await started(legacy);
    expect(table.get('legacy')).toEqual({ ...record, helpKeywords: [], replies: [], possibleOptOuts: 'flag' });

    const replies = [{ kind: 'optOut', text: 'Bye' }, { kind: 'optOut', text: 'Au revoir', keywords: ['ARRET'] }, { kind: 'help', text: 'Reply STOP' }];
    const put = await table.put('legacy', { ...doc(['12345'], ['STOP', 'arrêt']), helpKeywords: ['help'], replies, possibleOptOuts: 'off' });
    expect(put.ok && put.settings).toMatchObject({ version: 5, helpKeywords: ['help'], possibleOptOuts: 'off' });
    const fresh = await started(legacy);
    expect(fresh.get('legacy')).toEqual(put.ok && put.settings);
    expect(fresh.get('legacy')?.replies).toEqual([
      { kind: 'optOut', text: 'Bye', keywords: [] }, { kind: 'optOut', text: 'Au revoir', keywords: ['arrêt'] }, { kind: 'help', text: 'Reply STOP', keywords: [] },
    ]);
  });
});
