// Integration-test helpers for the matcher: a namespace of its own, producers of its inputs
// (settings included: encoded SmsSettings, as the API service would store them), and readers
// of its outputs that always end within a bound.
import { randomInt } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Partitioners, type Admin, type Kafka, type Producer } from 'kafkajs';
import { AvroSerde, createKafka, provision, readDeadLetterReason, type Topics } from '@optline/kafka';
import { createLogger, createMetricsRegistry, type OptlineConfig } from '@optline/runtime';
import { avroType } from '@optline/schemas';
import { CliProcess, collect, testConfig, uniqueName, type Collected } from '@optline/test';
import type { PhoneState, SmsSettings } from '@optline/core';
import { RocksDbStore } from '@optline/state-store';
import { Matcher, type MatcherOptions } from '../src/index.ts';

/** An SmsSettings record as stored on the settings topic. */
export type SmsSettingsRecord = SmsSettings & { updatedAt: number };

export interface MatcherEnv {
  config: OptlineConfig;
  topics: Topics;
  kafka: Kafka;
  admin: Admin;
  producer: Producer;
  serde: AvroSerde;
  dirs: string[];
  matchers: Matcher[];
}

export async function matcherEnv(prefix: string, partitions = 3): Promise<MatcherEnv> {
  const config = testConfig({ topicNamespace: uniqueName(prefix), partitions });
  const { topics } = await provision(config);
  const kafka = createKafka(config);
  const admin = kafka.admin();
  const producer = kafka.producer({ idempotent: true });
  await Promise.all([admin.connect(), producer.connect()]);
  return { config, topics, kafka, admin, producer, serde: new AvroSerde(config.schemaRegistryUrl, topics), dirs: [], matchers: [] };
}

export async function stateDir(env: MatcherEnv): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'matcher-it-'));
  env.dirs.push(dir);
  return dir;
}

/** A matcher of the env's namespace with its own state folder, started and with its tasks open. */
export async function startMatcher(env: MatcherEnv, dir: string, options: Partial<Pick<MatcherOptions, 'commitIntervalMs' | 'maxRecordsPerTransaction' | 'maxBytesPerPartition'>> = {}): Promise<Matcher> {
  const logger = createLogger('matcher-it', process.env.OPTLINE_TEST_LOG_LEVEL ?? 'error');
  const matcher = new Matcher({ config: { ...env.config, stateDir: dir }, logger, registry: createMetricsRegistry('matcher'), concurrency: 2, ...options });
  env.matchers.push(matcher);
  await matcher.start();
  await matcher.ready();
  return matcher;
}

export async function stopMatcher(env: MatcherEnv, matcher: Matcher): Promise<void> {
  env.matchers = env.matchers.filter((m) => m !== matcher);
  await matcher.stop();
}

export async function closeEnv(env: MatcherEnv | undefined): Promise<void> {
  if (!env) return;
  for (const m of env.matchers) await m.stop().catch(() => undefined);
  await env.producer.disconnect();
  await env.admin.disconnect();
  for (const dir of env.dirs) await rm(dir, { recursive: true, force: true });
}

/** A valid Slovak mobile number in canonical form, random enough not to repeat within a run. */
export function phone(): string {
  return `00421905${String(randomInt(0, 1_000_000)).padStart(6, '0')}`;
}

export function shortCode(): string {
  return String(randomInt(100_000, 1_000_000));
}

export function settingsRecord(project: string, overrides: Partial<SmsSettingsRecord> = {}): SmsSettingsRecord {
  return {
    project, version: 1, trackIncoming: true, optOutEnabled: true, keywords: ['stop', 'arret'], optInKeywords: ['start'],
    helpKeywords: [], replies: [], possibleOptOuts: 'flag', consentCategories: ['sms_marketing'], dedicatedNumbers: [shortCode()],
    updatedAt: Date.now(), ...overrides,
  };
}

export async function putSettings(env: MatcherEnv, record: SmsSettingsRecord): Promise<void> {
  const topic = env.topics.settings.name;
  await env.producer.send({ topic, acks: -1, messages: [{ key: record.project, value: await env.serde.encode(topic, record) }] });
}

