// bench matcher: sustained replies/s through the matcher (decode, route, RocksDB state, core
// decision, blacklist + facts + changelog + offsets in one transaction per task) draining a
// backlog on the local broker, against a raw kafkajs consume -> produce passthrough of the same
// records in the same run (alternating, median of the runs), and a second baseline: the same
// passthrough, transactional, writing as many records per reply as the matcher did. Then the
// RocksDB size and the restore time of a store of many profiles from its changelog.
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kafka, Message } from 'kafkajs';
import { AvroSerde, createKafka, provision, topicConfig, type Topics } from '@optline/kafka';
import { createLogger, createMetricsRegistry, loadConfig, type OptlineConfig } from '@optline/runtime';
import { loadMatcherSettings, Matcher } from '@optline/matcher';
import { ChangelogReader, RocksDbStore } from '@optline/state-store';
import { createTopicsRetrying, deleteNamespace, formatTable, median } from './harness.ts';
import { sendAll, sustainedRate as sustainedRateOf, writeBacklog } from './matcher-backlog.ts';

// 200k: a smaller backlog drains in about one transaction per partition, too coarse to time.
const MESSAGES = Number(process.env.OPTLINE_BENCH_MATCHER_MESSAGES ?? 200_000);
const PHONES = Math.max(1, Math.floor(MESSAGES / 8));
const RUNS = Number(process.env.OPTLINE_BENCH_MATCHER_RUNS ?? 3);
const PROFILES = Number(process.env.OPTLINE_BENCH_MATCHER_PROFILES ?? 1_000_000);
const TIMEOUT_MS = 120_000;
const TARGET = 0.7;

const log = (line: string) => process.stderr.write(`matcher: ${line}\n`);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

const sustainedRate = (processed: () => Promise<number> | number, total: number) =>
  sustainedRateOf(processed, total, { timeoutMs: TIMEOUT_MS, label: 'bench matcher' });

/** One namespace with the settings and a backlog of replies on its inbound topic. */
const backlog = (base: OptlineConfig, run: number) => writeBacklog(base, { prefix: 'bench-matcher', messages: MESSAGES, phones: PHONES, run });

/**
 * The baseline: each fetched batch produced as is to another topic. `transactional`: with one
 * transactional producer per input partition and the offsets in the transaction, as the matcher
 * commits (shown to separate the cost of exactly-once from the cost of the matcher's work).
 * `outputsPerInput` (transactional only): each record is produced that many times on average
 * (the matcher writes facts, blacklist entries and changelog records, not one record per reply).
 */
async function passthrough(kafka: Kafka, topics: Topics, config: OptlineConfig, transactional: boolean, outputsPerInput = 1): Promise<number> {
  const name = `${config.topicNamespace}.passthrough${transactional ? '-tx' : ''}${outputsPerInput === 1 ? '' : '-n'}`;
  const admin = kafka.admin();
  await admin.connect();
  await createTopicsRetrying(admin, [topicConfig({ name, valueSchema: null, compacted: false, doc: '' }, config)]);
  await admin.disconnect();
  const producers = transactional
    ? Array.from({ length: config.partitions }, (_, p) => kafka.producer({ transactionalId: `${name}.${p}`, idempotent: true, maxInFlightRequests: 1 }))
    : [kafka.producer({ idempotent: true })];
  const consumer = kafka.consumer({ groupId: name, readUncommitted: false, maxBytesPerPartition: 1024 * 1024 });
  await Promise.all([...producers.map((p) => p.connect()), consumer.connect()]);
  let done = 0;
  let written = 0;
  await consumer.subscribe({ topic: topics.inbound.name, fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: 4,
    autoCommit: !transactional,
    eachBatch: async ({ batch }) => {
      const messages: Message[] = [];
      for (const m of batch.messages) {
        // Copies of record i: floor((i + 1) * k) - floor(i * k), so n records give n * k in all.
        const i = written++;
        const copies = Math.floor((i + 1) * outputsPerInput) - Math.floor(i * outputsPerInput);
        for (let c = 0; c < copies; c++) messages.push({ key: m.key, value: m.value });
      }
      if (!transactional) {
        await producers[0]!.send({ topic: name, acks: -1, messages });
      } else {
        const tx = await producers[batch.partition]!.transaction();
        if (outputsPerInput === 1) {
          await tx.send({ topic: name, acks: -1, messages });
        } else {
          // In requests of at most 128 KiB, as the matcher sends (a fetched 1 MiB batch written
          // 1.3 times over would exceed the broker's message.max.bytes).
          for (let from = 0, bytes = 0, i = 0; i <= messages.length; i++) {
            if (i === messages.length || (bytes > 0 && bytes + messageBytes(messages[i]!) > 128 * 1024)) {
              if (i > from) await tx.send({ topic: name, acks: -1, messages: messages.slice(from, i) });
              from = i;
              bytes = 0;
            }
            if (i < messages.length) bytes += messageBytes(messages[i]!);
          }
        }
        await tx.sendOffsets({ consumerGroupId: name, topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: String(Number(batch.lastOffset()) + 1) }] }] });
        await tx.commit();
      }
      done += batch.messages.length;
    },
  });
  try {
    return await sustainedRate(() => done, MESSAGES);
  } finally {
    await consumer.disconnect();
    await Promise.all(producers.map((p) => p.disconnect()));
  }
}

