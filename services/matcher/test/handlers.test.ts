import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { validateSettings, type PhoneState, type SmsSettings } from '@optline/core';
import { readDeadLetterReason, sinks, topics, UndecodableError, type Codec, type OutputRecord } from '@optline/kafka';
import { PendingWrites, RocksDbStore, type ValueSerde } from '@optline/state-store';
import { matcherMetrics } from '../src/metrics.ts';
import { phoneHandlers } from '../src/phones.ts';
import { processChunk, type TaskGroup } from '../src/processing.ts';
import { consentHandlers, customerHandlers, type CustomerPhone } from '../src/repartition.ts';
import { matcherTopology, taskGroup } from '../src/topology.ts';

// Values travel as JSON here: the handlers' rules, not Avro, are under test.
const codec = {
  async decode(_record: string, bytes: Buffer | null) {
    try {
      return JSON.parse(bytes!.toString());
    } catch {
      throw new UndecodableError('not JSON');
    }
  },
  decodeKnown() {
    return undefined; // every decode takes the asynchronous path here
  },
  async encode(_topic: string, value: unknown) {
    return Buffer.from(JSON.stringify(value));
  },
} as unknown as Codec;
const json = <V>(): ValueSerde<V> => ({ encode: (v) => Buffer.from(JSON.stringify(v)), decode: (b) => JSON.parse(b.toString()) });
const t = topics('unit');
const declared = matcherTopology({ topicNamespace: 'unit' }).groups;
const encoders = new Map(Object.values(t).map((topic) => [topic.name, (v: unknown) => Buffer.from(JSON.stringify(v))]));
const FROM = '00421905123456';
const settings = (validateSettings('p1', {
  trackIncoming: true, optOutEnabled: true, keywords: ['stop'], optInKeywords: ['start'], consentCategories: ['sms'], dedicatedNumbers: ['12345'],
}) as { settings: SmsSettings }).settings;
const lookup = { ownerOfNumber: (n: string) => (n === '12345' ? 'p1' : undefined), get: (p: string) => (p === 'p1' ? settings : undefined) };

let dir: string;
let store: RocksDbStore;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'matcher-unit-'));
  store = await RocksDbStore.open(dir);
});
afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

let offset = 0;
const record = (topic: string, key: string | null, value: unknown) => ({
  topic, partition: 0, message: { key: key === null ? null : Buffer.from(key), value: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)), offset: String(offset++), timestamp: '0', attributes: 0, headers: {} },
});
const sms = (id: string, body: string, over: Record<string, unknown> = {}) => record(t.inbound.name, FROM, { id, from: FROM, to: '12345', body, received_at: Date.now(), ...over });

async function run<S>(group: TaskGroup<S>, records: ReturnType<typeof record>[], state?: PendingWrites<S>) {
  const outputs: OutputRecord[] = [];
  const push = (o: OutputRecord) => void outputs.push(o);
  const ctx = { partition: 0, state, now: Date.now(), out: sinks(group.outputs, encoders, push) };
  const dead = await processChunk(group, records as never, ctx, (m) => push({ ...m, topic: t.deadLetter.name } as OutputRecord));
  return { outputs, dead };
}