/** Writes a reply as ingress would; resolves to its offset. */
export async function sendInbound(env: MatcherEnv, sms: { id: string; from: string; to: string; body: string; received_at?: number }): Promise<number> {
  const topic = env.topics.inbound.name;
  const now = Date.now();
  const value = await env.serde.encode(topic, {
    type: 'mo_text', received_at: now, sent_at: null, operator_id: null, client_reference: null, udh: null, ingested_at: now, source: 'it', ...sms,
  });
  const [sent] = await env.producer.send({ topic, acks: -1, messages: [{ key: sms.from, value }] });
  return Number(sent!.baseOffset);
}

export async function sendCustomer(env: MatcherEnv, profile: { project: string; customer_id: string; phone: string | null; updated_at: number; deleted?: boolean }): Promise<void> {
  const topic = env.topics.customers.name;
  await env.producer.send({ topic, acks: -1, messages: [{ key: profile.customer_id, value: await env.serde.encode(topic, { deleted: false, ...profile }) }] });
}

export async function sendSent(env: MatcherEnv, sent: { project: string; customer_id: string; phone: string; sent_at: number }): Promise<void> {
  const topic = env.topics.sent.name;
  const value = await env.serde.encode(topic, { sender: 'optline', message_id: uniqueName('sms'), ...sent });
  await env.producer.send({ topic, acks: -1, messages: [{ key: sent.phone, value }] });
}

/** As the materializer tells the matcher: keyed by the canonical phone. */
export async function sendConsentTracked(env: MatcherEnv, tracked: { project: string; phone: string; message_id: string; tracked_at: number }): Promise<void> {
  const topic = env.topics.consentTracked.name;
  await env.producer.send({ topic, acks: -1, messages: [{ key: tracked.phone, value: await env.serde.encode(topic, tracked) }] });
}

export async function sendConsentAccept(env: MatcherEnv, accept: { project: string; customer_id: string; phone: string; timestamp: number }): Promise<void> {
  const topic = env.topics.consent.name;
  const value = await env.serde.encode(topic, {
    event_id: uniqueName('accept'), project: accept.project, customer_id: accept.customer_id, timestamp: accept.timestamp, imported_timestamp: accept.timestamp,
    action: 'accept', source: 'crm', category: 'sms_marketing', identification: accept.phone, identification_type: 'phone', message: null,
  });
  await env.producer.send({ topic, acks: -1, messages: [{ key: accept.customer_id, value }] });
}

export interface FactSeen {
  type: 'OptOutFact' | 'IncomingMessageFact' | 'OptInFact';
  key: string;
  fields: Record<string, unknown>;
}

const factType = avroType('MatcherFact');
const stateType = avroType('PhoneState');
const entryType = avroType('BlacklistEntry');

function decodeFact(r: Collected): FactSeen {
  const record = factType.fromBuffer(r.value!.subarray(5)) as { fact: Record<string, Record<string, unknown>> };
  const [branch, fields] = Object.entries(record.fact)[0]!;
  return { type: branch.replace('dev.optline.', '') as FactSeen['type'], key: r.key!, fields: { ...fields } };
}

/** Facts read from the start until `done`; at most `timeoutMs`. */
export async function readFacts(env: MatcherEnv, done: (facts: FactSeen[]) => boolean, timeoutMs = 30_000): Promise<FactSeen[]> {
  const records = await collect(env.kafka, env.topics.facts.name, (rs) => done(rs.map(decodeFact)), timeoutMs);
  return records.map(decodeFact);
}

export function factsOf(facts: FactSeen[], messageId: string): FactSeen[] {
  return facts.filter((f) => f.fields.message_id === messageId);
}

export interface BlacklistSeen {
  key: string;
  entry: Record<string, unknown> | null;
}

export async function readBlacklist(env: MatcherEnv, done: (entries: BlacklistSeen[]) => boolean, timeoutMs = 30_000): Promise<BlacklistSeen[]> {
  const decode = (r: Collected): BlacklistSeen => ({ key: r.key!, entry: r.value === null ? null : { ...(entryType.fromBuffer(r.value.subarray(5)) as object) } });
  return (await collect(env.kafka, env.topics.blacklist.name, (rs) => done(rs.map(decode)), timeoutMs)).map(decode);
}

