// bench materializer: the flush of one window of 100k opt-out facts (100k consent events + 100k
// ConsentTracked notices to the matcher, one transaction per facts partition, offsets and
// watermark included) against a raw transactional produce of exactly the
// same records, pre-encoded, through as many transactional producers in parallel, in the same
// run. The ratio is what building, looking up and encoding the events costs over the broker.
// The materializer's clock is moved by the bench, so a window closes when the facts are read.
import { randomUUID } from 'node:crypto';
import type { Producer, TopicMessages } from 'kafkajs';
import { AvroSerde, createKafka, provision, sendAll } from '@optline/kafka';
import { createLogger, loadConfig } from '@optline/runtime';
import { consentTrackedNotices, factRecord, Materializer, windowEvents, windowStart, type Fact, type FlushReport } from '@optline/materializer';
import { deleteNamespace, formatTable, median } from './harness.ts';

const FACTS = Number(process.env.OPTLINE_BENCH_MATERIALIZER_FACTS ?? 100_000);
const RUNS = Number(process.env.OPTLINE_BENCH_MATERIALIZER_RUNS ?? 3);
const WARMUP_FACTS = 10_000;
const HOUR = 3_600_000;
const TIMEOUT_MS = 60_000;
const TARGET = 0.5;

const log = (line: string) => process.stderr.write(`materializer: ${line}\n`);

async function until(what: string, done: () => boolean): Promise<void> {
  const deadline = Date.now() + TIMEOUT_MS;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`bench materializer: ${what} did not happen within ${TIMEOUT_MS} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function window(run: number, at: number, size: number): Fact[] {
  const facts: Fact[] = [];
  for (let i = 0; i < size; i++) {
    const phone = `004219${run}${String(i).padStart(7, '0')}`;
    const message_id = `run${run}-${i}`;
    facts.push({
      type: 'opted_out', project: 'bench', phone, message_id, keyword: 'STOP', received_at: at, body: 'STOP',
      sender: phone, recipient: '00421900000001', customer_ids: [`c${run}-${i}`], categories: ['sms'],
    });
  }
  return facts;
}

export async function run(): Promise<void> {
  const config = { ...loadConfig(), topicNamespace: `bench-mat-${randomUUID().slice(0, 8)}`, windowMs: HOUR, windowGraceMs: 60_000 };
  const { topics } = await provision(config);
  const kafka = createKafka(config);
  const serde = new AvroSerde(config.schemaRegistryUrl, topics);
  const encode = {
    facts: await serde.encoderFor(topics.facts.name),
    consentTracked: await serde.encoderFor(topics.consentTracked.name),
    consent: await serde.encoderFor(topics.consent.name),
  };
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  // The baseline: one transactional producer per facts partition, as the flush has.
  const raw: Producer[] = [];
  for (let p = 0; p < config.partitions; p++) {
    const tx = kafka.producer({ transactionalId: `${config.topicNamespace}.raw-${p}`, idempotent: true, maxInFlightRequests: 1 });
    await tx.connect();
    await (await tx.transaction()).abort(); // InitProducerId outside the measurement
    raw.push(tx);
  }
  let clock = windowStart(Date.now(), HOUR) - 100 * HOUR;
  const reports: Array<FlushReport & { at: number }> = [];
  const materializer = new Materializer({
    config, logger: createLogger('bench-materializer', 'error'), clock: () => clock,
    onFlush: (r) => reports.push({ ...r, at: performance.now() }),
  });
  await materializer.start();
  const flushMs: number[] = [];
  const rawMs: number[] = [];
  let records = 0;
  try {
    // Run 0 warms up (schema ids, connections, the JIT) and is not counted.
    for (let run = 0; run <= RUNS; run++) {
      const size = run === 0 ? Math.min(FACTS, WARMUP_FACTS) : FACTS;
      const start = clock + HOUR;
      clock = start + 1000;
      const facts = window(run, clock, size);
      log(`run ${run}/${RUNS}: publishing ${size} opt-out facts`);
      await sendAll(producer, [{ topic: topics.facts.name, messages: facts.map((f) => ({ key: `${f.project}:${f.phone}`, value: encode.facts(factRecord(f, clock)) })) }]);
      await until('reading the facts', () => materializer.pendingFacts() === size);

      reports.length = 0;
      clock = start + HOUR + config.windowGraceMs; // the window closes
      await until('the flush', () => reports.reduce((n, r) => n + r.facts, 0) === size);
      const ms = Math.max(...reports.map((r) => r.at)) - Math.min(...reports.map((r) => r.at - r.ms));
      const written = reports.reduce((n, r) => n + r.consent + r.consentTracked, 0);
      log(`run ${run}/${RUNS}: flush of ${size} facts -> ${written} records in ${ms.toFixed(0)} ms over ${reports.length} partitions (${reports.map((r) => r.ms).join(", ")})`);

      // The same records, pre-encoded, split over the producers; timed from first send to last commit.
      const events = windowEvents(facts, clock);
      const consent = events.consent.map((e) => ({ key: e.customer_id!, value: encode.consent(e) }));
      const tracked = consentTrackedNotices(facts, clock).map((n) => ({ key: n.phone, value: encode.consentTracked(n) }));
      const shares: TopicMessages[][] = raw.map((_, p) => [
        { topic: topics.consent.name, messages: consent.filter((_, i) => i % raw.length === p) },
        { topic: topics.consentTracked.name, messages: tracked.filter((_, i) => i % raw.length === p) },
      ]);
      const t0 = performance.now();
      await Promise.all(raw.map(async (tx, p) => {
        const t = await tx.transaction();
        await sendAll(t, shares[p]!);
        await t.commit();
      }));
      const elapsed = performance.now() - t0;
      log(`run ${run}/${RUNS}: raw transactional produce of ${consent.length + tracked.length} records in ${elapsed.toFixed(0)} ms`);
      if (run === 0) continue;
      records = written;
      flushMs.push(ms);
      rawMs.push(elapsed);
    }
  } finally {
    await materializer.stop();
    await Promise.all([producer.disconnect(), ...raw.map((p) => p.disconnect())]);
    await deleteNamespace(kafka, config.topicNamespace);
  }
  const f = median(flushMs);
  const r = median(rawMs);
  const per = (ms: number, n: number) => Math.round((n / ms) * 1000).toLocaleString('en-US');
  const rows = [
    ['raw transactional produce (baseline)', records.toLocaleString('en-US'), r.toFixed(0), per(r, records), '', ''],
    ['materializer window flush', records.toLocaleString('en-US'), f.toFixed(0), per(f, records), per(f, FACTS), `${((r / f) * 100).toFixed(0)} %`],
  ];
  process.stdout.write(`\nmaterializer: flush of a window of ${FACTS.toLocaleString('en-US')} opt-out facts (1 profile x 1 category each; consent events + ConsentTracked notices), median of ${RUNS} runs\n\n`);
  process.stdout.write(`${formatTable(['case', 'records', 'median ms', 'records/s', 'consent events/s', 'vs baseline'], rows)}\n\n`);
  process.stdout.write(`target (>= ${TARGET * 100} % of the raw transactional produce): ${r / f >= TARGET ? 'met' : 'NOT met'}\n`);
}
