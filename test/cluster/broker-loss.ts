import { describe, expect, it } from 'vitest';
import type { RunningIngress } from '@optline/ingress';
import { topics as topicsOf } from '@optline/kafka';
import { collect } from '../support/index.ts';
import { ingressOnPrivateStackForFile, leaderOfMost, type PrivateStack } from '../support/private-stack.ts';
import { idsInSegments, truncationLines } from './forensics.ts';
import { SinchLikeLoad } from './load.ts';

// A three-node cluster at replication 3, min ISR 2: one node (the leader of most partitions)
// killed and restarted under load, then two killed. Private stack: this test kills brokers.
// `perSecond` new callbacks a second: 20 in `npm run test:cluster`, 10 in `npm test`.
let stack: PrivateStack;
let ingress: RunningIngress;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function brokerLossUnderLoad(name: string, perSecond: number): void {
  // Ports from OPTLINE_TEST_CLUSTER_PORT_BASE (default 25000: 25092-25097, 25081), as the system test's.
  const base = Number(process.env.OPTLINE_TEST_CLUSTER_PORT_BASE ?? 25000);
  const running = ingressOnPrivateStackForFile({ name, kafkaPort: base + 92, controllerPort: base + 93, registryPort: base + 81, brokers: 3 }, '2s');
  describe('a cluster of three losing brokers under load', () => {
    it('one node lost: 2xx after a short pause, each accepted callback on the topic; two lost: 503, nothing acknowledged lost', () => {
      ({ stack, ingress } = running());
      return scenario(perSecond);
    }, 600_000);
  });
}

async function onTopicCounts(ids: string[], load: SinchLikeLoad): Promise<Map<string, number>> {
  const inbound = topicsOf(stack.config.topicNamespace).inbound.name;
  // Avro writes strings as their UTF-8 bytes, so the id can be read from a record's raw value;
  // counted as records arrive (the check runs on every record).
  const wanted = new Set(ids);
  const seen = new Map<string, number>();
  let counted = 0;
  const countNew = (records: { value: Buffer | null }[]) => {
    for (; counted < records.length; counted++) {
      const id = records[counted]!.value?.toString('latin1').match(/c-\d{6}/)?.[0];
      if (id && wanted.has(id)) seen.set(id, (seen.get(id) ?? 0) + 1);
    }
    return seen.size === wanted.size;
  };
  const admin = stack.kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(inbound).finally(() => admin.disconnect());
  process.stderr.write(`[cluster] ${inbound}: ${offsets.map((o) => `p${o.partition} ${o.low}..${o.high}`).join(', ')}; ${ids.length} accepted\n`);
  try {
    await collect(stack.kafka, inbound, countNew, 60_000);
  } catch (err) {
    const missing = ids.filter((id) => !seen.has(id));
    process.stderr.write(`[cluster] missing ${missing.length}: ${missing.slice(0, 20).map((id) => `${id}@${new Date(load.acceptedAt.get(id)!).toISOString()}`).join(' ')}\n`);
    for (const line of [...idsInSegments(stack.home, inbound, missing), ...truncationLines(stack.home, inbound)]) process.stderr.write(`[cluster] ${line}\n`);
    throw err;
  }
  return seen;
}

async function scenario(perSecond: number): Promise<void> {
  const load = new SinchLikeLoad(`${ingress.urls![0]}/v1/sinch/inbound`, perSecond);
  load.start();
  await sleep(3000);

  // One node: the leader of most partitions.
  const inbound = topicsOf(stack.config.topicNamespace).inbound.name;
  const first = await leaderOfMost(stack.kafka, [inbound]);
  const killedAt = Date.now();
  stack.kill(first);
  await sleep(10_000);
  await stack.restart(); // starts the missing node only; its data is kept
  await sleep(5000);
  const one = load.report(killedAt, Date.now());
  process.stderr.write(`[cluster] node ${first} (leader of most partitions) killed: longest pause without a 2xx ${one.longestPauseMs} ms, ${one.answers503} answers 503, ${one.other} other failures, ${one.accepted} accepted\n`);
  expect(one.accepted).toBeGreaterThan(perSecond * 5);
  expect(one.longestPauseMs).toBeLessThan(15_000);
  expect(one.other).toBe(0);

  // Two nodes: no partition can have two copies in sync, so nothing may be acknowledged.
  const second = await leaderOfMost(stack.kafka, [inbound]);
  const third = [1, 2, 3].find((n) => n !== second)!;
  stack.kill(second);
  await sleep(1000);
  stack.kill(third);
  const twoDownAt = Date.now();
  process.stderr.write(`[cluster] killed ${second} at ${new Date(twoDownAt - 1000).toISOString()}, ${third} at ${new Date(twoDownAt).toISOString()}\n`);
  await sleep(12_000);
  const during = load.answersBetween(twoDownAt + 4000, Date.now());
  process.stderr.write(`[cluster] nodes ${second} and ${third} killed: ${during.filter((s) => s === 503).length} of ${during.length} answers 503 (from 4 s after the second kill)\n`);
  expect(during.length).toBeGreaterThan(20);
  expect(during.filter((s) => s >= 200 && s < 300)).toEqual([]);

  await stack.restart();
  process.stderr.write(`[cluster] restarted at ${new Date().toISOString()}\n`);
  await sleep(8000);
  await load.stop();
  const accepted = load.acceptedIds();
  const counts = await onTopicCounts(accepted, load);
  for (const id of accepted) expect(counts.get(id) ?? 0, id).toBeGreaterThanOrEqual(1);
  // A callback retried after a 503 may also have been written by the attempt that timed out (the
  // matcher drops the copy by message id): counted and printed. One answered 2xx at its first try
  // is written once: kafkajs' produce retry across the leader move wrote one twice in 1 of 5 runs
  // until patches/kafkajs+2.2.4+005+produce-retry.patch.
  const firstTry = new Set(load.acceptedFirstTry());
  const duplicatedFirstTry = accepted.filter((id) => firstTry.has(id) && counts.get(id)! > 1);
  const duplicatedRetried = accepted.filter((id) => !firstTry.has(id) && counts.get(id)! > 1);
  process.stderr.write(`[cluster] ${accepted.length} callbacks accepted, all on the topic; written twice: ${duplicatedFirstTry.length} answered first time, ${duplicatedRetried.length} retried after a 503\n`);
  expect(duplicatedFirstTry, 'answered 2xx at the first try and written twice').toEqual([]);
}
