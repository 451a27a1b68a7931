// bench settings: PUT /v1/projects/{p}/sms-settings through two API instances over one
// namespace, as compare-and-set routes every write through the one settings writer (command
// topic -> writer transaction -> outcome -> the answering instance's table). Cases:
// - sequential PUTs, one at a time, alternating instances: the latency of one change;
// - 200 concurrent PUTs of one project through both instances: how long the writer takes to
//   apply a burst in order (wall time, PUTs/s), median of rounds.
// Baseline in the same run: a sequential acks=all produce of one record, the floor a write
// confirmed by Kafka pays, and what a PUT cost when each instance wrote the topic itself.

import { randomUUID } from 'node:crypto';
import { startApi, API_BODY_LIMIT, type RunningApi } from '@optline/api';
import { createKafka } from '@optline/kafka';
import { createLogger, loadConfig } from '@optline/runtime';
import { deleteNamespace, formatTable, median } from './harness.ts';

const SEQUENTIAL = Number(process.env.BENCH_SETTINGS_SEQUENTIAL ?? 200);
const CONCURRENT = Number(process.env.BENCH_SETTINGS_CONCURRENT ?? 200);
const ROUNDS = Number(process.env.BENCH_SETTINGS_ROUNDS ?? 5);
const TOKEN = 'bench-settings';

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const doc = (marker: string) => ({ trackIncoming: true, optOutEnabled: true, keywords: ['STOP', marker], consentCategories: ['sms'], dedicatedNumbers: ['12345'] });

async function put(api: RunningApi, project: string, marker: string): Promise<void> {
  const res = await fetch(`${api.url}/v1/projects/${project}/sms-settings`, {
    method: 'PUT', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(doc(marker)),
  });
  if (res.status !== 200) throw new Error(`PUT answered ${res.status}: ${await res.text()}`);
  await res.arrayBuffer().catch(() => undefined);
}

export async function run(): Promise<void> {
  const namespace = `bench-settings-${randomUUID().slice(0, 8)}`;
  const config = { ...loadConfig(), topicNamespace: namespace, apiPort: 0 };
  const logger = createLogger('bench-settings', process.env.OPTLINE_LOG_LEVEL ?? 'warn');
  const options = { config, logger, api: { token: TOKEN, tokenGenerated: false, host: '127.0.0.1', bodyLimit: API_BODY_LIMIT } };
  const apis: RunningApi[] = [];
  const kafka = createKafka(config);
  try {
    for (let i = 0; i < 2; i++) {
      const api = await startApi(options);
      apis.push(api);
      await api.ready;
    }
    const [a, b] = apis as [RunningApi, RunningApi];
    await put(a, 'bench', 'w'); // the writer's task opens (fence, catch-up) on the first command

    const admin = kafka.admin();
    await admin.connect();
    const scratch = `${namespace}.bench.settings-roundtrip`;
    await admin.createTopics({ topics: [{ topic: scratch, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    const producer = kafka.producer({ idempotent: true, allowAutoTopicCreation: false });
    await producer.connect();

    const produce: number[] = [];
    const sequential: number[] = [];
    process.stderr.write(`bench settings: ${SEQUENTIAL} sequential PUTs and produces, interleaved\n`);
    for (let i = 0; i < SEQUENTIAL; i++) {
      let t0 = performance.now();
      await producer.send({ topic: scratch, acks: -1, messages: [{ key: 'k', value: JSON.stringify(doc(`p${i}`)) }] });
      produce.push(performance.now() - t0);
      t0 = performance.now();
      await put(i % 2 === 0 ? a : b, 'bench', `s${i}`);
      sequential.push(performance.now() - t0);
    }
    await producer.disconnect();

    const bursts: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      process.stderr.write(`bench settings: burst ${round + 1}/${ROUNDS} of ${CONCURRENT} concurrent PUTs\n`);
      const t0 = performance.now();
      await Promise.all(Array.from({ length: CONCURRENT }, (_, i) => put(i % 2 === 0 ? a : b, 'bench', `r${round}c${i}`)));
      bursts.push(performance.now() - t0);
    }

    const ms = (v: number) => v.toFixed(1);
    const burst = median(bursts);
    process.stdout.write(`\nbench settings: PUT sms-settings through two API instances and the one settings writer\n\n${formatTable(
      ['case', 'n', 'p50 ms', 'p99 ms', 'per s', 'vs baseline'],
      [
        ['produce acks=all (baseline)', String(SEQUENTIAL), ms(percentile(produce, 50)), ms(percentile(produce, 99)), (1000 / median(produce)).toFixed(0), '1.00'],
        ['PUT, one at a time', String(SEQUENTIAL), ms(percentile(sequential, 50)), ms(percentile(sequential, 99)), (1000 / median(sequential)).toFixed(0), (median(produce) / median(sequential)).toFixed(2)],
        [`${CONCURRENT} concurrent PUTs (wall, median of ${ROUNDS})`, String(CONCURRENT * ROUNDS), ms(burst), ms(Math.max(...bursts)), ((CONCURRENT * 1000) / burst).toFixed(0), ''],
      ],
    )}\n\n`);
  } finally {
    for (const api of apis) await api.stop();
    await deleteNamespace(kafka, namespace);
  }
}