function messageBytes(m: Message): number {
  return 32 + (m.key?.length ?? 0) + ((m.value as Buffer | null)?.length ?? 0);
}

/** The matcher's sustained rate, and the records it wrote per input record. */
async function throughMatcher(config: OptlineConfig): Promise<{ rate: number; outputsPerInput: number }> {
  const stateDir = await mkdtemp(join(tmpdir(), 'bench-matcher-'));
  const matcher = new Matcher({ config: { ...config, stateDir }, logger: createLogger('bench-matcher', 'error'), registry: createMetricsRegistry('matcher'), ...loadMatcherSettings(), ...(process.env.OPTLINE_BENCH_MATCHER_CONCURRENCY ? { concurrency: Number(process.env.OPTLINE_BENCH_MATCHER_CONCURRENCY) } : {}) });
  await matcher.start();
  try {
    const processed = async () => (await matcher.metrics.records.get()).values.reduce((n, v) => n + v.value, 0);
    const rate = await sustainedRate(processed, MESSAGES);
    const outputs = (await matcher.metrics.outputRecords.get()).values.reduce((n, v) => n + v.value, 0);
    return { rate, outputsPerInput: outputs / (await processed()) };
  } finally {
    await matcher.stop();
    await rm(stateDir, { recursive: true, force: true });
  }
}

async function du(dir: string): Promise<number> {
  let bytes = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    bytes += entry.isDirectory() ? await du(path) : (await stat(path)).size;
  }
  return bytes;
}

/** One store's changelog partition holding PROFILES profiles (2 per phone), restored into an empty RocksDB. */
async function restore(base: OptlineConfig): Promise<string[][]> {
  const config = { ...base, topicNamespace: `bench-matcher-restore-${randomUUID().slice(0, 8)}`, partitions: 1 };
  const { topics } = await provision(config);
  const kafka = createKafka(config);
  const serde = new AvroSerde(config.schemaRegistryUrl, topics);
  const topic = topics.phoneStateChangelog.name;
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  const phones = Math.ceil(PROFILES / 2);
  const t0 = performance.now();
  for (let from = 0; from < phones; from += 20_000) {
    const messages: Message[] = [];
    for (let i = from; i < Math.min(phones, from + 20_000); i++) {
      const state = {
        profiles: [{ customer_id: `customer-${2 * i}`, last_sent_at: 1_700_000_000_000 + i, updated_at: 1_690_000_000_000 + i }, { customer_id: `customer-${2 * i + 1}`, last_sent_at: null, updated_at: 1_690_000_000_000 + i }],
        blacklist: null,
        processed: {},
      };
      messages.push({ key: `bench:00421${String(i).padStart(9, '0')}`, value: await serde.encode(topic, state), partition: 0 });
    }
    await sendAll(producer, topic, messages);
    log(`changelog: ${fmt(Math.min(phones, from + 20_000) * 2)} of ${fmt(PROFILES)} profiles written`);
  }
  await producer.disconnect();
  log(`changelog of ${fmt(phones)} phone states written in ${((performance.now() - t0) / 1000).toFixed(1)} s; restoring`);
  const dir = await mkdtemp(join(tmpdir(), 'bench-matcher-store-'));
  const reader = new ChangelogReader(kafka, [topic], `${config.topicNamespace}.restore`);
  const store = await RocksDbStore.open(dir);
  try {
    const result = await reader.restore(store, topic, 0);
    const live = await store.approximateSize();
    await store.close();
    const onDisk = await du(dir);
    log(`restored ${fmt(result.records)} records in ${result.ms} ms`);
    return [
      ['profiles (2 per phone)', fmt(PROFILES)],
      ['phone states restored', fmt(result.records)],
      ['restore time', `${(result.ms / 1000).toFixed(1)} s (${fmt((result.records / result.ms) * 1000)} states/s, ${fmt((PROFILES / result.ms) * 1000)} profiles/s)`],
      ['RocksDB size on disk (closed)', `${(onDisk / 1e6).toFixed(1)} MB (${(onDisk / PROFILES).toFixed(1)} B/profile)`],
      ['RocksDB estimate while open', `${(live / 1e6).toFixed(1)} MB`],
    ];
  } finally {
    await store.close();
    await reader.stop();
    await rm(dir, { recursive: true, force: true });
    await deleteNamespace(kafka, config.topicNamespace);
  }
}

