// bench replies: how long after ingress answered 2xx to a STOP does Sinch accept the opt-out
// confirmation? The whole system runs in this process on the local broker, the replier sends
// to a Sinch test server on loopback that answers every call in SINCH_MS (50 ms, a realistic
// API latency). Opt-outs arrive at a steady RATE, each from a phone of its own. Baseline in the
// same run: the bare Sinch POST round trip to the same server (the floor of any reply), and the
// ingress POST itself. SPEC: p99 < 5 s after the 2xx; the target is p99 < 1 s.

import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { replyEventId, type ReplyIntent } from '@optline/core';
import { loadConfig } from '@optline/runtime';
import { SinchClient } from '@optline/sinch';
import { startSystem, type System } from '@optline/test/system';
import { deleteNamespace, formatTable } from './harness.ts';

const RATE = Number(process.env.BENCH_REPLIES_RATE ?? 50); // opt-outs per second
const SECONDS = Number(process.env.BENCH_REPLIES_SECONDS ?? 60);
const SINCH_MS = Number(process.env.BENCH_REPLIES_SINCH_MS ?? 50);
const WARM_UP_SECONDS = Number(process.env.BENCH_REPLIES_WARM_UP_SECONDS ?? 5);

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

interface Timing {
  /** Client reference of the reply. */
  ref: string;
  /** When ingress answered 2xx (epoch ms). */
  at2xx: number;
  post: number;
  reply: number;
}

async function optOut(sys: System, dedicated: string, n: number): Promise<Timing> {
  const phone = `00421905${String(n % 1_000_000).padStart(6, '0')}`;
  const id = `bench-${randomUUID()}`;
  const t0 = Date.now();
  const res = await sys.postSinch({ type: 'mo_text', id, from: phone.slice(2), to: dedicated, body: 'STOP', received_at: new Date().toISOString() });
  if (res.status !== 200) throw new Error(`ingress answered ${res.status}: ${await res.text()}`);
  const accepted = Date.now();
  const ref = replyEventId('bench', id, 'optOut');
  for (;;) {
    const at = sys.sinch!.answeredAt.get(ref);
    if (at !== undefined) return { ref, at2xx: accepted, post: accepted - t0, reply: at - accepted };
    if (Date.now() - accepted > 60_000) throw new Error(`no reply to ${id} 60 s after the 2xx`);
    await sleep(2);
  }
}

async function steady(sys: System, dedicated: string, first: number, seconds: number): Promise<Timing[]> {
  const results: Timing[] = [];
  const inflight: Promise<void>[] = [];
  const count = Math.round(seconds * RATE);
  const start = Date.now();
  for (let i = 0; i < count; i++) {
    inflight.push(optOut(sys, dedicated, first + i).then((r) => void results.push(r)));
    if ((i + 1) % (RATE * 10) === 0) process.stderr.write(`replies: ${i + 1}/${count} opt-outs sent, ${results.length} confirmed\n`);
    // Paced by the clock, not by the loop: a slow iteration does not lower the rate.
    await sleep(Math.max(0, start + ((i + 1) * 1000) / RATE - Date.now()));
  }
  await Promise.all(inflight);
  return results;
}

/** event_id -> decided_at of every reply intent the matcher wrote: splits the latency in two. */
async function decisions(sys: System, count: number): Promise<Map<string, number>> {
  const decided = new Map<string, number>();
  const consumer = sys.kafka.consumer({ groupId: `${sys.config.topicNamespace}.bench-reader`, readUncommitted: false, maxWaitTimeInMs: 100 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: sys.topics.replies.name, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const intent = await sys.codec.decode<ReplyIntent>('ReplyIntent', message.value);
        decided.set(intent.event_id, intent.decided_at);
      },
    });
    for (const deadline = Date.now() + 30_000; decided.size < count && Date.now() < deadline;) await sleep(100);
    return decided;
  } finally {
    await consumer.disconnect();
  }
}