/** The last blacklist record of a key among those read. */
export function lastEntry(entries: BlacklistSeen[], key: string): BlacklistSeen | undefined {
  return entries.filter((e) => e.key === key).at(-1);
}

export async function readDeadLetters(env: MatcherEnv, done: (records: Collected[]) => boolean, timeoutMs = 30_000) {
  const records = await collect(env.kafka, env.topics.deadLetter.name, done, timeoutMs);
  return records.map((r) => ({ ...r, reason: readDeadLetterReason(r.headers) }));
}

/** Waits until the committed state of `<project>:<phone>` (on the store's changelog) satisfies `ok`. */
export async function waitForState(env: MatcherEnv, key: string, ok: (state: PhoneState | null) => boolean, timeoutMs = 30_000): Promise<PhoneState | null> {
  const decode = (r: Collected) => (r.value === null ? null : (stateType.fromBuffer(r.value.subarray(5)) as PhoneState));
  const records = await collect(env.kafka, env.topics.phoneStateChangelog.name, (rs) => {
    const last = rs.filter((r) => r.key === key).at(-1);
    return last !== undefined && ok(decode(last));
  }, timeoutMs);
  return decode(records.filter((r) => r.key === key).at(-1)!);
}

/** The partition a keyed record lands in with the default (Java-compatible murmur2) partitioner. */
export function partitionOf(key: string, partitions: number): number {
  const metadata = Array.from({ length: partitions }, (_, partitionId) => ({ partitionId, leader: 0 }));
  return Partitioners.DefaultPartitioner()({ topic: 'any', partitionMetadata: metadata as never, message: { key, value: null } });
}

/** Phones spread so that each of `partitions` partitions gets `perPartition` of them. */
export function phonesCovering(partitions: number, perPartition: number): string[] {
  const byPartition = Array.from({ length: partitions }, () => [] as string[]);
  while (byPartition.some((l) => l.length < perPartition)) {
    const p = phone();
    const list = byPartition[partitionOf(p, partitions)]!;
    if (list.length < perPartition && !list.includes(p)) list.push(p);
  }
  return byPartition.flat();
}

/** Every entry of a stopped matcher's stores under `dir` (`<store>/<partition>`), decoded. */
export async function dumpStores(dir: string): Promise<Record<string, Record<string, unknown>>> {
  const types: Record<string, ReturnType<typeof avroType>> = { 'phone-state': stateType, 'customer-phone': avroType('CustomerPhone') };
  const out: Record<string, Record<string, unknown>> = {};
  for (const [name, type] of Object.entries(types)) {
    const entries: Record<string, unknown> = (out[name] = {});
    for (const partition of await readdir(join(dir, name)).catch(() => [] as string[])) {
      const store = await RocksDbStore.open(join(dir, name, partition));
      try {
        for await (const [key, value] of store.range()) entries[`${partition}/${key}`] = JSON.parse(JSON.stringify(type.fromBuffer(value.subarray(5))));
      } finally {
        await store.close();
      }
    }
  }
  return out;
}

/** `optline run matcher` as a child process, so a test can kill -9 it. */
export class MatcherProcess extends CliProcess {
  constructor(env: MatcherEnv, dir: string) {
    const { config } = env;
    super('matcher', {
      OPTLINE_KAFKA_BROKERS: config.kafkaBrokers.join(','), OPTLINE_SCHEMA_REGISTRY_URL: config.schemaRegistryUrl,
      OPTLINE_TOPIC_NAMESPACE: config.topicNamespace, OPTLINE_PARTITIONS: String(config.partitions), OPTLINE_STATE_DIR: dir, OPTLINE_LOG_LEVEL: process.env.OPTLINE_TEST_MATCHER_LOG_LEVEL ?? 'info',
      OPTLINE_MATCHER_SESSION_TIMEOUT: '6s',
    });
    const dump = process.env.OPTLINE_TEST_MATCHER_LOGS;
    if (dump) void this.exited.then(() => appendFileSync(dump, `=== ${this.pid}\n${this.output}`));
  }
}