export async function run(): Promise<void> {
  const base = loadConfig();
  const rates = { raw: [] as number[], tx: [] as number[], matcher: [] as number[], txSame: [] as number[] };
  const outputsPerInput: number[] = [];
  const label = { raw: 'raw passthrough', tx: 'transactional passthrough', matcher: 'matcher', txSame: 'transactional passthrough writing as many records as the matcher' };
  for (let run = 1; run <= RUNS; run++) {
    log(`run ${run}/${RUNS}: writing a backlog of ${fmt(MESSAGES)} replies from ${fmt(PHONES)} phones`);
    const { config, topics, kafka } = await backlog(base, run);
    try {
      // Rotate the order, so a drift of the machine's speed does not favour one side.
      const sides = (['raw', 'tx', 'matcher'] as const).map((_, i, all) => all[(i + run) % all.length]!);
      for (const side of sides) {
        let rate: number;
        if (side === 'matcher') {
          const m = await throughMatcher(config);
          rate = m.rate;
          outputsPerInput.push(m.outputsPerInput);
        } else {
          rate = await passthrough(kafka, topics, config, side === 'tx');
        }
        rates[side].push(rate);
        log(`run ${run}/${RUNS}: ${label[side]} ${fmt(rate)} replies/s`);
      }
      // A second, fairer baseline: the matcher's output records per reply of this run, transactional.
      const k = outputsPerInput[outputsPerInput.length - 1]!;
      const rate = await passthrough(kafka, topics, config, true, k);
      rates.txSame.push(rate);
      log(`run ${run}/${RUNS}: ${label.txSame} (${k.toFixed(2)} per reply) ${fmt(rate)} replies/s`);
    } finally {
      await deleteNamespace(kafka, config.topicNamespace);
    }
  }
  const r = median(rates.raw);
  const row = (name: string, rate: number) => [name, fmt(MESSAGES), fmt(rate), `${((rate / r) * 100).toFixed(0)} %`];
  const k = median(outputsPerInput);
  const same = median(rates.txSame);
  const rows = [
    ['raw kafkajs consume -> produce (baseline)', fmt(MESSAGES), fmt(r), ''],
    row('same, transactional (offsets in the tx)', median(rates.tx)),
    row(`same, transactional, ${k.toFixed(2)} records out per reply (as the matcher)`, same),
    row('matcher (EOS, RocksDB, core decision)', median(rates.matcher)),
  ];
  const ratio = median(rates.matcher) / r;
  process.stdout.write(`\nmatcher: sustained replies/s draining a backlog (${base.partitions} partitions, 5 % opt-outs, 5 % opt-ins, trackIncoming on), median of ${RUNS} runs\n\n`);
  process.stdout.write(`${formatTable(['case', 'replies', 'replies/s', 'vs baseline'], rows)}\n\n`);
  process.stdout.write(`target (>= ${TARGET * 100} % of the raw passthrough): ${ratio >= TARGET ? 'met' : 'NOT met'}\n`);
  process.stdout.write(`matcher vs the transactional passthrough writing as many records: ${((median(rates.matcher) / same) * 100).toFixed(0)} % (for information; the target is against the raw passthrough)\n`);
  if (PROFILES > 0) {
    const rows2 = await restore(base);
    process.stdout.write(`\nmatcher: phone-state store of ${fmt(PROFILES)} profiles restored from its changelog (one partition, one store)\n\n`);
    process.stdout.write(`${formatTable(['measure', 'value'], rows2)}\n\n`);
  }
}