async function sinchRoundTrips(sys: System, count: number): Promise<number[]> {
  const client = new SinchClient({ apiUrl: sys.sinch!.baseUrl, servicePlanId: 'system-plan', apiToken: 'system-sinch-token' });
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = Date.now();
    const outcome = await client.send({ from: '12345', to: ['421900000000'], body: 'baseline', client_reference: `baseline-${i}` });
    if (outcome.kind !== 'accepted') throw new Error(`baseline send: ${JSON.stringify(outcome)}`);
    times.push(Date.now() - t0);
    await sleep(1000 / RATE);
  }
  return times;
}

export async function run(): Promise<void> {
  const sys = await startSystem(loadConfig(), { logLevel: 'error', windowMs: 3_600_000, replies: { sinchLatencyMs: SINCH_MS } });
  try {
    const dedicated = String(70_000_000 + Math.floor(Math.random() * 9_999_999));
    const put = await sys.api('/v1/projects/bench/sms-settings', {
      method: 'PUT',
      body: JSON.stringify({
        trackIncoming: true, optOutEnabled: true, keywords: ['stop'], consentCategories: ['sms'], dedicatedNumbers: [dedicated],
        replies: [{ kind: 'optOut', text: 'You are unsubscribed from bench SMS. Reply START to resubscribe.' }],
      }),
    });
    if (put.status !== 200) throw new Error(`settings: ${put.status} ${await put.text()}`);
    // A fresh system pays for JIT, new connections, groups and producer ids in its first
    // seconds: measured too, in a row of its own.
    process.stderr.write(`replies: warming up for ${WARM_UP_SECONDS} s at ${RATE}/s\n`);
    const warmUp = await steady(sys, dedicated, 500_000, WARM_UP_SECONDS);
    process.stderr.write(`replies: ${SECONDS} s at ${RATE} opt-outs/s, Sinch answering in ${SINCH_MS} ms\n`);
    const results = await steady(sys, dedicated, 0, SECONDS);
    const decided = await decisions(sys, results.length + warmUp.length);
    const split = results.filter((r) => decided.has(r.ref)).map((r) => ({ matcher: decided.get(r.ref)! - r.at2xx, replier: r.at2xx + r.reply - decided.get(r.ref)! }));
    process.stderr.write('replies: Sinch round-trip baseline, 200 calls\n');
    const baseline = await sinchRoundTrips(sys, 200);

    const row = (name: string, xs: number[]) => [name, String(xs.length), percentile(xs, 50).toFixed(0), percentile(xs, 99).toFixed(0), Math.max(...xs).toFixed(0)];
    const replies = results.map((r) => r.reply);
    const p99 = percentile(replies, 99);
    process.stdout.write(`\nreplies: ingress 2xx of a STOP -> Sinch accepted its confirmation (${results.length} opt-outs at ${RATE}/s for ${SECONDS} s, Sinch test server answering in ${SINCH_MS} ms)\n\n`);
    process.stdout.write(formatTable(['case', 'n', 'p50 ms', 'p99 ms', 'max ms'], [
      row('Sinch POST round trip (baseline)', baseline),
      row('ingress POST until 2xx', results.map((r) => r.post)),
      row('2xx until Sinch accepted the reply', replies),
      row('  of which 2xx until the matcher decided it', split.map((x) => x.matcher)),
      row('  of which decided until Sinch accepted it', split.map((x) => x.replier)),
      row(`same, first ${WARM_UP_SECONDS} s after start (warm-up)`, warmUp.map((r) => r.reply)),
    ]));
    process.stdout.write(`\n\np99 ${p99.toFixed(0)} ms = ${(p99 / percentile(baseline, 99)).toFixed(1)}x the p99 Sinch round trip; target p99 < 1000 ms: ${p99 < 1000 ? 'met' : 'NOT met'} (SPEC: < 5 s; FCC: 5 min)\n\n`);
  } finally {
    await sys.stop();
    await deleteNamespace(sys.kafka, sys.config.topicNamespace).catch(() => undefined);
  }
}
