// bench blacklist: the sender-side blacklist client filled the real way (BlacklistEntry records
// produced to a blacklist topic of its own on the broker, tailed from the beginning), at each
// size of BENCH_BLACKLIST_SIZES (default 1,000,000; the figures are 1 M and 10 M).
// Per client: time until ready(), memory per entry (V8 heap and typed-array buffers, after a
// full GC, against the same measure taken just before it started), look-ups/s (median of
// runs), look-up p99 (each look-up timed on its own), get()/s, and the time to export every
// entry as CSV lines. The baseline is the old client (a Map of decoded records) in the same run,
// at sizes up to BENCH_BLACKLIST_LEGACY_MAX (default 2 M: at 10 M it needs ~3.5 GB of heap).
// BENCH_BLACKLIST_NAMESPACE=<prefix> keeps the produced topics (`<prefix>-<size>`) for a next
// run, which then reads them instead of producing again; without it they are deleted.
// Needs the local stack (npx optline stack up) or OPTLINE_KAFKA_BROKERS.

import { randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Kafka } from 'kafkajs';
import { BlacklistClient, type BlacklistRecord } from '@optline/blacklist-client';
import { AvroSerde, Codec, createKafka, fetchTopicOffsets, provision, topics } from '@optline/kafka';
import { loadConfig } from '@optline/runtime';
import { deleteNamespace, formatTable, median } from '../harness.ts';
import { LegacyBlacklistClient } from './legacy.ts';

const SIZES = (process.env.BENCH_BLACKLIST_SIZES ?? '1000000').split(',').map(Number);
const LEGACY_MAX = Number(process.env.BENCH_BLACKLIST_LEGACY_MAX ?? 2_000_000);
const KEEP = process.env.BENCH_BLACKLIST_NAMESPACE;
const LOOKUPS = 1_000_000;
const TIMED = 200_000;
const PROJECTS = ['shop', 'bakery', 'garage', 'florist'];
const SEND_BATCH = 5000;
const IN_FLIGHT = 4;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const phoneOf = (i: number) => `004219${String(i).padStart(8, '0')}`;
const log = (line: string) => process.stderr.write(`blacklist: ${line}\n`);

interface Client {
  start(): Promise<void>;
  ready(timeoutMs: number): Promise<void>;
  lag(): number;
  stop(): Promise<void>;
  readonly size: number;
  isBlacklisted(project: string, phone: string): boolean;
  get(project: string, phone: string): BlacklistRecord | undefined;
  export(project: string): Iterable<BlacklistRecord>;
}

interface Row {
  client: string;
  entries: number;
  readyS: number;
  /** CPU seconds of this process until ready: what the catch-up costs, whatever else runs on the machine. */
  readyCpuS: number;
  heapB: number;
  buffersB: number;
  lookupsPerS: number;
  p99Us: number;
  getsPerS: number;
  exportS: number;
}