describe('phone-state handlers', () => {
  const metrics = matcherMetrics(new Registry());
  const phones = taskGroup('phones', declared.phones, phoneHandlers({ codec, settings: lookup, metrics })) as TaskGroup<PhoneState>;

  it('routes a STOP by its dedicated number: blacklist entry first, its history, then facts keyed <project>:<phone>; the store only after commit', async () => {
    const pending = new PendingWrites(store, json<PhoneState>());
    const { outputs, dead } = await run(phones, [sms('m1', 'STOP')], pending);
    expect(dead).toEqual([]);
    expect(outputs.map((o) => [o.topic, o.key])).toEqual([[t.blacklist.name, `p1:${FROM}`], [t.blacklistHistory.name, `p1:${FROM}`], [t.facts.name, `p1:${FROM}`], [t.facts.name, `p1:${FROM}`]]);
    expect(JSON.parse(outputs[0]!.value!.toString())).toMatchObject({ project: 'p1', phone: FROM, status: 'BLOCKED', keyword: 'stop', message_id: 'm1', source: 'keyword' });
    expect(JSON.parse(outputs[1]!.value!.toString())).toMatchObject({ kind: 'opted_out', status: 'BLOCKED', message_id: 'm1', body: 'STOP', keyword: 'stop', source: 'keyword' });
    expect(Object.keys(JSON.parse(outputs[2]!.value!.toString()).fact)).toEqual(['dev.optline.OptOutFact']);
    expect((await pending.get(`p1:${FROM}`))?.blacklist?.message_id).toBe('m1');
    expect(await store.get(`p1:${FROM}`)).toBeUndefined();
  });

  it('gives a message id one effect, also within one transaction', async () => {
    const { outputs } = await run(phones, [sms('m2', 'STOP'), sms('m2', 'STOP')], new PendingWrites(store, json<PhoneState>()));
    expect(outputs.filter((o) => o.topic === t.blacklist.name)).toHaveLength(1);
    expect((await metrics.duplicates.get()).values[0]!.value).toBe(1);
  });

  it('dead-letters bad replies with the rule and field, and keeps their bytes', async () => {
    const { outputs, dead } = await run(phones, [
      sms('a', 'STOP', { to: '99999' }),
      sms('b', 'STOP', { from: '12' }),
      record(t.inbound.name, '00421905999999', { id: 'c', from: FROM, to: '12345', body: 'x', received_at: 1 }),
      record(t.inbound.name, FROM, 'garbage'),
    ], new PendingWrites(store, json<PhoneState>()));
    expect(dead.map((d) => [d.rule, d.field])).toEqual([['unknown_dedicated_number', 'to'], ['invalid_phone', 'from'], ['key_not_sender_phone', 'key'], ['undecodable', 'value']]);
    const letters = outputs.filter((o) => o.topic === t.deadLetter.name);
    expect(letters.map((o) => readDeadLetterReason(o.headers).rule)).toEqual(dead.map((d) => d.rule));
    expect(readDeadLetterReason(letters[0]!.headers).source).toMatch(new RegExp(`^${t.inbound.name}/0@\\d+$`));
    expect(letters[3]!.value!.toString()).toBe('garbage');
  });
});

describe('repartitioning', () => {
  const metrics = matcherMetrics(new Registry());
  const customers = taskGroup('customers', declared.customers, customerHandlers({ codec, metrics })) as TaskGroup<CustomerPhone>;
  const consent = taskGroup('consent', declared.consent, consentHandlers({ codec, metrics })) as TaskGroup<never>;
  const profile = (phone: string | null, updated_at: number, deleted = false) => record(t.customers.name, 'c1', { project: 'p1', customer_id: 'c1', phone, updated_at, deleted });

  it('sends a profile to its phone, and to its previous phone when it changed; ignores an older record', async () => {
    const pending = new PendingWrites(store, json<CustomerPhone>());
    const { outputs } = await run(customers, [profile('+421 905 111 111', 10), profile('00421905222222', 20), profile('00421905111111', 15), profile(null, 30, true)], pending);
    expect(outputs.map((o) => o.key)).toEqual(['00421905111111', '00421905222222', '00421905111111', '00421905222222']);
    expect(JSON.parse(outputs[0]!.value!.toString()).phone).toBe('00421905111111');
    expect(await pending.get('p1:c1')).toBeUndefined();
    expect((await metrics.skipped.get()).values.find((v) => v.labels.reason === 'superseded_profile_update')?.value).toBe(1);
  });

  it('forwards consent accepts that name a phone, keyed by the canonical phone; skips the rest', async () => {
    const event = (action: string, identification: string, identification_type = 'phone') =>
      record(t.consent.name, 'c1', { project: 'p1', action, identification, identification_type, timestamp: 1 });
    const { outputs, dead } = await run(consent, [event('reject', FROM), event('accept', '+421905123456'), event('accept', 'a@b.c', 'email'), event('accept', 'nope')]);
    expect(outputs.filter((o) => o.topic === t.acceptsByPhone.name).map((o) => o.key)).toEqual([FROM]);
    expect(dead.map((d) => [d.rule, d.field])).toEqual([['invalid_phone', 'identification']]);
  });
});
