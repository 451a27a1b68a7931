// bench blacklist: look-ups per second of the BlacklistClient, filled the real way (100,000
// BlacklistEntry records produced to a blacklist topic of its own on the local broker, tailed
// into memory), against a plain Map of the same keys in the same run: the ratio is what the
// client's API costs over the bare data structure. Also reports how fast the client caught up.
// Needs the local stack (npx optline stack up) or OPTLINE_KAFKA_BROKERS.

import { randomUUID } from 'node:crypto';
import { BlacklistClient } from '@optline/blacklist-client';
import { AvroSerde, createKafka, provision, topics } from '@optline/kafka';
import { loadConfig } from '@optline/runtime';
import { printResults, runBench, type BenchCase } from './harness.ts';

const ENTRIES = Number(process.env.BENCH_BLACKLIST_ENTRIES ?? 100_000);
const LOOKUPS = 1_000_000;
const PROJECTS = ['shop', 'bakery', 'garage', 'florist'];
const SEND_BATCH = 2000;

const phoneOf = (i: number) => `004219${String(i).padStart(8, '0')}`;

export async function run(): Promise<void> {
  const config = { ...loadConfig(), topicNamespace: `bench-blacklist-${randomUUID().slice(0, 8)}` };
  const named = topics(config.topicNamespace);
  await provision(config);
  const kafka = createKafka(config);
  const serde = new AvroSerde(config.schemaRegistryUrl, named);
  const client = new BlacklistClient({ config, kafka, serde });
  try {
    process.stderr.write(`blacklist: producing ${ENTRIES} entries to ${named.blacklist.name}\n`);
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    const at = Date.now();
    const tty = process.stderr.isTTY === true;
    const quarter = Math.ceil(ENTRIES / 4 / SEND_BATCH) * SEND_BATCH;
    for (let start = 0; start < ENTRIES; start += SEND_BATCH) {
      const messages = [];
      for (let i = start; i < Math.min(ENTRIES, start + SEND_BATCH); i++) {
        const project = PROJECTS[i % PROJECTS.length]!;
        const entry = { project, phone: phoneOf(i), status: 'BLOCKED', keyword: 'STOP', message_id: `mo-${i}`, blocked_at: at, updated_at: at };
        messages.push({ key: `${project}:${entry.phone}`, value: await serde.encode(named.blacklist.name, entry) });
      }
      await producer.send({ topic: named.blacklist.name, acks: -1, messages });
      const done = Math.min(ENTRIES, start + SEND_BATCH);
      // Rewritten in place on a terminal; in a log, a line every quarter.
      if (tty) process.stderr.write(`\rblacklist: produced ${done}/${ENTRIES}`);
      else if (done % quarter === 0 || done === ENTRIES) process.stderr.write(`blacklist: produced ${done}/${ENTRIES}\n`);
    }
    if (tty) process.stderr.write('\n');
    await producer.disconnect();

    const t0 = performance.now();
    await client.start();
    await client.ready(120_000);
    const catchUpMs = performance.now() - t0;
    if (client.size !== ENTRIES) throw new Error(`the client holds ${client.size} entries, ${ENTRIES} expected`);

    // The same keys in a bare Map: the baseline.
    const map = new Map<string, true>();
    for (let i = 0; i < ENTRIES; i++) map.set(`${PROJECTS[i % PROJECTS.length]}:${phoneOf(i)}`, true);

    // Half hits, half misses (an unlisted phone, or a listed phone in another project).
    const queryProjects: string[] = [];
    const queryPhones: string[] = [];
    let seed = 7;
    const next = () => (seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0) / 2 ** 32;
    for (let q = 0; q < LOOKUPS; q++) {
      const i = Math.floor(next() * ENTRIES);
      const r = next();
      queryPhones.push(r < 0.75 ? phoneOf(i) : phoneOf(ENTRIES + i));
      queryProjects.push(PROJECTS[(i + (r < 0.5 ? 0 : 1)) % PROJECTS.length]!);
    }
    // Both must agree, or the comparison means nothing.
    let hits = 0;
    for (let q = 0; q < LOOKUPS; q++) {
      const a = client.isBlacklisted(queryProjects[q]!, queryPhones[q]!);
      if (a !== map.has(`${queryProjects[q]}:${queryPhones[q]}`)) throw new Error(`client and Map disagree on query ${q}`);
      if (a) hits++;
    }

    const cases: BenchCase[] = [
      {
        name: 'Map.has (baseline)', ops: LOOKUPS,
        fn: () => {
          let n = 0;
          for (let q = 0; q < LOOKUPS; q++) if (map.has(`${queryProjects[q]}:${queryPhones[q]}`)) n++;
          return n;
        },
      },
      {
        name: 'client.isBlacklisted', ops: LOOKUPS, baseline: 'Map.has (baseline)',
        fn: () => {
          let n = 0;
          for (let q = 0; q < LOOKUPS; q++) if (client.isBlacklisted(queryProjects[q]!, queryPhones[q]!)) n++;
          return n;
        },
      },
      {
        name: 'client.get', ops: LOOKUPS, baseline: 'Map.has (baseline)',
        fn: () => {
          let n = 0;
          for (let q = 0; q < LOOKUPS; q++) if (client.get(queryProjects[q]!, queryPhones[q]!) !== undefined) n++;
          return n;
        },
      },
    ];
    const options = { title: `blacklist: look-ups in a client holding ${ENTRIES} entries vs a plain Map`, unit: 'lookup' };
    printResults(options, runBench(options, cases));
    process.stdout.write(
      `${LOOKUPS} look-ups per run, ${((hits / LOOKUPS) * 100).toFixed(0)} % hits; the client read ${ENTRIES} entries from the broker ` +
        `and was ready in ${(catchUpMs / 1000).toFixed(1)} s (${Math.round(ENTRIES / (catchUpMs / 1000))} records/s, consumer join included).\n`,
    );
  } finally {
    await client.stop();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: Object.values(named).map((t) => t.name) }).catch(() => undefined);
    await admin.disconnect();
  }
}