async function produce(kafka: Kafka, serde: AvroSerde, topic: string, n: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  const present = (await fetchTopicOffsets(admin, topic)).reduce((sum, p) => sum + Number(p.high), 0);
  await admin.disconnect();
  if (present >= n) {
    log(`${topic} already holds ${present} records; not producing`);
    return;
  }
  log(`producing ${n} entries to ${topic}`);
  const encode = await serde.encoderFor(topic);
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  const at = Date.now();
  const t0 = performance.now();
  let next = 0;
  let done = 0;
  let shown = 0;
  const lane = async () => {
    while (next < n) {
      const start = next;
      next = Math.min(n, next + SEND_BATCH);
      const messages = [];
      for (let i = start; i < next; i++) {
        const project = PROJECTS[i % PROJECTS.length]!;
        const entry = { project, phone: phoneOf(i), status: i % 3 === 0 ? 'CONSENT_TRACKED' : 'BLOCKED', keyword: 'STOP', message_id: `01J${String(i).padStart(23, '0')}`, blocked_at: at, updated_at: at };
        messages.push({ key: `${project}:${entry.phone}`, value: encode(entry) });
      }
      await producer.send({ topic, acks: -1, messages });
      done += messages.length;
      if (done - shown >= n / 10 || done === n) {
        shown = done;
        log(`produced ${done}/${n} (${Math.round(done / ((performance.now() - t0) / 1000))} records/s)`);
      }
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
  await producer.disconnect();
}

function queries(n: number): { projects: string[]; phones: string[] } {
  const projects: string[] = [];
  const phones: string[] = [];
  let seed = 7;
  const next = () => (seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0) / 2 ** 32;
  // Half hits; the misses are an unlisted phone or a listed phone in another project.
  for (let q = 0; q < LOOKUPS; q++) {
    const i = Math.floor(next() * n);
    const r = next();
    phones.push(r < 0.75 ? phoneOf(i) : phoneOf(n + i));
    projects.push(PROJECTS[(i + (r < 0.5 ? 0 : 1)) % PROJECTS.length]!);
  }
  return { projects, phones };
}

function memory(): { heap: number; buffers: number } {
  gc();
  gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, buffers: m.arrayBuffers };
}

async function measure(name: string, client: Client, n: number, q: { projects: string[]; phones: string[] }, expectedHits: number): Promise<Row> {
  const before = memory();
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await client.start();
  const progress = setInterval(() => log(`${name}: ${client.size} entries read, ${client.lag()} behind`), 10_000);
  try {
    await client.ready(600_000);
  } finally {
    clearInterval(progress);
  }
  const readyS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const after = memory();
  if (client.size !== n) throw new Error(`${name} holds ${client.size} entries, ${n} expected`);
  log(`${name}: ready in ${readyS.toFixed(1)} s`);

  const { projects, phones } = q;
  const lookupRuns: number[] = [];
  for (let run = 0; run < 7; run++) {
    const s = performance.now();
    let hits = 0;
    for (let i = 0; i < LOOKUPS; i++) if (client.isBlacklisted(projects[i]!, phones[i]!)) hits++;
    lookupRuns.push(performance.now() - s);
    if (hits !== expectedHits) throw new Error(`${name}: ${hits} hits, ${expectedHits} expected`);
  }
  // Each look-up timed on its own (performance.now() costs ~50 ns, included).
  const single = new Float64Array(TIMED);
  for (let i = 0; i < TIMED; i++) {
    const s = performance.now();
    client.isBlacklisted(projects[i]!, phones[i]!);
    single[i] = performance.now() - s;
  }
  single.sort();
  const s = performance.now();
  let found = 0;
  for (let i = 0; i < TIMED; i++) if (client.get(projects[i]!, phones[i]!) !== undefined) found++;
  const getsPerS = TIMED / ((performance.now() - s) / 1000);
  const e = performance.now();
  let exported = 0;
  let bytes = 0;
  for (const project of PROJECTS) {
    for (const r of client.export(project)) {
      bytes += `${r.phone},${r.status},${r.source ?? 'keyword'},${r.keyword},${r.message_id},${new Date(r.blocked_at).toISOString()},${new Date(r.updated_at).toISOString()}\n`.length;
      exported++;
    }
  }
  const exportS = (performance.now() - e) / 1000;
  if (exported !== n || found === 0 || bytes === 0) throw new Error(`${name}: exported ${exported} of ${n}`);
  await client.stop();
  return {
    client: name, entries: n, readyS, readyCpuS: (cpu.user + cpu.system) / 1e6,
    heapB: (after.heap - before.heap) / n, buffersB: (after.buffers - before.buffers) / n,
    lookupsPerS: LOOKUPS / (median(lookupRuns) / 1000), p99Us: single[Math.floor(TIMED * 0.99)]! * 1000, getsPerS, exportS,
  };
}

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export async function run(): Promise<void> {
  const base = loadConfig();
  const rows: Row[] = [];
  for (const n of SIZES) {
    const namespace = KEEP ? `${KEEP}-${n}` : `bench-blacklist-${randomUUID().slice(0, 8)}`;
    const config = { ...base, topicNamespace: namespace };
    const named = topics(namespace);
    await provision(config);
    const kafka = createKafka(config);
    const serde = new AvroSerde(config.schemaRegistryUrl, named);
    const codec = new Codec(serde);
    try {
      await produce(kafka, serde, named.blacklist.name, n);
      const q = queries(n);
      let expectedHits = 0;
      for (let i = 0; i < LOOKUPS; i++) {
        const idx = Number(q.phones[i]!.slice(6));
        if (idx < n && PROJECTS[idx % PROJECTS.length] === q.projects[i]) expectedHits++;
      }
      rows.push(await measure('compact (BlacklistClient)', new BlacklistClient({ config, kafka, codec }), n, q, expectedHits));
      if (n <= LEGACY_MAX) rows.push(await measure('old Map client (baseline)', new LegacyBlacklistClient(kafka, codec, named.blacklist.name, namespace), n, q, expectedHits));
      else log(`old client skipped at ${n} entries (above BENCH_BLACKLIST_LEGACY_MAX=${LEGACY_MAX})`);
    } finally {
      if (!KEEP) await deleteNamespace(kafka, namespace);
    }
  }
  const headers = ['client', 'entries', 'ready s', 'ready CPU s', 'heap B/entry', 'buffers B/entry', 'look-ups/s', 'look-up p99 µs', 'get/s', 'export s'];
  const table = rows.map((r) => [
    r.client, integer.format(r.entries), r.readyS.toFixed(1), r.readyCpuS.toFixed(1), r.heapB.toFixed(1), r.buffersB.toFixed(1),
    integer.format(r.lookupsPerS), r.p99Us.toFixed(2), integer.format(r.getsPerS), r.exportS.toFixed(1),
  ]);
  process.stdout.write(`\nblacklist: sender-side client filled from the broker, ${PROJECTS.length} projects, 1/3 CONSENT_TRACKED; ${LOOKUPS} look-ups (50 % hits), median of 7 runs\n\n${formatTable(headers, table)}\n\n`);
  const big = rows.filter((r) => r.client.startsWith('compact') && r.entries >= 10_000_000);
  const verdict = big.length === 0 ? 'not measured at 10 M (set BENCH_BLACKLIST_SIZES=1000000,10000000)' :
    big.every((r) => r.readyS < 60 && r.heapB + r.buffersB < 64 && r.p99Us < 10) ? 'met' : 'NOT met';
  process.stdout.write(`target at 10 M entries (ready < 60 s, < 64 B of memory per entry, look-up p99 < 10 µs): ${verdict}\n`);
  process.stdout.write(`load average at the end: ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} cores (ready s is wall time; ready CPU s is this process's CPU).\n`);
  process.stdout.write('memory = V8 heap + typed-array buffers held after a full GC, minus the same just before the client started; the details file (on disk, not in memory) is apart.\n');
}
