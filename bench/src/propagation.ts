// bench propagation: how long after ingress answered 2xx to a STOP does a sender's send-check
// refuse the phone? The whole system runs in this process on the local broker; opt-outs arrive
// at a steady rate, each from a phone of its own, and after each 2xx the sender polls send-check
// until it refuses. Baseline in the same run: a bare kafkajs round trip (produce with acks=all
// until a consumer of the same broker receives it), the floor any Kafka pipeline pays.
// SPEC: a send check after ingress answered 2xx sees the blacklist within the documented bound;
// the target is p99 < 100 ms on the local stack.

import { randomUUID } from 'node:crypto';
import { createKafka } from '@optline/kafka';
import { loadConfig } from '@optline/runtime';
import { startSystem, type System } from '@optline/test/system';
import { formatTable } from './harness.ts';

const OPT_OUTS = Number(process.env.BENCH_PROPAGATION_OPT_OUTS ?? 1000);
const RATE = Number(process.env.BENCH_PROPAGATION_RATE ?? 50); // per second
const POLL_MS = 2;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function propagation(sys: System, dedicated: string, i: number): Promise<{ post: number; refused: number }> {
  const phone = `004219${String(10_000_000 + i).slice(-8)}`;
  const t0 = performance.now();
  const res = await sys.postSinch({ type: 'mo_text', id: `bench-${randomUUID()}`, from: phone.slice(2), to: dedicated, body: 'STOP', received_at: new Date().toISOString() });
  if (res.status !== 200) throw new Error(`ingress answered ${res.status}: ${await res.text()}`);
  const accepted = performance.now();
  for (;;) {
    const check = await sys.api('/v1/projects/bench/send-check', { method: 'POST', body: JSON.stringify({ phone, customer_id: `c${i}` }) });
    const body = (await check.json()) as { allowed: boolean };
    if (!body.allowed) return { post: accepted - t0, refused: performance.now() - accepted };
    if (performance.now() - accepted > 30_000) throw new Error(`phone ${phone} not refused 30 s after the 2xx`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

async function kafkaRoundTrips(sys: System, count: number): Promise<number[]> {
  const kafka = createKafka(sys.config);
  const topic = `${sys.config.topicNamespace}.bench-roundtrip`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  await admin.disconnect();
  const consumer = kafka.consumer({ groupId: `${topic}.reader`, maxWaitTimeInMs: 10 });
  const producer = kafka.producer({ idempotent: true });
  await Promise.all([consumer.connect(), producer.connect()]);
  await consumer.subscribe({ topic, fromBeginning: true });
  const waiting = new Map<string, () => void>();
  await consumer.run({ eachMessage: async ({ message }) => waiting.get(message.key!.toString())?.() });
  await new Promise((r) => setTimeout(r, 2000)); // let the consumer join before timing
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const key = `k${i}`;
    const received = new Promise<void>((resolve) => waiting.set(key, resolve));
    const t0 = performance.now();
    await producer.send({ topic, acks: -1, messages: [{ key, value: 'x' }] });
    await received;
    times.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 1000 / RATE));
  }
  await Promise.all([consumer.disconnect(), producer.disconnect()]);
  return times;
}

export async function run(): Promise<void> {
  const sys = await startSystem(loadConfig(), { logLevel: 'error' });
  try {
    const dedicated = String(70_000_000 + Math.floor(Math.random() * 9_999_999));
    const put = await sys.api('/v1/projects/bench/sms-settings', {
      method: 'PUT',
      body: JSON.stringify({ trackIncoming: true, optOutEnabled: true, keywords: ['stop'], consentCategories: ['sms'], dedicatedNumbers: [dedicated] }),
    });
    if (put.status !== 200) throw new Error(`settings: ${put.status} ${await put.text()}`);

    // Warm up first (consumer groups joined, JIT, connections), so the figures are the steady state's.
    process.stderr.write('propagation: warming up with 20 opt-outs\n');
    for (let i = 0; i < 20; i++) await propagation(sys, dedicated, 1_000_000 + i);
    process.stderr.write(`propagation: ${OPT_OUTS} opt-outs at ${RATE}/s\n`);
    const results: { post: number; refused: number }[] = [];
    const inflight: Promise<void>[] = [];
    for (let i = 0; i < OPT_OUTS; i++) {
      inflight.push(propagation(sys, dedicated, i).then((r) => void results.push(r)));
      if ((i + 1) % 100 === 0) process.stderr.write(`propagation: ${i + 1}/${OPT_OUTS} sent, ${results.length} refused\n`);
      await new Promise((r) => setTimeout(r, 1000 / RATE));
    }
    await Promise.all(inflight);
    process.stderr.write(`propagation: kafka round-trip baseline, ${Math.min(OPT_OUTS, 300)} records\n`);
    const baseline = await kafkaRoundTrips(sys, Math.min(OPT_OUTS, 300));

    const row = (name: string, xs: number[]) => [name, String(xs.length), percentile(xs, 50).toFixed(1), percentile(xs, 99).toFixed(1), Math.max(...xs).toFixed(1)];
    const p99 = percentile(results.map((r) => r.refused), 99);
    process.stdout.write(`\npropagation: ingress 2xx of a STOP -> send-check refuses (${OPT_OUTS} opt-outs at ${RATE}/s, poll every ${POLL_MS} ms)\n\n`);
    process.stdout.write(formatTable(['case', 'n', 'p50 ms', 'p99 ms', 'max ms'], [
      row('kafka round trip (baseline)', baseline),
      row('ingress POST until 2xx', results.map((r) => r.post)),
      row('2xx until send-check refuses', results.map((r) => r.refused)),
    ]));
    process.stdout.write(`\n\np99 propagation ${p99.toFixed(1)} ms = ${(p99 / percentile(baseline, 99)).toFixed(1)}x the p99 Kafka round trip; target p99 < 100 ms: ${p99 < 100 ? 'met' : 'NOT met'}\n\n`);
  } finally {
    await sys.stop();
  }
}
